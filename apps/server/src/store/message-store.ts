import { randomUUID } from "node:crypto";
import type { FileInfo, MessageType, ProviderName, WebhookEventType } from "@podchat/protocol";
import type { AuditLogFilter, StoredAuditLogEntry } from "./audit-records.ts";
import type { WebhookOutbox } from "./webhook-outbox.ts";
import type { PushStore } from "./push-store.ts";

/** A channel row as the store keeps it. Timestamps are ISO-8601 strings. */
export interface StoredChannel {
  channel_url: string;
  name: string;
  custom_type: string | null;
  data: Record<string, unknown>;
  /** The provider the channel lives on (a Sendbird channel keeps only this routing row here). */
  provider: ProviderName;
  created_at: string;
  /** Newest message seq; 0 when the channel has no message. */
  last_seq: number;
  member_count: number;
  /**
   * @since 0.3 When the channel last had a message: `created_at`, then the `created_at` of each
   * new message (edits and deletes do not move it). The inbox sorts by it.
   */
  last_activity_at: string;
}

/** Seq-log entries that change an earlier message (@since 0.2); they take a seq like messages. */
export type LogEntryType = "MESSAGE_UPDATED" | "MESSAGE_DELETED";

export interface StoredMessage {
  message_id: string;
  channel_url: string;
  seq: number;
  /** A message, or a log entry (edit/delete) whose `target_seq` names the message it changed. */
  type: MessageType | LogEntryType;
  user_id: string | null;
  message: string;
  custom_type: string | null;
  data: Record<string, unknown> | null;
  file: FileInfo | null;
  req_id: string | null;
  created_at: string;
  /** @since 0.2 Messages: set once edited. Absent = null. */
  edited_at?: string | null;
  /** @since 0.2 Messages: a tombstone (message "", no data/file). Absent = false. */
  deleted?: boolean;
  /** @since 0.2 Log entries: the seq and message_id of the changed message. */
  target_seq?: number | null;
  target_message_id?: string | null;
}

/** The message an append stores, before the store gives it its `seq`. */
export function newStoredMessage(input: NewMessage, seq = 0): StoredMessage {
  return {
    message_id: input.message_id ?? randomUUID(),
    channel_url: input.channel_url,
    seq,
    type: input.type,
    user_id: input.user_id ?? null,
    message: input.message,
    custom_type: input.custom_type ?? null,
    data: input.data ?? null,
    file: input.file ?? null,
    req_id: input.req_id ?? null,
    created_at: input.created_at ?? new Date().toISOString(),
    edited_at: null,
    deleted: false,
    target_seq: null,
    target_message_id: null,
  };
}

/** @since 0.5 Pins a channel may have at once. */
export const MAX_PINS = 100;

/** @since 0.5 How many of a channel's newest log seqs a query of only 1–2 character terms scans. */
export const SHORT_TERM_WINDOW = 50_000;

/** The message types that count as unread and show in the inbox (not the edit/delete log). */
export const COUNTABLE_TYPES: readonly MessageType[] = ["MESG", "FILE", "IMAGE", "ADMM"];

export interface EditInput {
  channel_url: string;
  target_seq: number;
  message: string;
  /** Replaces the message's data when given. */
  data?: Record<string, unknown> | null;
  /** Who edits (recorded on the log entry); null = a privileged caller. */
  user_id: string | null;
  /** When set, the target's author must be this user (else NOT_AUTHOR). */
  require_author?: string;
}

export interface DeleteInput {
  channel_url: string;
  target_seq: number;
  user_id: string | null;
  require_author?: string;
}

/** An edit or delete: the changed target and the log entry that announces it (its own seq). */
export interface ChangeResult {
  /** The changed message as it is now (a tombstone after a delete). */
  target: StoredMessage;
  /** The changed message as it was before (a deleted FILE/IMAGE message still has its file here). */
  before: StoredMessage;
  entry: StoredMessage;
}

export interface ReadMark {
  channel_url: string;
  user_id: string;
  last_read_seq: number;
  last_seq: number;
  unread_count: number;
}

export interface Restriction {
  user_id: string;
  /** ISO-8601 end, or null = until lifted. */
  until: string | null;
}

/** Moderation of a channel; expired bans/mutes are left out. */
export interface StoredModeration {
  frozen: boolean;
  operators: string[];
  banned: Restriction[];
  muted: Restriction[];
}

export type RestrictionKind = "ban" | "mute";

/** @since 0.4 The user's tokens issued before `revoked_at` (ISO time) are refused. */
export interface TokenRevocation {
  user_id: string;
  revoked_at: string;
}

export interface StoredFile {
  file_id: string;
  channel_url: string;
  /** Uploader; null for API-key uploads. */
  user_id: string | null;
  name: string;
  size: number;
  mime_type: string;
  width: number | null;
  height: number | null;
  storage_key: string;
  thumbnail_key: string | null;
  created_at: string;
}

export interface NewChannel {
  channel_url: string;
  name: string;
  custom_type?: string | null;
  data?: Record<string, unknown>;
  provider: ProviderName;
  user_ids: string[];
  /** Original creation time (migrations); defaults to now. */
  created_at?: string;
}

export interface ChannelPatch {
  name?: string;
  custom_type?: string | null;
  data?: Record<string, unknown>;
  provider?: ProviderName;
}

export interface NewMessage {
  channel_url: string;
  type: MessageType;
  user_id: string | null;
  message: string;
  /** Idempotency key, scoped to (channel, user). A repeat returns the stored original. */
  req_id?: string | null;
  custom_type?: string | null;
  data?: Record<string, unknown> | null;
  file?: FileInfo | null;
  /** Original time (migrations); defaults to now. Such an import is not a `message.sent` event (@since 0.4). */
  created_at?: string;
  /** Caller-chosen id (migrations use the source id, so a re-run stores nothing twice). */
  message_id?: string;
}

export interface AppendResult {
  message: StoredMessage;
  /** True when the req_id (or message_id) was already stored: `message` is the original. */
  duplicate: boolean;
}

export interface ListChannelsOptions {
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** Case-insensitive substring of channel_url or name. */
  q?: string;
  provider?: ProviderName;
}

export interface MessageRange {
  /** Messages with seq > afterSeq, oldest first. */
  afterSeq?: number;
  /** Messages with seq < beforeSeq, the newest `limit` of them. */
  beforeSeq?: number;
  limit: number;
  /** Leave out log entries (edits/deletes): history shows their effect on the targets instead. */
  messagesOnly?: boolean;
}

/** @since 0.3 A page of a user's channels, most recently active first. */
export interface ListUserChannelsOptions {
  limit: number;
  /** Opaque cursor from a previous page (INVALID_DATA when it is not one). */
  cursor?: string;
  /**
   * @since 0.3 Start after this key instead of a cursor (channels strictly older in the list's
   * order): how ChatService pages a list it merges with another provider's channels.
   */
  after?: { lastActivityAt: string; channelUrl: string };
  customType?: string;
  /** Case-sensitive prefix of the channel name. */
  namePrefix?: string;
  /** Only channels with unread messages. */
  unreadOnly?: boolean;
  provider?: ProviderName;
}

/** @since 0.3 One inbox entry: the channel, its newest message and the user's read state. */
export interface InboxRow {
  channel: StoredChannel;
  /** Newest message (not an edit/delete entry); a tombstone when it was deleted; null when none. */
  last_message: StoredMessage | null;
  unread_count: number;
  last_read_seq: number;
  joined_at: string;
}

/** @since 0.5 A full-text search: every whitespace-separated term must occur in the text. */
export interface SearchOptions {
  /** 1..200 characters (the protocol checks); terms are matched as case-insensitive substrings. */
  query: string;
  limit: number;
  /** Opaque cursor from a previous page (INVALID_DATA when it is not one). */
  cursor?: string;
}

/** @since 0.5 Matching messages, newest first, and the cursor of the next page (null = last). */
export interface SearchPage {
  messages: StoredMessage[];
  nextCursor: string | null;
}

/** @since 0.5 A pinned message of a channel. */
export interface StoredPin {
  channel_url: string;
  seq: number;
  /** Who pinned it; null = a privileged caller (API key, admin). */
  pinned_by: string | null;
  pinned_at: string;
  /** The message as it is now. */
  message: StoredMessage;
}

/** INVALID_DATA: the message cannot be stored as given (e.g. data too deep to serialise). */
export type StoreErrorCode =
  | "CHANNEL_NOT_FOUND"
  | "CHANNEL_EXISTS"
  | "STORE_UNAVAILABLE"
  | "INVALID_DATA"
  | "MESSAGE_NOT_FOUND"
  | "NOT_AUTHOR";

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StoreError";
  }
  get retryable(): boolean {
    return this.code === "STORE_UNAVAILABLE";
  }
}

/**
 * Durable channels, members and messages. `appendMessage` assigns the per-channel `seq` (1, 2, 3 …
 * with no gap, also under concurrent writers) and resolves only once the message is durable.
 * Results are always in ascending seq. Every call naming a channel that does not exist fails with
 * CHANNEL_NOT_FOUND (`isMember` answers false, `getChannel` null, `deleteChannel` false). Text
 * holding NUL (U+0000) is refused with INVALID_DATA where the database cannot keep it (PostgreSQL).
 */
export interface MessageStore {
  readonly driver: "sqlite" | "postgres";
  /** Applies pending schema migrations; idempotent. */
  migrate(): Promise<void>;
  createChannel(input: NewChannel): Promise<StoredChannel>;
  getChannel(channelUrl: string): Promise<StoredChannel | null>;
  /** How many channels live on each provider (the admin's totals; one query, not a listing). */
  countChannels(): Promise<Record<ProviderName, number>>;
  listChannels(
    options: ListChannelsOptions,
  ): Promise<{ channels: StoredChannel[]; nextCursor: string | null }>;
  updateChannel(channelUrl: string, patch: ChannelPatch): Promise<StoredChannel>;
  /** Deletes the channel with its members, messages, read marks, moderation and files; false when it did not exist. */
  deleteChannel(channelUrl: string): Promise<boolean>;
  /** Adds members (existing ones are kept); returns the channel after the change. */
  addMembers(channelUrl: string, userIds: string[]): Promise<StoredChannel>;
  removeMembers(channelUrl: string, userIds: string[]): Promise<StoredChannel>;
  listMembers(channelUrl: string): Promise<string[]>;
  isMember(channelUrl: string, userId: string): Promise<boolean>;
  appendMessage(input: NewMessage): Promise<AppendResult>;
  listMessages(channelUrl: string, range: MessageRange): Promise<StoredMessage[]>;
  /** One message (not a log entry) by seq, or null. */
  getMessage(channelUrl: string, seq: number): Promise<StoredMessage | null>;
  /**
   * Edits a message and appends a MESSAGE_UPDATED entry in one transaction. MESSAGE_NOT_FOUND when
   * the seq is not a live (undeleted) message, NOT_AUTHOR when `require_author` does not match.
   */
  editMessage(input: EditInput): Promise<ChangeResult>;
  /** Turns a message into a tombstone and appends a MESSAGE_DELETED entry, in one transaction. */
  deleteMessage(input: DeleteInput): Promise<ChangeResult>;
  /**
   * Moves the member's read mark forward to `seq` (clamped to last_seq; never backwards). Unread
   * counts messages after the mark that are not deleted and not the member's own; it is kept as
   * a counter per member, so reading it does not scan messages.
   */
  markRead(channelUrl: string, userId: string, seq: number): Promise<ReadMark>;
  readMark(channelUrl: string, userId: string): Promise<ReadMark>;
  /** Every member with its read mark (0 when it never read). */
  readState(channelUrl: string): Promise<Array<{ user_id: string; last_read_seq: number }>>;
  /**
   * @since 0.3 Sum of the user's unread counts over all their channels (one indexed query); with
   * `provider`, over the channels living on that provider only.
   */
  totalUnread(userId: string, options?: { provider?: ProviderName }): Promise<number>;
  /** @since 0.3 The user's channels, most recently active first (ties by channel_url, descending). */
  listUserChannels(
    userId: string,
    options: ListUserChannelsOptions,
  ): Promise<{ rows: InboxRow[]; nextCursor: string | null }>;
  /** @since 0.3 Every channel the user is a member of (ascending). */
  userChannelUrls(userId: string): Promise<string[]>;
  getModeration(channelUrl: string): Promise<StoredModeration>;
  /** Bans or mutes users until `until` (null = until lifted); a repeat replaces the end. */
  restrict(channelUrl: string, kind: RestrictionKind, userIds: string[], until: string | null): Promise<void>;
  unrestrict(channelUrl: string, kind: RestrictionKind, userId: string): Promise<void>;
  setFrozen(channelUrl: string, frozen: boolean): Promise<void>;
  addOperators(channelUrl: string, userIds: string[]): Promise<void>;
  removeOperators(channelUrl: string, userIds: string[]): Promise<void>;
  saveFile(file: StoredFile): Promise<void>;
  getFile(fileId: string): Promise<StoredFile | null>;
  /**
   * @since 0.4 Records that the user's tokens issued before `revokedAt` (ISO time) are refused; a
   * later revocation replaces an earlier one, never the reverse. Returns the time now stored.
   */
  revokeTokens(userId: string, revokedAt: string): Promise<string>;
  /** @since 0.4 Revocations made at or after `since` (ISO time), in no particular order. */
  listTokenRevocations(since: string): Promise<TokenRevocation[]>;
  /**
   * @since 0.5 The channel's messages (not log entries, not deleted) whose current text holds
   * every term of the query, newest (greatest seq) first. Terms of 1–2 characters are matched
   * only among the channel's newest SHORT_TERM_WINDOW messages (see docs/decisions.md).
   */
  searchMessages(channelUrl: string, options: SearchOptions): Promise<SearchPage>;
  /**
   * @since 0.5 The same over every channel the user is a member of, newest (`created_at`) first.
   * Not CHANNEL_NOT_FOUND: a user of no channel finds nothing.
   */
  searchUserMessages(userId: string, options: SearchOptions): Promise<SearchPage>;
  /**
   * @since 0.5 Pins a live message (MESSAGE_NOT_FOUND otherwise); `created` false when it was
   * pinned already (the pin is kept as it was). At most MAX_PINS per channel (INVALID_DATA past it).
   */
  pinMessage(
    channelUrl: string,
    seq: number,
    by: string | null,
  ): Promise<{ pin: StoredPin; created: boolean }>;
  /** @since 0.5 Unpins (`by`: who, for the change's record); the pin as it was, or null when it was not pinned. */
  unpinMessage(channelUrl: string, seq: number, by?: string | null): Promise<StoredPin | null>;
  /** @since 0.5 The channel's pins, most recently pinned first; deleted messages are left out. */
  listPins(channelUrl: string): Promise<StoredPin[]>;
  /** @since 0.4 Appends one audit log entry (its id is given: see audit/audit-id.ts). */
  appendAudit(entry: StoredAuditLogEntry): Promise<void>;
  /** @since 0.4 Audit entries matching the filter, newest (greatest id) first. */
  listAudit(filter: AuditLogFilter): Promise<StoredAuditLogEntry[]>;
  /** @since 0.4 Deletes the entries older than `before` (an ISO time); answers how many. */
  pruneAudit(before: string): Promise<number>;
  /** Resolves when every accepted write is durable (used on drain). */
  flush(): Promise<void>;
  /**
   * @since 0.4 The recorder every committed change is told about, inside its transaction (the
   * webhooks' outbox); null = none (the default: changes cost nothing extra).
   */
  recordChanges(recorder: ChangeRecorder | null): void;
  /** @since 0.4 The webhooks' durable outbox. */
  readonly webhookOutbox: WebhookOutbox;
  /** @since 0.5 Push devices and mutes (push/). */
  readonly push: PushStore;
  /** @since 0.4 The events feed's numbered log (written when the recorder adds feed entries). */
  readonly eventLog: EventLog;
  /** Pings the backing database (readiness). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

export type { AuditLogFilter, StoredAuditLogEntry } from "./audit-records.ts";

/** @since 0.4 One event of the feed: its position and the webhook body. */
export interface EventLogRow {
  position: number;
  payload: string;
}

/** @since 0.4 The events feed's log: positions 1, 2, 3 … with no gap, visible in order. */
export interface EventLog {
  /** Up to `limit` events with position > after, in order. */
  read(after: number, limit: number): Promise<EventLogRow[]>;
  /** The oldest position kept (last + 1 when none is) and the last one given. */
  bounds(): Promise<{ oldest: number; last: number }>;
  /** Deletes events created before `before` (ISO-8601); how many. */
  prune(before: string): Promise<number>;
}

/**
 * A change the store commits, as it tells the recorder (inside the change's own transaction, so
 * the outbox rows commit or roll back with it). @since 0.4
 */
export type StoreChange =
  | { type: "message.sent"; message: StoredMessage }
  | { type: "message.updated" | "message.deleted"; change: ChangeResult }
  /** @since 0.5 `user_id`: who pinned or unpinned; null = a privileged caller. */
  | { type: "message.pinned" | "message.unpinned"; pin: StoredPin; user_id: string | null }
  | { type: "channel.created"; channel: StoredChannel; user_ids: string[] }
  | { type: "channel.updated"; channel: StoredChannel; changed: string[] }
  | { type: "channel.deleted"; channel: StoredChannel }
  | { type: "member.added" | "member.removed"; channel: StoredChannel; user_ids: string[] }
  | {
      type: "moderation.banned" | "moderation.muted";
      channel_url: string;
      user_ids: string[];
      until: string | null;
    }
  | {
      type:
        | "moderation.unbanned"
        | "moderation.unmuted"
        | "moderation.operators_added"
        | "moderation.operators_removed";
      channel_url: string;
      user_ids: string[];
    }
  | { type: "moderation.frozen" | "moderation.unfrozen"; channel_url: string }
  | { type: "read.updated"; mark: ReadMark };

/**
 * The pseudo endpoint id of the events feed: an entry with it is written to `event_log` (numbered)
 * instead of the outbox. Endpoint ids cannot contain `~`, so it never collides. @since 0.4
 */
export const FEED_ENDPOINT = "~feed";

/** One outbox row: an event for one endpoint (or for the feed: {@link FEED_ENDPOINT}). `payload` is the exact request body. */
export interface OutboxEntry {
  endpoint_id: string;
  event_id: string;
  channel_url: string;
  type: WebhookEventType;
  payload: string;
  created_at: string;
}

/**
 * Turns committed changes into outbox rows (the webhooks' recorder). `wants` is asked first, so a
 * change no endpoint subscribes to costs one function call and nothing is built or written.
 */
export interface ChangeRecorder {
  wants(type: WebhookEventType): boolean;
  entries(change: StoreChange): OutboxEntry[];
  /** Told (outside any transaction, after commit where the store knows it) that rows were written. */
  recorded?(): void;
}
