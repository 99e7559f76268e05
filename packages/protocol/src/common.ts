import * as z from "zod/mini";

/** Protocol limits that are part of the contract (servers may configure lower ones). */
export const Limits = {
  channelUrlMax: 100,
  userIdMax: 64,
  reqIdMax: 64,
  customTypeMax: 128,
  messageMax: 16_000,
  nameMax: 200,
  userIdsPerRequest: 100,
  historyPageMax: 200,
} as const;

/** Channel urls are path segments: letters, digits, `_`, `-`, `.`. */
export const ChannelUrl = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(Limits.channelUrlMax),
    z.regex(/^[A-Za-z0-9_.-]+$/, "channel_url may contain only letters, digits, '_', '-' and '.'"),
  );

/** Any C0 control character or DEL (@since 0.5 exported: search queries refuse them too). */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** A user id as stored: a non-empty string without control characters. */
export const UserIdString = z.string().check(
  z.minLength(1),
  z.maxLength(Limits.userIdMax),
  z.refine((s) => !hasControlCharacter(s), "user id may not contain control characters"),
);

/** A user id as accepted in bodies: string or non-negative integer, normalised to a string. */
export const UserIdInput = z.pipe(
  z.union([UserIdString, z.int().check(z.gte(0))]),
  z.transform((v) => String(v)),
);

/**
 * A user id on the wire. The seed sends numeric ids as JSON numbers (`"user_id": 1`), so ids made of
 * digits that fit a safe integer are numbers and all others strings. Use {@link wireUserId}.
 */
export const WireUserId = z.union([z.number(), z.string()]);
export type WireUserId = z.infer<typeof WireUserId>;

/** The JSON form of a stored user id: a number for canonical numeric ids, else the string. */
export function wireUserId(id: string): WireUserId {
  if (/^(0|[1-9][0-9]{0,15})$/.test(id)) {
    const n = Number(id);
    if (Number.isSafeInteger(n)) return n;
  }
  return id;
}

export const ReqId = z.string().check(z.minLength(1), z.maxLength(Limits.reqIdMax));
export const CustomType = z.string().check(z.maxLength(Limits.customTypeMax));
/** Free-form JSON object attached to channels and messages. */
export const DataObject = z.record(z.string(), z.unknown());
export const Seq = z.int().check(z.gte(0));
/** ISO-8601 timestamp as produced by `Date.prototype.toISOString()`. */
export const Timestamp = z.string();

/** File attachment of FILE and IMAGE messages. */
export const FileInfo = z.object({
  url: z.string().check(z.minLength(1), z.maxLength(2048)),
  name: z.string().check(z.minLength(1), z.maxLength(255)),
  size: z.int().check(z.gte(0)),
  mime_type: z.string().check(z.minLength(1), z.maxLength(255)),
  width: z.optional(z.int().check(z.gte(0))),
  height: z.optional(z.int().check(z.gte(0))),
  thumbnail_url: z.optional(z.string().check(z.maxLength(2048))),
});
export type FileInfo = z.infer<typeof FileInfo>;

export const MessageType = z.enum(["MESG", "FILE", "IMAGE", "ADMM"]);
export type MessageType = z.infer<typeof MessageType>;
