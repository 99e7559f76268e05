import * as z from "zod/mini";
import {
  InboxAddedFrame,
  InboxMessageFrame,
  InboxModerationFrame,
  InboxPageFrame,
  InboxReadFrame,
  InboxRemovedFrame,
  InboxUpdatedFrame,
  ReadyFrame,
  SubscribedFrame,
  UnsubscribedFrame,
} from "./inbox.ts";
import {
  AckFrame,
  ConnectedFrame,
  ErrorFrame,
  MessageDeletedFrame,
  MessageFrame,
  MessageUpdatedFrame,
  ModerationFrame,
  PongFrame,
  ReadReceiptFrame,
  TypingFrame,
  UserJoinedFrame,
  UserLeftFrame,
} from "./server-frames.ts";
import { MessagePinnedFrame, MessageUnpinnedFrame } from "./search-pins.ts";

/** What a channel says on either socket endpoint (on the user connection with `channel_url`). */
const channelEvents = [
  MessageFrame,
  MessageUpdatedFrame,
  MessageDeletedFrame,
  ReadReceiptFrame,
  TypingFrame,
  ModerationFrame,
  UserJoinedFrame,
  UserLeftFrame,
] as const;
/** Answers to the client's own frames, on either endpoint. */
const replies = [AckFrame, ErrorFrame, PongFrame] as const;
/** The user connection's own frames. */
const userFrames = [
  ReadyFrame,
  SubscribedFrame,
  UnsubscribedFrame,
  InboxPageFrame,
  InboxMessageFrame,
  InboxReadFrame,
  InboxAddedFrame,
  InboxRemovedFrame,
  InboxUpdatedFrame,
  InboxModerationFrame,
] as const;

/** Every frame the per-channel endpoint sends (the seed's socket and its 0.2 additions). */
export const ChannelServerFrame = z.discriminatedUnion("type", [
  ...channelEvents,
  ConnectedFrame,
  ...replies,
]);
export type ChannelServerFrame = z.infer<typeof ChannelServerFrame>;

/**
 * Every frame a server sends, by `type`; an unknown `type` fails (clients should ignore such frames,
 * not crash). @since 0.2 as a schema; @since 0.3 the user connection's frames; @since 0.5 the pin
 * frames (sent on both endpoints, yet kept out of the two unions below that the SDK core validates).
 */
export const ServerFrame = z.discriminatedUnion("type", [
  ...channelEvents,
  ConnectedFrame,
  ...replies,
  ...userFrames,
  MessagePinnedFrame,
  MessageUnpinnedFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/**
 * Every frame the user connection (`/api/v1/chat/ws`) sends: the per-channel endpoint's frames but
 * CONNECTED (each carrying `channel_url` where it names a channel), and the user connection's own.
 * @since 0.3
 */
export const UserServerFrame = z.discriminatedUnion("type", [...channelEvents, ...replies, ...userFrames]);
export type UserServerFrame = z.infer<typeof UserServerFrame>;

/** Validates a server frame; unknown `type`s fail (clients should ignore them, not crash). */
export function parseServerFrame(
  value: unknown,
): { success: true; data: ServerFrame } | { success: false; error: string } {
  const r = ServerFrame.safeParse(value);
  return r.success ? { success: true, data: r.data } : { success: false, error: r.error.message };
}
