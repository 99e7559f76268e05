import * as z from "zod/mini";
import { ChannelUrl, CustomType, DataObject, FileInfo, Limits, ReqId } from "./common.ts";
import { InboxListFrame, SubscribeFrame, UnsubscribeFrame } from "./inbox.ts";

/**
 * The channel a frame is for. Required on the user connection (@since 0.3), which carries many
 * channels; the per-channel endpoint ignores it (a socket there is bound to its URL's channel).
 */
const channelField = z.optional(ChannelUrl);

const messageText = z.string().check(z.maxLength(Limits.messageMax));

/**
 * `{"type":"MESG","message":"안녕하세요!"}` — the seed's send frame.
 * @since 0.1 `req_id` (idempotent resend and ACK), `custom_type`, `data`.
 */
export const SendMesgFrame = z.object({
  type: z.literal("MESG"),
  channel_url: channelField,
  message: messageText.check(z.minLength(1)),
  req_id: z.optional(ReqId),
  custom_type: z.optional(CustomType),
  data: z.optional(DataObject),
});

/** FILE and IMAGE frames: the seed's `message` (caption or url) plus an optional `file`. */
export const SendFileFrame = z.object({
  type: z.enum(["FILE", "IMAGE"]),
  channel_url: channelField,
  message: z.optional(messageText),
  file: z.optional(FileInfo),
  req_id: z.optional(ReqId),
  custom_type: z.optional(CustomType),
  data: z.optional(DataObject),
});

/** Application-level heartbeat; the server answers PONG with the same `ts`. */
export const PingFrame = z.object({
  type: z.literal("PING"),
  ts: z.optional(z.number()),
});

/** Marks the channel read up to `seq` (inclusive) for the sending member. @since 0.2 */
export const ReadFrame = z.object({
  type: z.literal("READ"),
  channel_url: channelField,
  seq: z.int().check(z.gte(0)),
});

/** Typing indicator; never stored; the server expires a start by itself after a few seconds. @since 0.2 */
export const TypingStartFrame = z.object({ type: z.literal("TYPING_START"), channel_url: channelField });
export const TypingStopFrame = z.object({ type: z.literal("TYPING_STOP"), channel_url: channelField });

/** Edits one's own message (the one with `target_seq`). @since 0.2 */
export const EditFrame = z.object({
  type: z.literal("EDIT"),
  channel_url: channelField,
  target_seq: z.int().check(z.gte(1)),
  message: messageText.check(z.minLength(1)),
  data: z.optional(DataObject),
  req_id: z.optional(ReqId),
});

/** Deletes one's own message: it becomes a tombstone, so seqs stay gap-free. @since 0.2 */
export const DeleteFrame = z.object({
  type: z.literal("DELETE"),
  channel_url: channelField,
  target_seq: z.int().check(z.gte(1)),
  req_id: z.optional(ReqId),
});

export const ClientFrame = z.discriminatedUnion("type", [
  SendMesgFrame,
  SendFileFrame,
  PingFrame,
  ReadFrame,
  TypingStartFrame,
  TypingStopFrame,
  EditFrame,
  DeleteFrame,
  SubscribeFrame,
  UnsubscribeFrame,
  InboxListFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type SendMesgFrame = z.infer<typeof SendMesgFrame>;
export type SendFileFrame = z.infer<typeof SendFileFrame>;
export type SendFrame = SendMesgFrame | SendFileFrame;
export type PingFrame = z.infer<typeof PingFrame>;
export type ReadFrame = z.infer<typeof ReadFrame>;
export type EditFrame = z.infer<typeof EditFrame>;
export type DeleteFrame = z.infer<typeof DeleteFrame>;

/** Every `type` a client may send. */
export const clientFrameTypes = [
  "MESG",
  "FILE",
  "IMAGE",
  "PING",
  "READ",
  "TYPING_START",
  "TYPING_STOP",
  "EDIT",
  "DELETE",
  "SUBSCRIBE",
  "UNSUBSCRIBE",
  "INBOX_LIST",
] as const;
