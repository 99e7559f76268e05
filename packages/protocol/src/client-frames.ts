import * as z from "zod/mini";
import { CustomType, DataObject, FileInfo, Limits, ReqId } from "./common.ts";

const messageText = z.string().check(z.maxLength(Limits.messageMax));

/**
 * `{"type":"MESG","message":"안녕하세요!"}` — the seed's send frame.
 * @since 0.1 `req_id` (idempotent resend and ACK), `custom_type`, `data`.
 */
export const SendMesgFrame = z.object({
  type: z.literal("MESG"),
  message: messageText.check(z.minLength(1)),
  req_id: z.optional(ReqId),
  custom_type: z.optional(CustomType),
  data: z.optional(DataObject),
});

/** FILE and IMAGE frames: the seed's `message` (caption or url) plus an optional `file`. */
export const SendFileFrame = z.object({
  type: z.enum(["FILE", "IMAGE"]),
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

export const ClientFrame = z.discriminatedUnion("type", [SendMesgFrame, SendFileFrame, PingFrame]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type SendMesgFrame = z.infer<typeof SendMesgFrame>;
export type SendFileFrame = z.infer<typeof SendFileFrame>;
export type SendFrame = SendMesgFrame | SendFileFrame;
export type PingFrame = z.infer<typeof PingFrame>;

/** Every `type` a client may send. */
export const clientFrameTypes = ["MESG", "FILE", "IMAGE", "PING"] as const;
