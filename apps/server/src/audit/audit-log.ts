import type { AuditLogEntry } from "@podchat/protocol";
import type { Logger } from "../observability/logger.ts";
import type { AuditLogFilter, MessageStore, StoredAuditLogEntry } from "../store/message-store.ts";
import { newAuditId } from "./audit-id.ts";

/** What a caller gives; the log adds the id, the time and the instance. */
export interface AuditRecord {
  actor: AuditLogEntry["actor"];
  action: string;
  target?: AuditLogEntry["target"];
  before?: unknown;
  after?: unknown;
  request_id: string;
  ip?: string | undefined;
}

export type AuditQuery = Omit<AuditLogFilter, "before_id" | "limit"> & { cursor?: string; limit?: number };

const HOUR_MS = 3600_000;
const EXPORT_PAGE = 500;

function toWire(e: StoredAuditLogEntry): AuditLogEntry {
  return {
    id: e.id,
    at: e.at,
    actor: { kind: e.actor_kind, id: e.actor_id },
    action: e.action,
    target: {
      ...(e.channel_url !== null ? { channel_url: e.channel_url } : {}),
      ...(e.user_id !== null ? { user_id: e.user_id } : {}),
    },
    ...(e.before !== undefined ? { before: e.before } : {}),
    ...(e.after !== undefined ? { after: e.after } : {}),
    request_id: e.request_id,
    node_id: e.node_id,
    ...(e.ip !== null ? { ip: e.ip } : {}),
  };
}

/**
 * The audit log: each entry is written to the store (shared by every instance) and logged as one
 * `msg: "audit"` line. The lines go out at info even when `log.level` is higher (prod: warn), so
 * every instance's logs hold its entries; only `silent` silences them. Entries older than `retentionDays` are pruned hourly.
 */
export class AuditLog {
  readonly #store: MessageStore;
  readonly #log: Logger;
  readonly #nodeId: string;
  readonly #retentionDays: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: { store: MessageStore; logger: Logger; nodeId: string; retentionDays: number }) {
    this.#store = options.store;
    const parent = options.logger;
    // Raised to info when the server logs less (prod: warn); "silent" (tests) stays silent.
    const level = parent.level !== "silent" && parent.levelVal > 30 ? "info" : parent.level;
    this.#log = parent.child({ component: "audit" }, { level });
    this.#nodeId = options.nodeId;
    this.#retentionDays = options.retentionDays;
  }

  get nodeId(): string {
    return this.#nodeId;
  }

  /**
   * Writes one entry. A store failure is logged (at error, with the entry) and not thrown: the
   * change it describes is already made, and an error answer would invite a retry of it.
   */
  async record(r: AuditRecord): Promise<AuditLogEntry> {
    const stored: StoredAuditLogEntry = {
      id: newAuditId(),
      at: new Date().toISOString(),
      actor_kind: r.actor.kind,
      actor_id: r.actor.id,
      action: r.action,
      channel_url: r.target?.channel_url ?? null,
      user_id: r.target?.user_id ?? null,
      ...(r.before !== undefined ? { before: r.before } : {}),
      ...(r.after !== undefined ? { after: r.after } : {}),
      request_id: r.request_id,
      node_id: this.#nodeId,
      ip: r.ip ?? null,
    };
    const entry = toWire(stored);
    try {
      await this.#store.appendAudit(stored);
      this.#log.info({ audit: entry }, "audit");
    } catch (err) {
      this.#log.error({ err, audit: entry }, "audit: the entry could not be stored");
    }
    return entry;
  }

  /** One page, newest first; `next_cursor` is null on the last page. */
  async list(q: AuditQuery): Promise<{ entries: AuditLogEntry[]; next_cursor: string | null }> {
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    const rows = await this.#store.listAudit({ ...filterOf(q), limit: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      entries: page.map(toWire),
      next_cursor: rows.length > limit ? page.at(-1)!.id : null,
    };
  }

  /** Every matching entry, newest first, read page by page. */
  async *all(q: AuditQuery): AsyncGenerator<AuditLogEntry> {
    let cursor = q.cursor;
    for (;;) {
      const rows = await this.#store.listAudit({
        ...filterOf({ ...q, ...(cursor !== undefined ? { cursor } : {}) }),
        limit: EXPORT_PAGE,
      });
      for (const r of rows) yield toWire(r);
      if (rows.length < EXPORT_PAGE) return;
      cursor = rows.at(-1)!.id;
    }
  }

  /** Deletes the entries past the retention; answers how many. */
  async prune(now = Date.now()): Promise<number> {
    if (this.#retentionDays === 0) return 0;
    const before = new Date(now - this.#retentionDays * 24 * HOUR_MS).toISOString();
    const n = await this.#store.pruneAudit(before);
    if (n > 0) this.#log.info({ deleted: n, before }, "audit: pruned entries past the retention");
    return n;
  }

  /** Prunes now and then every hour (every instance does; deleting what is already gone is free). */
  start(): void {
    if (this.#timer || this.#retentionDays === 0) return;
    const run = () =>
      this.prune().catch((err: unknown) =>
        this.#log.warn({ err }, "audit: prune failed; retrying in an hour"),
      );
    void run();
    this.#timer = setInterval(run, HOUR_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

function filterOf(q: AuditQuery): Omit<AuditLogFilter, "limit"> {
  const f: Omit<AuditLogFilter, "limit"> = {};
  if (q.action !== undefined) f.action = q.action;
  if (q.actor_id !== undefined) f.actor_id = q.actor_id;
  if (q.channel_url !== undefined) f.channel_url = q.channel_url;
  if (q.user_id !== undefined) f.user_id = q.user_id;
  if (q.since !== undefined) f.since = q.since;
  if (q.until !== undefined) f.until = q.until;
  if (q.cursor !== undefined) f.before_id = q.cursor;
  return f;
}
