import type { ColumnType } from "kysely";

/** INTEGER on SQLite; BIGINT on PostgreSQL comes back as a string. Read with `Number()`. */
type Int = ColumnType<number | string, number, number | string>;
/** JSON written as text; read back as text (SQLite) or already parsed (PostgreSQL jsonb). */
type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown, string | null, string | null>;
/** 0/1 on SQLite, boolean on PostgreSQL; written only through SQL literals (`sql.lit`). */
type Bool = ColumnType<number | boolean, never, never>;

export interface ChannelsTable {
  channel_url: string;
  name: string;
  custom_type: string | null;
  data: Json;
  provider: string;
  created_at: string;
  last_seq: Int;
  member_count: ColumnType<number, number | undefined, number>;
  frozen: Bool;
  /** @since 0.3 */
  last_activity_at: string;
  /** @since 0.3 Seq of the newest message (not log entry); 0 = none. Internal: joins the inbox's last message. */
  last_message_seq: Int;
  /** @since 0.3 Countable (MESG/FILE/IMAGE/ADMM), undeleted messages; see reads.ts. */
  countable_count: ColumnType<number | string, number | undefined, number | string>;
}

export interface MembersTable {
  channel_url: string;
  user_id: string;
  joined_at: string;
  /** @since 0.3 unread = channels.countable_count - read_offset; see reads.ts. */
  read_offset: ColumnType<number | string, number | undefined, number | string>;
}

export interface MessagesTable {
  channel_url: string;
  seq: Int;
  message_id: string;
  type: string;
  user_id: string | null;
  message: string;
  custom_type: string | null;
  data: NullableJson;
  file: NullableJson;
  req_id: string | null;
  created_at: string;
  edited_at: string | null;
  deleted: Bool;
  target_seq: ColumnType<number | string | null, number | null, number | null>;
  target_message_id: string | null;
}

export interface ReadMarksTable {
  channel_url: string;
  user_id: string;
  last_read_seq: Int;
  updated_at: string;
}

export interface OperatorsTable {
  channel_url: string;
  user_id: string;
}

export interface RestrictionsTable {
  channel_url: string;
  user_id: string;
  kind: string;
  until: string | null;
  created_at: string;
}

export interface FilesTable {
  file_id: string;
  channel_url: string;
  user_id: string | null;
  name: string;
  size: Int;
  mime_type: string;
  width: number | null;
  height: number | null;
  storage_key: string;
  thumbnail_key: string | null;
  created_at: string;
}

/** @since 0.4 Per user: tokens issued before `revoked_at` (ISO time) are refused. */
export interface TokenRevocationsTable {
  user_id: string;
  revoked_at: string;
}

/** @since 0.5 Push notification devices (migration 0007). */
export interface PushDevicesTable {
  id: string;
  user_id: string;
  kind: string;
  address: string;
  p256dh: string | null;
  auth: string | null;
  topic: string | null;
  created_at: string;
  updated_at: string;
}

/** @since 0.5 Push mutes (migration 0007); channel_url '' = every channel. */
export interface PushMutesTable {
  user_id: string;
  channel_url: string;
  until: string | null;
}

/** @since 0.4 The audit log (migration 0005). */
export interface AuditLogTable {
  id: string;
  at: string;
  actor_kind: string;
  actor_id: string;
  action: string;
  channel_url: string | null;
  user_id: string | null;
  before_value: NullableJson;
  after_value: NullableJson;
  request_id: string;
  node_id: string;
  ip: string | null;
}

/** @since 0.4 One event for one webhook endpoint, with its delivery state (see webhook-outbox.ts). */
export interface WebhookOutboxTable {
  id: ColumnType<number | string, never, never>;
  endpoint_id: string;
  event_id: string;
  channel_url: string;
  type: string;
  payload: string;
  state: string;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Int;
  lease_until: ColumnType<number | string, number | undefined, number>;
  lease_owner: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
  last_status: number | null;
  last_error: string | null;
}

/** @since 0.5 A pinned message (migration 0009). */
export interface PinsTable {
  channel_url: string;
  seq: Int;
  pinned_by: string | null;
  pinned_at: string;
}

export interface StoreSchema {
  pins: PinsTable;
  channels: ChannelsTable;
  members: MembersTable;
  messages: MessagesTable;
  read_marks: ReadMarksTable;
  operators: OperatorsTable;
  restrictions: RestrictionsTable;
  files: FilesTable;
  token_revocations: TokenRevocationsTable;
  push_devices: PushDevicesTable;
  push_mutes: PushMutesTable;
  audit_log: AuditLogTable;
  webhook_outbox: WebhookOutboxTable;
  /** @since 0.4 The events feed (0010). */
  event_log: EventLogTable;
  event_log_counter: { id: number; last_position: Int };
}

/** @since 0.4 One event of the feed; `payload` is the webhook body (the same event id). */
export interface EventLogTable {
  position: Int;
  event_id: string;
  type: string;
  channel_url: string;
  payload: string;
  created_at: string;
}
