/** One audit log entry as stored (see packages/protocol/src/audit.ts for the wire form). */
export interface StoredAuditLogEntry {
  /** Sortable: a later entry has a greater id (see audit/audit-id.ts). */
  id: string;
  at: string;
  actor_kind: "admin" | "api_key" | "user";
  actor_id: string;
  action: string;
  channel_url: string | null;
  user_id: string | null;
  /** Any JSON value; undefined = none. */
  before?: unknown;
  after?: unknown;
  request_id: string;
  node_id: string;
  ip: string | null;
}

export interface AuditLogFilter {
  /** Exact, or a prefix when it ends in `.*`. */
  action?: string;
  actor_id?: string;
  channel_url?: string;
  user_id?: string;
  /** at >= since */
  since?: string;
  /** at < until */
  until?: string;
  /** Entries older than this id (the previous page's last id). */
  before_id?: string;
  limit: number;
}
