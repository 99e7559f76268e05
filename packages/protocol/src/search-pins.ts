import * as z from "zod/mini";
import { hasControlCharacter, Seq, Timestamp, WireUserId } from "./common.ts";
import { MessageFrame } from "./server-frames.ts";

/** @since 0.5 Search: a query's length, a page's size. */
export const SearchLimits = { queryMax: 200, pageMax: 100, pageDefault: 20 } as const;

/**
 * `GET …/messages/search` (a channel, or a user's channels). `q`: whitespace-separated terms, each
 * found as a case-insensitive substring of the message text (all must occur); 1..200 characters,
 * no control characters, not only spaces. @since 0.5
 */
export const SearchQuery = z.object({
  q: z.string().check(
    z.minLength(1, "q must not be empty"),
    z.maxLength(SearchLimits.queryMax, `q must be at most ${SearchLimits.queryMax} characters`),
    z.refine((s) => !hasControlCharacter(s), "q must not contain control characters"),
    z.refine((s) => s.trim().length > 0, "q must hold a term, not only spaces"),
  ),
  limit: z.optional(
    z
      .pipe(
        z.string().check(z.regex(/^[0-9]{1,3}$/, "limit must be an integer")),
        z.transform((v) => Number(v)),
      )
      .check(
        z.refine((n) => n >= 1 && n <= SearchLimits.pageMax, `limit must be 1..${SearchLimits.pageMax}`),
      ),
  ),
  /** `next_cursor` of the previous page. */
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(400))),
});
export type SearchQuery = z.output<typeof SearchQuery>;

/** @since 0.5 Matching messages (each with its `channel_url`), newest first. */
export const SearchResponse = z.object({
  messages: z.array(MessageFrame),
  /** Pass as `cursor` for the next (older) page; null on the last. */
  next_cursor: z.nullable(z.string()),
});
export type SearchResponse = z.infer<typeof SearchResponse>;

/** @since 0.5 A pinned message: the message as it is now, who pinned it and when. */
export const Pin = z.object({
  channel_url: z.string(),
  seq: Seq,
  /** Null when pinned with the API key or by an admin. */
  pinned_by: z.nullable(WireUserId),
  pinned_at: Timestamp,
  message: MessageFrame,
});
export type Pin = z.infer<typeof Pin>;

/** @since 0.5 `GET …/pins`: most recently pinned first. */
export const PinsResponse = z.object({
  channel_url: z.string(),
  pins: z.array(Pin),
});
export type PinsResponse = z.infer<typeof PinsResponse>;

/**
 * @since 0.5 A message was pinned (to the channel's sockets, on both endpoints). Not in
 * ChannelServerFrame / UserServerFrame, the unions the SDK core validates with: SDKs that do not
 * know it drop it as invalid (see docs/protocol.md).
 */
export const MessagePinnedFrame = z.object({
  type: z.literal("MESSAGE_PINNED"),
  channel_url: z.string(),
  seq: Seq,
  message_id: z.string(),
  /** Who pinned it; null with the API key or an admin. */
  user_id: z.nullable(WireUserId),
  timestamp: Timestamp,
});
export type MessagePinnedFrame = z.infer<typeof MessagePinnedFrame>;

/** @since 0.5 A message was unpinned (not sent when a pinned message is deleted: MESSAGE_DELETED says it). */
export const MessageUnpinnedFrame = z.object({
  type: z.literal("MESSAGE_UNPINNED"),
  channel_url: z.string(),
  seq: Seq,
  message_id: z.string(),
  user_id: z.nullable(WireUserId),
  timestamp: Timestamp,
});
export type MessageUnpinnedFrame = z.infer<typeof MessageUnpinnedFrame>;
