import type {
  FileInfo,
  MessageDeletedFrame,
  MessageFrame,
  MessageUpdatedFrame,
  ModerationFrame,
  ReadReceiptFrame,
  SeqLogEntry,
  TypingFrame,
  UserJoinedFrame,
  UserLeftFrame,
} from "@podchat/protocol";
import type { ReconnectPolicy } from "./backoff.ts";
import type { PodchatError } from "./errors.ts";

// Bivariant handler type (as React's typings do) so the DOM's and `ws`'s richer event types fit.
type Handler<E> = { bivarianceHack(ev: E): void }["bivarianceHack"];

/** The part of a WebSocket the SDK uses: the browser's and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `ws`'s `WebSocket` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The part of `fetch` the SDK uses. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: FormData },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** HTTP(S) base of the podchat server, e.g. `http://localhost:8000`. */
  url: string;
  /** A JWT; used until the server rejects it (close 4401), then `getToken` is asked. */
  token?: string;
  /** Returns a fresh JWT; called before the first connection when no `token` is given and after 4401. */
  getToken?: () => Promise<string>;
  /** Defaults to `globalThis.WebSocket`. In Node pass `ws`'s `WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Defaults to `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Overrides of {@link defaultReconnectPolicy}. */
  reconnect?: Partial<ReconnectPolicy>;
  /** Interval of application PINGs; the socket is dead after ~2× without any frame. Default 10 000. */
  heartbeatMs?: number;
  /** Most sends waiting for acknowledgement per channel; over it `send` rejects. Default 100. */
  queueLimit?: number;
  /** Dev only: connect through the unauthenticated test endpoint as this user. */
  devUserId?: string | number;
  /** Ask `GET …/transport` which provider serves a channel before connecting. Default false. */
  discover?: boolean;
  /** How long a channel stays connected after its last `acquire` is released. Default 1000. */
  releaseDelayMs?: number;
}

/** Connection state of a channel. `status` events fire only when it changes. */
export type ChannelStatus = "connecting" | "connected" | "reconnecting" | "disconnected";

/** Options of `send`. */
export interface SendOptions {
  /** Default `MESG`. */
  type?: "MESG" | "FILE" | "IMAGE";
  customType?: string;
  data?: Record<string, unknown>;
  /** Attachment of FILE and IMAGE messages. */
  file?: FileInfo;
}

/** Options of `edit`. */
export interface EditOptions {
  /** Replaces the message's `data` when given. */
  data?: Record<string, unknown>;
}

/** Options of `upload`. */
export interface UploadOptions {
  /** File name sent to the server; default the `File`'s own name, else `"file"`. */
  name?: string;
}

/** Options of `sendFile`. */
export interface SendFileOptions extends UploadOptions {
  /** Text sent with the file (the message's `message`). */
  caption?: string;
  customType?: string;
  data?: Record<string, unknown>;
}

/**
 * An entry of the channel's seq log: a message, or an edit or deletion of an earlier one. Each has
 * its own `seq`; edits and deletions name the changed message with `target_seq`.
 */
export type LogEntry = SeqLogEntry;

/** What `send`, `edit` and `delete` resolve with once the server stored the log entry. */
export interface SendResult {
  reqId: string;
  messageId: string;
  seq: number;
  timestamp: string;
  /** The server had already stored this `req_id` (a resend after a lost ACK). */
  duplicate: boolean;
}

/**
 * Lifecycle of a send: `pending` (queued, not on the wire), `sent` (on the wire, not acknowledged),
 * `acked` (stored; removed once the message itself is delivered), `failed` (rejected for good).
 */
export type OutboxStatus = "pending" | "sent" | "acked" | "failed";

/** A snapshot of one send in the outbox. */
export interface OutboxItem {
  readonly reqId: string;
  /** `EDIT` and `DELETE` are edits and deletions of the message with seq `targetSeq`. */
  readonly type: "MESG" | "FILE" | "IMAGE" | "EDIT" | "DELETE";
  readonly message: string;
  readonly targetSeq?: number;
  readonly customType?: string;
  readonly data?: Record<string, unknown>;
  readonly file?: FileInfo;
  readonly status: OutboxStatus;
  /** Times the frame was put on the wire. */
  readonly attempts: number;
  readonly createdAt: number;
  /** Set once acknowledged. */
  readonly seq?: number;
  readonly messageId?: string;
  /** Set when failed. */
  readonly error?: PodchatError;
}

/** A range of messages the server did not replay; the SDK backfills it from history. */
export interface GapEvent {
  fromSeq: number;
  toSeq: number;
}

/** Events of a channel and their payloads. */
export interface ChannelEvents {
  /** A stored message, each exactly once, in seq order. */
  message: MessageFrame;
  userJoined: UserJoinedFrame;
  userLeft: UserLeftFrame;
  /** Something the app should know: terminal refusals, lost messages, frame errors. */
  error: PodchatError;
  status: ChannelStatus;
  /** Missing messages were detected and are being fetched through history before later ones. */
  gap: GapEvent;
  /** The outbox changed; the payload is the new snapshot. */
  outbox: readonly OutboxItem[];
  /** A message was edited (a seq-log entry: exactly once, in seq order with messages). */
  messageUpdated: MessageUpdatedFrame;
  /** A message was deleted and is now a tombstone (a seq-log entry, like `messageUpdated`). */
  messageDeleted: MessageDeletedFrame;
  /** A member read the channel up to `seq`. */
  readReceipt: ReadReceiptFrame;
  /**
   * A member started or stopped typing. A start that is not renewed expires after `expires_in_ms`
   * (5 s when absent); the SDK then emits `typing: false` itself. See `channel.typingUsers`.
   */
  typing: TypingFrame;
  /** A moderation change: ban, mute, freeze, operators. */
  moderation: ModerationFrame;
}

/** Telemetry of one channel. */
export interface ChannelStats {
  status: ChannelStatus;
  /** Last PING→PONG round trip, ms; null before the first PONG. */
  rttMs: number | null;
  /** Successful reconnections after a lost connection. */
  reconnects: number;
  /** Sockets opened after the first one. */
  reconnectAttempts: number;
  lastClose: { code: number; reason: string } | null;
  /** Sends not yet on the wire. */
  queueDepth: number;
  /** Sends on the wire, not yet acknowledged. */
  inFlight: number;
  /** Highest seq delivered to the app; null before the first connection. */
  lastSeq: number | null;
  /** Frames that failed validation and were ignored. */
  invalidFrames: number;
}

/** Telemetry of a client: totals over its channels, and each channel's own. */
export interface ClientStats {
  rttMs: number | null;
  reconnects: number;
  queueDepth: number;
  inFlight: number;
  channels: Record<string, ChannelStats>;
}

/** Options of `history`. */
export interface HistoryOptions {
  /** Messages with seq below this (older page). */
  beforeSeq?: number;
  /** Messages with seq above this (newer page). */
  afterSeq?: number;
  /** 1..200. */
  limit?: number;
  /** Also return edit/delete entries of the seq log (what gap backfill needs). */
  includeChanges?: boolean;
}
