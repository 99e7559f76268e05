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
  /** "operator" for the channel's operators, "" otherwise. */
  role: z.string().optional(),
  is_muted: z.boolean().optional(),
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
  /** Unix milliseconds of the last update; 0 when never updated. */
  updated_at: z.number().optional(),
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
  thumbnails: z.array(z.looseObject({ url: z.string() })).nullish(),
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
  /** Frozen: only operators may chat. */
  freeze: z.boolean().default(false),
  /** With `show_read_receipt=true`: user id → Unix ms of the member's last read. */
  read_receipt: z.record(z.string(), z.number()).optional(),
});
export type SendbirdGroupChannel = z.infer<typeof SendbirdGroupChannel>;

export const SendbirdChannelList = z.looseObject({
  channels: z.array(SendbirdGroupChannel),
  /** Token of the next page; empty when this is the last one. */
  next: z.string().default(""),
});
export type SendbirdChannelList = z.infer<typeof SendbirdChannelList>;

/**
 * A channel as "List group channels by user" answers it: the group channel plus the user's own
 * state in it. `unread_message_count` is the user's unread count; `user_last_read` the Unix ms of
 * the user's last read (0 when never).
 */
export const SendbirdMyGroupChannel = SendbirdGroupChannel.extend({
  unread_message_count: z.number().int().min(0).default(0),
  member_state: z.string().optional(),
  user_last_read: z.number().optional(),
});
export type SendbirdMyGroupChannel = z.infer<typeof SendbirdMyGroupChannel>;

export const SendbirdMyGroupChannelList = z.looseObject({
  channels: z.array(SendbirdMyGroupChannel),
  next: z.string().default(""),
});
export type SendbirdMyGroupChannelList = z.infer<typeof SendbirdMyGroupChannelList>;

export const SendbirdMemberList = z.looseObject({
  members: z.array(SendbirdMember),
  next: z.string().default(""),
});
export type SendbirdMemberList = z.infer<typeof SendbirdMemberList>;

export const SendbirdMessageList = z.looseObject({
  messages: z.array(SendbirdMessage),
});
export type SendbirdMessageList = z.infer<typeof SendbirdMessageList>;

const SendbirdBriefUser = z.looseObject({ user_id: z.string() });

/** A ban ("Ban a member from a group channel", "List banned members"): Unix ms. */
export const SendbirdBan = z.looseObject({
  user: SendbirdBriefUser,
  start_at: z.number(),
  end_at: z.number(),
  description: z.string().default(""),
});
export type SendbirdBan = z.infer<typeof SendbirdBan>;

export const SendbirdBanList = z.looseObject({
  banned_list: z.array(SendbirdBan),
  next: z.string().default(""),
});
export type SendbirdBanList = z.infer<typeof SendbirdBanList>;

/** A muted member; `end_at` is Unix ms, -1 = until unmuted. */
const SendbirdMute = z.looseObject({
  user_id: z.string(),
  end_at: z.number().default(-1),
  description: z.string().default(""),
});

export const SendbirdMuteList = z.looseObject({
  muted_list: z.array(SendbirdMute),
  next: z.string().default(""),
});
export type SendbirdMuteList = z.infer<typeof SendbirdMuteList>;

export const SendbirdOperatorList = z.looseObject({
  operators: z.array(SendbirdBriefUser),
  next: z.string().default(""),
});
export type SendbirdOperatorList = z.infer<typeof SendbirdOperatorList>;

/** "Get number of unread messages per member": user id → count. */
export const SendbirdUnreadCounts = z.looseObject({
  unread: z.record(z.string(), z.number().int()),
});

/** Sendbird's error body. */
export const SendbirdErrorBody = z.looseObject({
  error: z.boolean().optional(),
  code: z.number().int(),
  message: z.string().default(""),
});

export const EmptyResponse = z.unknown();
