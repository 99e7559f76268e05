import * as z from "zod/mini";
import { CustomType, DataObject, FileInfo, MessageType, Seq, Timestamp, WireUserId } from "./common.ts";

export { isMessageFrame, messageFrameTypes } from "./frame-kinds.ts";

/**
 * A stored message as every member receives it. The seed's fields (`type`, `channel_url`,
 * `user_id`, `message`, `timestamp`) come first and keep their types.
 * @since 0.1 `message_id`, `seq` (per-channel, gap-free), `custom_type`, `data`, `file`.
 */
export const MessageFrame = z.object({
  type: MessageType,
  channel_url: z.string(),
  /** Sender; absent on admin messages sent without a user. */
  user_id: z.optional(z.nullable(WireUserId)),
  message: z.string(),
  timestamp: Timestamp,
  message_id: z.string(),
  seq: Seq,
  custom_type: z.optional(CustomType),
  data: z.optional(DataObject),
  file: z.optional(FileInfo),
  /** @since 0.2 Set once the message was edited (the text is the edited one). */
  edited_at: z.optional(Timestamp),
  /** @since 0.2 A deleted message stays as a tombstone: `deleted: true`, `message: ""`, no data/file. */
  deleted: z.optional(z.boolean()),
});
export type MessageFrame = z.infer<typeof MessageFrame>;

/**
 * An edit, as an entry of the channel's seq log (`seq` is the entry's own, `target_seq` the edited
 * message's), so resuming from `since_seq` replays edits too. History shows the target edited.
 * @since 0.2
 */
export const MessageUpdatedFrame = z.object({
  type: z.literal("MESSAGE_UPDATED"),
  channel_url: z.string(),
  seq: Seq,
  target_seq: Seq,
  message_id: z.string(),
  user_id: z.optional(z.nullable(WireUserId)),
  message: z.string(),
  data: z.optional(DataObject),
  edited_at: Timestamp,
});
export type MessageUpdatedFrame = z.infer<typeof MessageUpdatedFrame>;

/** A deletion, as an entry of the seq log; the target becomes a tombstone. @since 0.2 */
export const MessageDeletedFrame = z.object({
  type: z.literal("MESSAGE_DELETED"),
  channel_url: z.string(),
  seq: Seq,
  target_seq: Seq,
  message_id: z.string(),
  user_id: z.optional(z.nullable(WireUserId)),
  deleted_at: Timestamp,
});
export type MessageDeletedFrame = z.infer<typeof MessageDeletedFrame>;

/** A member read the channel up to `seq`. Not part of the seq log. @since 0.2 */
export const ReadReceiptFrame = z.object({
  type: z.literal("READ_RECEIPT"),
  channel_url: z.string(),
  user_id: WireUserId,
  seq: Seq,
  timestamp: Timestamp,
});
export type ReadReceiptFrame = z.infer<typeof ReadReceiptFrame>;

/** Someone started or stopped typing; a start expires by itself after `expires_in_ms`. @since 0.2 */
export const TypingFrame = z.object({
  type: z.literal("TYPING"),
  channel_url: z.string(),
  user_id: WireUserId,
  typing: z.boolean(),
  expires_in_ms: z.optional(z.int()),
});
export type TypingFrame = z.infer<typeof TypingFrame>;

export const ModerationAction = z.enum([
  "ban",
  "unban",
  "mute",
  "unmute",
  "freeze",
  "unfreeze",
  "operator_add",
  "operator_remove",
]);
export type ModerationAction = z.infer<typeof ModerationAction>;

/** A moderation change in the channel. @since 0.2 */
export const ModerationFrame = z.object({
  type: z.literal("MODERATION"),
  channel_url: z.string(),
  action: ModerationAction,
  user_id: z.optional(WireUserId),
  /** End of a timed ban or mute; null = until lifted. */
  until: z.optional(z.nullable(Timestamp)),
  timestamp: Timestamp,
});
export type ModerationFrame = z.infer<typeof ModerationFrame>;

export const UserJoinedFrame = z.object({
  type: z.literal("USER_JOINED"),
  channel_url: z.string(),
  user_id: WireUserId,
  timestamp: Timestamp,
});
export type UserJoinedFrame = z.infer<typeof UserJoinedFrame>;

/** @since 0.1 `timestamp` (the seed's USER_LEFT has none; it is added, never required). */
export const UserLeftFrame = z.object({
  type: z.literal("USER_LEFT"),
  channel_url: z.string(),
  user_id: WireUserId,
  timestamp: z.optional(Timestamp),
});
export type UserLeftFrame = z.infer<typeof UserLeftFrame>;

/**
 * First frame after a successful join. `last_seq` is the channel's newest seq when the socket was
 * admitted. `gap` is set when the server did not replay everything after `since_seq` (too many
 * missed, or history trimmed): the client fetches `from_seq..to_seq` through the history API.
 */
export const ConnectedFrame = z.object({
  type: z.literal("CONNECTED"),
  channel_url: z.string(),
  user_id: WireUserId,
  connection_id: z.string(),
  last_seq: Seq,
  since_seq: z.optional(Seq),
  gap: z.optional(z.object({ from_seq: Seq, to_seq: Seq })),
  /** Interval at which the server pings; a client that hears nothing for ~2× this may reconnect. */
  heartbeat_ms: z.int(),
  server_time: Timestamp,
});
export type ConnectedFrame = z.infer<typeof ConnectedFrame>;

/** Sent to the sender once its message is durable in the store (only for sends with `req_id`). */
export const AckFrame = z.object({
  type: z.literal("ACK"),
  req_id: z.string(),
  message_id: z.string(),
  seq: Seq,
  timestamp: Timestamp,
  /** True when this `req_id` had been stored before: the original is acknowledged again. */
  duplicate: z.optional(z.boolean()),
  /**
   * @since 0.4 The stored text, present only when it differs from what was sent (a pre-store
   * message hook rewrote it, e.g. masked a word): replace the optimistic local copy with it.
   */
  message: z.optional(z.string()),
});
export type AckFrame = z.infer<typeof AckFrame>;

/** A refusal or a per-frame error. The socket stays open unless a close follows. */
export const ErrorFrame = z.object({
  type: z.literal("ERROR"),
  code: z.string(),
  message: z.string(),
  req_id: z.optional(z.string()),
  retry_after_ms: z.optional(z.int()),
  /** Set when the server closes the socket right after this frame. */
  close_code: z.optional(z.int()),
  /** @since 0.3 The channel a refusal is about, on the user connection (the socket stays). */
  channel_url: z.optional(z.string()),
});
export type ErrorFrame = z.infer<typeof ErrorFrame>;

export const PongFrame = z.object({
  type: z.literal("PONG"),
  ts: z.optional(z.number()),
});
export type PongFrame = z.infer<typeof PongFrame>;

/**
 * An entry of a channel's seq log: a message, an edit or a deletion (what history returns with
 * `include_changes=true`). @since 0.2
 */
export const SeqLogEntry = z.discriminatedUnion("type", [
  MessageFrame,
  MessageUpdatedFrame,
  MessageDeletedFrame,
]);
export type SeqLogEntry = z.infer<typeof SeqLogEntry>;
