import * as z from "zod/mini";
import { ChannelUrl, CustomType, Limits, ReqId, Seq, Timestamp, WireUserId } from "./common.ts";
import { Channel, ProviderName } from "./rest.ts";
import { MessageFrame, ModerationAction, SeqLogEntry } from "./server-frames.ts";

/**
 * The user connection and the inbox (@since 0.3): one socket per user
 * (`/api/v1/chat/ws?token=JWT`) with many channel subscriptions, and the user's channel list with
 * live updates for every channel they are in, subscribed or not.
 */

/** One row of a user's channel list: the channel, its newest message and the user's read state. */
export const InboxChannel = z.extend(Channel, {
  last_message: z.nullable(MessageFrame),
  /** Messages from others after `last_read_seq` that are not deleted. */
  unread_count: z.int().check(z.gte(0)),
  last_read_seq: Seq,
  /** Time of the newest message, or the channel's creation: the list's sort key. */
  last_activity_at: Timestamp,
});
export type InboxChannel = z.infer<typeof InboxChannel>;

const queryBool = z.enum(["true", "false"]);

/** Filters and paging of a channel list, as a query string (REST) or frame fields (socket). */
export const InboxQuery = z.object({
  limit: z.optional(
    z
      .pipe(
        z.union([z.string(), z.number()]),
        z.transform((v) => Number(v)),
      )
      .check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= 100, "limit must be 1..100")),
  ),
  cursor: z.optional(z.string().check(z.maxLength(200))),
  custom_type: z.optional(CustomType),
  /** Channels whose name starts with this (exactly: case-sensitive, so an index serves it). */
  name_prefix: z.optional(z.string().check(z.minLength(1), z.maxLength(Limits.nameMax))),
  unread_only: z.optional(z.union([z.boolean(), queryBool])),
  provider: z.optional(ProviderName),
});
export type InboxQuery = z.output<typeof InboxQuery>;

/**
 * A provider whose channels are missing from an answer because asking it failed.
 * @since 0.3 (Sendbird in the inbox)
 */
export const InboxSourceError = z.object({
  provider: ProviderName,
  /** podchat's error code for the failure (PROVIDER_ERROR for outages, timeouts and rate limits). */
  code: z.string(),
  message: z.string(),
});
export type InboxSourceError = z.infer<typeof InboxSourceError>;

/** `GET /api/v1/chat/users/{user_id}/channels` and the INBOX_PAGE frame's body. */
export const InboxResponse = z.object({
  channels: z.array(InboxChannel),
  next_cursor: z.nullable(z.string()),
  /** Unread messages over all the user's channels (the badge), not only this page's. */
  total_unread: z.int().check(z.gte(0)),
  /**
   * @since 0.3 Set (true) when a provider could not be asked: `channels` and `total_unread` then
   * hold only the other providers' channels, and `errors` says which provider failed and why.
   * Absent when every provider answered.
   */
  partial: z.optional(z.boolean()),
  /** @since 0.3 One entry per provider that failed; present only with `partial`. */
  errors: z.optional(z.array(InboxSourceError)),
});
export type InboxResponse = z.infer<typeof InboxResponse>;

/** `GET /api/v1/chat/users/{user_id}/unread`. */
export const TotalUnreadResponse = z.object({
  user_id: WireUserId,
  total_unread: z.int().check(z.gte(0)),
  /** @since 0.3 As on InboxResponse: a provider failed, `total_unread` leaves its channels out. */
  partial: z.optional(z.boolean()),
  errors: z.optional(z.array(InboxSourceError)),
});
export type TotalUnreadResponse = z.infer<typeof TotalUnreadResponse>;

// Client frames on the user connection.

/** Starts receiving a channel: replay after `since_seq` (exactly once, in order), then live. */
export const SubscribeFrame = z.object({
  type: z.literal("SUBSCRIBE"),
  channel_url: ChannelUrl,
  since_seq: z.optional(z.int().check(z.gte(0))),
  req_id: z.optional(ReqId),
});
export type SubscribeFrame = z.infer<typeof SubscribeFrame>;

export const UnsubscribeFrame = z.object({
  type: z.literal("UNSUBSCRIBE"),
  channel_url: ChannelUrl,
  req_id: z.optional(ReqId),
});
export type UnsubscribeFrame = z.infer<typeof UnsubscribeFrame>;

/** Asks for a page of the user's channel list; answered by INBOX_PAGE with the same `req_id`. */
export const InboxListFrame = z.extend(InboxQuery, {
  type: z.literal("INBOX_LIST"),
  req_id: z.optional(ReqId),
});
export type InboxListFrame = z.output<typeof InboxListFrame>;

// Server frames on the user connection.

/** First frame on the user connection. */
export const ReadyFrame = z.object({
  type: z.literal("READY"),
  user_id: WireUserId,
  connection_id: z.string(),
  heartbeat_ms: z.int(),
  server_time: Timestamp,
  total_unread: z.int().check(z.gte(0)),
});
export type ReadyFrame = z.infer<typeof ReadyFrame>;

/** A subscription is live; messages after `since_seq` (up to `last_seq`) follow, then live ones. */
export const SubscribedFrame = z.object({
  type: z.literal("SUBSCRIBED"),
  channel_url: z.string(),
  last_seq: Seq,
  since_seq: z.optional(Seq),
  gap: z.optional(z.object({ from_seq: Seq, to_seq: Seq })),
  req_id: z.optional(z.string()),
});
export type SubscribedFrame = z.infer<typeof SubscribedFrame>;

/**
 * A subscription ended: asked for (with its `req_id`), or by the server with `code` (NOT_MEMBER
 * when the user was removed, BANNED, CHANNEL_DELETED). The socket stays open.
 */
export const UnsubscribedFrame = z.object({
  type: z.literal("UNSUBSCRIBED"),
  channel_url: z.string(),
  req_id: z.optional(z.string()),
  code: z.optional(z.string()),
  message: z.optional(z.string()),
});
export type UnsubscribedFrame = z.infer<typeof UnsubscribedFrame>;

export const InboxPageFrame = z.extend(InboxResponse, {
  type: z.literal("INBOX_PAGE"),
  req_id: z.optional(z.string()),
});
export type InboxPageFrame = z.infer<typeof InboxPageFrame>;

/**
 * A seq-log entry (message, edit, deletion) in one of the user's channels that this socket is not
 * subscribed to — enough to redraw and bump the row. Subscribed channels get the entry itself.
 */
export const InboxMessageFrame = z.object({
  type: z.literal("INBOX_MESSAGE"),
  channel_url: z.string(),
  entry: SeqLogEntry,
});
export type InboxMessageFrame = z.infer<typeof InboxMessageFrame>;

/** The user's read position in a channel moved (on any of their devices); exact counts. */
export const InboxReadFrame = z.object({
  type: z.literal("INBOX_READ"),
  channel_url: z.string(),
  last_read_seq: Seq,
  unread_count: z.int().check(z.gte(0)),
  total_unread: z.int().check(z.gte(0)),
});
export type InboxReadFrame = z.infer<typeof InboxReadFrame>;

/** The user was added to a channel: its row. */
export const InboxAddedFrame = z.object({
  type: z.literal("INBOX_ADDED"),
  channel: InboxChannel,
  total_unread: z.int().check(z.gte(0)),
});
export type InboxAddedFrame = z.infer<typeof InboxAddedFrame>;

/** The channel left the user's list: removed from it, or the channel was deleted. */
export const InboxRemovedFrame = z.object({
  type: z.literal("INBOX_REMOVED"),
  channel_url: z.string(),
  reason: z.enum(["removed", "deleted"]),
  total_unread: z.int().check(z.gte(0)),
});
export type InboxRemovedFrame = z.infer<typeof InboxRemovedFrame>;

/** The channel's name, data or custom type changed. */
export const InboxUpdatedFrame = z.object({
  type: z.literal("INBOX_UPDATED"),
  channel: Channel,
});
export type InboxUpdatedFrame = z.infer<typeof InboxUpdatedFrame>;

/** A moderation change in one of the user's channels (frozen, the user banned or muted …). */
export const InboxModerationFrame = z.object({
  type: z.literal("INBOX_MODERATION"),
  channel_url: z.string(),
  action: ModerationAction,
  user_id: z.optional(WireUserId),
  until: z.optional(z.nullable(Timestamp)),
  timestamp: Timestamp,
});
export type InboxModerationFrame = z.infer<typeof InboxModerationFrame>;
