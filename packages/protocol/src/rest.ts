import * as z from "zod/mini";
import {
  ChannelUrl,
  CustomType,
  DataObject,
  FileInfo,
  Limits,
  MessageType,
  ReqId,
  Seq,
  UserIdInput,
  WireUserId,
} from "./common.ts";
import { MessageFrame, SeqLogEntry } from "./server-frames.ts";

export const ProviderName = z.enum(["websocket", "sendbird"]);
export type ProviderName = z.infer<typeof ProviderName>;

const UserIds = z.array(UserIdInput).check(z.maxLength(Limits.userIdsPerRequest));
const Name = z.string().check(z.maxLength(Limits.nameMax));

/** `create_group_channel(channel_url, name, user_ids, data)` as the seed calls it. */
export const CreateChannelBody = z.object({
  channel_url: ChannelUrl,
  name: z.optional(Name),
  user_ids: UserIds,
  data: z.optional(DataObject),
  custom_type: z.optional(CustomType),
});
export type CreateChannelBody = z.output<typeof CreateChannelBody>;
export type CreateChannelInput = z.input<typeof CreateChannelBody>;

export const UpdateChannelBody = z.object({
  name: z.optional(Name),
  data: z.optional(DataObject),
  custom_type: z.optional(CustomType),
});
export type UpdateChannelBody = z.output<typeof UpdateChannelBody>;

export const MembersBody = z.object({
  user_ids: UserIds.check(z.minLength(1)),
});
export type MembersBody = z.output<typeof MembersBody>;

/** A server-side send: MESG/FILE/IMAGE on behalf of a member, or an admin message (ADMM). */
export const SendMessageBody = z.object({
  type: z.optional(MessageType),
  user_id: z.optional(UserIdInput),
  message: z.string().check(z.maxLength(Limits.messageMax)),
  req_id: z.optional(ReqId),
  custom_type: z.optional(CustomType),
  data: z.optional(DataObject),
  file: z.optional(FileInfo),
});
export type SendMessageBody = z.output<typeof SendMessageBody>;

export const intFromQuery = z.pipe(
  z.string().check(z.regex(/^[0-9]{1,15}$/, "must be a non-negative integer")),
  z.transform((v) => Number(v)),
);

/** History paging by seq: `before_seq` pages back, `after_seq` pages forward; neither = newest. */
export const HistoryQuery = z.object({
  before_seq: z.optional(intFromQuery),
  after_seq: z.optional(intFromQuery),
  limit: z.optional(
    intFromQuery.check(
      z.refine((n) => n >= 1 && n <= Limits.historyPageMax, `limit must be 1..${Limits.historyPageMax}`),
    ),
  ),
  /**
   * @since 0.2 `true`: the page is the channel's seq log — MESSAGE_UPDATED / MESSAGE_DELETED entries
   * are included in `messages` at their own seq, so a client backfilling a gap misses no change.
   * Default: messages only (in their current state).
   */
  include_changes: z.optional(z.enum(["true", "false"])),
});
export type HistoryQuery = z.output<typeof HistoryQuery>;

export const HistoryResponse = z.object({
  /** Ascending by seq. */
  messages: z.array(MessageFrame),
  /** More messages exist beyond this page in the direction asked. */
  has_more: z.boolean(),
  /** Pass as `before_seq` for the previous page (older), when any. */
  prev_before_seq: z.nullable(Seq),
  /** Pass as `after_seq` for the next page (newer). */
  next_after_seq: z.nullable(Seq),
});
export type HistoryResponse = z.infer<typeof HistoryResponse>;

/**
 * A history page with `include_changes=true`: `messages` is the seq log, so it holds edit and
 * deletion entries (MESSAGE_UPDATED / MESSAGE_DELETED) too. Every HistoryResponse is one. @since 0.2
 */
export const HistoryLogResponse = z.object({
  ...HistoryResponse.shape,
  messages: z.array(SeqLogEntry),
});
export type HistoryLogResponse = z.infer<typeof HistoryLogResponse>;

export const ListChannelsQuery = z.object({
  limit: z.optional(intFromQuery.check(z.refine((n) => n >= 1 && n <= 200, "limit must be 1..200"))),
  cursor: z.optional(z.string().check(z.maxLength(200))),
  /** Case-insensitive substring of channel_url or name. */
  q: z.optional(z.string().check(z.maxLength(200))),
  provider: z.optional(ProviderName),
});
export type ListChannelsQuery = z.output<typeof ListChannelsQuery>;

export const Channel = z.object({
  channel_url: z.string(),
  name: z.string(),
  custom_type: z.optional(z.string()),
  data: DataObject,
  provider: ProviderName,
  member_count: z.int(),
  members: z.optional(z.array(WireUserId)),
  /** Members with at least one open socket (websocket provider only). */
  online: z.optional(z.array(WireUserId)),
  created_at: z.string(),
  last_seq: Seq,
  last_message: z.optional(z.nullable(MessageFrame)),
});
export type Channel = z.infer<typeof Channel>;

export const ListChannelsResponse = z.object({
  channels: z.array(Channel),
  next_cursor: z.nullable(z.string()),
});
export type ListChannelsResponse = z.infer<typeof ListChannelsResponse>;

export const MembersResponse = z.object({
  members: z.array(WireUserId),
});

/** Every REST error body. `field` names the offending field on validation failures. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.optional(z.string()),
    retryable: z.optional(z.boolean()),
    details: z.optional(z.unknown()),
    /** @since 0.4 EVENTS_EXPIRED: the oldest position the events feed still holds. */
    oldest_position: z.optional(z.number()),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Query of both WebSocket endpoints. */
export const WsQuery = z.object({
  token: z.optional(z.string().check(z.maxLength(8192))),
  user_id: z.optional(z.string()),
  since_seq: z.optional(intFromQuery),
});

/** `GET /api/v1/chat/channels/{channel_url}/transport`: which provider serves a channel, how to connect. */
export const TransportResponse = z.object({
  channel_url: z.string(),
  provider: ProviderName,
  /** Set when provider is websocket: the socket URL without token/since_seq. */
  websocket: z.optional(z.object({ url: z.string() })),
  /** Set when provider is sendbird: what the Sendbird SDK needs. */
  sendbird: z.optional(z.object({ app_id: z.string() })),
});
export type TransportResponse = z.infer<typeof TransportResponse>;

/** `POST /api/v1/chat/channels/{url}/read` (member): mark read up to `seq`. @since 0.2 */
export const MarkReadBody = z.object({ seq: Seq });
/** Answer of mark-read and of `GET /api/v1/chat/channels/{url}/unread` (member). */
export const UnreadResponse = z.object({
  channel_url: z.string(),
  user_id: WireUserId,
  last_read_seq: Seq,
  last_seq: Seq,
  /** Messages (MESG/FILE/IMAGE/ADMM, not deleted) after last_read_seq from others. */
  unread_count: z.int(),
});
export type UnreadResponse = z.infer<typeof UnreadResponse>;

/** `GET /api/v1/chat/channels/{url}/read-state`: how far each member has read. @since 0.2 */
export const ReadStateResponse = z.object({
  channel_url: z.string(),
  members: z.array(z.object({ user_id: WireUserId, last_read_seq: Seq })),
});
export type ReadStateResponse = z.infer<typeof ReadStateResponse>;

/** `PATCH /api/v1/chat/channels/{url}/messages/{seq}`: edit (author, API key or admin). @since 0.2 */
export const EditMessageBody = z.object({
  message: z.string().check(z.minLength(1), z.maxLength(Limits.messageMax)),
  data: z.optional(DataObject),
  /** Who edits, for API-key callers acting for a user. */
  user_id: z.optional(UserIdInput),
});

/** Body of the moderation writes (`POST …/bans`, `…/mutes`, `…/operators`). @since 0.2 */
export const ModerationUsersBody = z.object({
  user_ids: UserIds.check(z.minLength(1)),
  /** Ban/mute length; absent = until lifted. */
  seconds: z.optional(z.int().check(z.gte(1), z.lte(10 * 365 * 86_400))),
});
/** `PUT /api/v1/chat/channels/{url}/freeze` */
export const FreezeBody = z.object({ frozen: z.boolean() });

/** `GET /api/v1/chat/channels/{url}/moderation` @since 0.2 */
export const ModerationState = z.object({
  channel_url: z.string(),
  frozen: z.boolean(),
  operators: z.array(WireUserId),
  banned: z.array(z.object({ user_id: WireUserId, until: z.nullable(z.string()) })),
  muted: z.array(z.object({ user_id: WireUserId, until: z.nullable(z.string()) })),
});
export type ModerationState = z.infer<typeof ModerationState>;

/**
 * `POST /api/v1/chat/channels/{url}/files` (multipart/form-data, field `file`; member token or API
 * key) → the FileInfo to put in a FILE/IMAGE frame. Files are served at `url` (and `thumbnail_url`
 * for images) to members only (Bearer token, or `?token=` for `<img>` tags). @since 0.2
 */
export const UploadResponse = FileInfo;
export type UploadResponse = z.infer<typeof UploadResponse>;
