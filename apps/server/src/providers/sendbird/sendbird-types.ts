import * as z from "zod";

// Response shapes of the Sendbird Platform API v3, as far as podchat reads them. Loose objects:
// Sendbird adds fields over time, and the client must not break on them.

export const SendbirdUser = z.looseObject({
  user_id: z.string(),
  nickname: z.string().default(""),
  profile_url: z.string().default(""),
});
export type SendbirdUser = z.infer<typeof SendbirdUser>;

export const SendbirdMember = z.looseObject({
  user_id: z.string(),
  nickname: z.string().default(""),
  profile_url: z.string().default(""),
  /** "joined" or "invited". */
  state: z.string().optional(),
});
export type SendbirdMember = z.infer<typeof SendbirdMember>;

export const SendbirdMessage = z.looseObject({
  /** "MESG", "FILE" or "ADMM". */
  type: z.string(),
  message_id: z.number().int(),
  message: z.string().default(""),
  custom_type: z.string().default(""),
  /** Opaque string on Sendbird; podchat stores JSON objects in it. */
  data: z.string().default(""),
  channel_url: z.string(),
  /** Unix milliseconds. */
  created_at: z.number(),
  /** Absent on admin messages. */
  user: z.looseObject({ user_id: z.string() }).nullish(),
  /** File messages (sent by SDK clients). */
  file: z
    .looseObject({
      url: z.string(),
      name: z.string().default(""),
      type: z.string().default(""),
      size: z.number().int().default(0),
    })
    .nullish(),
});
export type SendbirdMessage = z.infer<typeof SendbirdMessage>;

export const SendbirdGroupChannel = z.looseObject({
  channel_url: z.string(),
  name: z.string().default(""),
  cover_url: z.string().default(""),
  custom_type: z.string().default(""),
  data: z.string().default(""),
  member_count: z.number().int().default(0),
  joined_member_count: z.number().int().optional(),
  /** Unix seconds for group channels (messages use milliseconds). */
  created_at: z.number(),
  last_message: SendbirdMessage.nullish(),
  /** Present when asked for with `show_member=true`. */
  members: z.array(SendbirdMember).optional(),
});
export type SendbirdGroupChannel = z.infer<typeof SendbirdGroupChannel>;

export const SendbirdChannelList = z.looseObject({
  channels: z.array(SendbirdGroupChannel),
  /** Token of the next page; empty when this is the last one. */
  next: z.string().default(""),
});
export type SendbirdChannelList = z.infer<typeof SendbirdChannelList>;

export const SendbirdMemberList = z.looseObject({
  members: z.array(SendbirdMember),
  next: z.string().default(""),
});
export type SendbirdMemberList = z.infer<typeof SendbirdMemberList>;

export const SendbirdMessageList = z.looseObject({
  messages: z.array(SendbirdMessage),
});
export type SendbirdMessageList = z.infer<typeof SendbirdMessageList>;

/** Sendbird's error body. */
export const SendbirdErrorBody = z.looseObject({
  error: z.boolean().optional(),
  code: z.number().int(),
  message: z.string().default(""),
});

export const EmptyResponse = z.unknown();
