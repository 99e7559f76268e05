import * as z from "zod/mini";
import { ChannelUrl, Seq, Timestamp, WireUserId } from "./common.ts";
import { InboxChannel, InboxQuery, InboxSourceError } from "./inbox.ts";
import { MessageFrame } from "./server-frames.ts";
import { ProviderName } from "./rest.ts";

/** `POST /api/v1/admin/login` */
export const AdminLoginBody = z.object({
  username: z.string().check(z.minLength(1), z.maxLength(100)),
  password: z.string().check(z.minLength(1), z.maxLength(200)),
});
export const AdminLoginResponse = z.object({
  token: z.string(),
  expires_at: z.string(),
  username: z.string(),
});
export type AdminLoginResponse = z.infer<typeof AdminLoginResponse>;

export const InstanceInfo = z.object({
  node_id: z.string(),
  env: z.string(),
  version: z.string(),
  started_at: z.string(),
  uptime_s: z.number(),
  connections: z.int(),
  channels: z.int(),
  messages_per_s: z.number(),
  /** Last time this instance reported (instances report every second). */
  seen_at: z.string(),
});
export type InstanceInfo = z.infer<typeof InstanceInfo>;

/** `GET /api/v1/admin/overview`, and each `overview` event of `GET /api/v1/admin/stream` (SSE). */
export const Overview = z.object({
  instances: z.array(InstanceInfo),
  totals: z.object({
    connections: z.int(),
    /** Channels with at least one open socket. */
    active_channels: z.int(),
    /** Channels known to podchat, per provider. */
    channels: z.object({ websocket: z.int(), sendbird: z.int() }),
    messages_per_s: z.number(),
  }),
  server_time: z.string(),
});
export type Overview = z.infer<typeof Overview>;

export const AdminChannel = z.object({
  channel_url: z.string(),
  name: z.string(),
  provider: ProviderName,
  member_count: z.int(),
  online_count: z.int(),
  last_seq: Seq,
  created_at: z.string(),
  last_message: z.optional(z.nullable(MessageFrame)),
});
export type AdminChannel = z.infer<typeof AdminChannel>;

/** `GET /api/v1/admin/channels?q=&provider=&cursor=&limit=` */
export const AdminChannelList = z.object({
  channels: z.array(AdminChannel),
  next_cursor: z.nullable(z.string()),
});
export type AdminChannelList = z.infer<typeof AdminChannelList>;

/** `GET /api/v1/admin/channels/{url}`: the channel with members, who is online, the message tail. */
export const AdminChannelDetail = z.object({
  channel: AdminChannel,
  members: z.array(z.object({ user_id: WireUserId, online: z.boolean() })),
  tail: z.array(MessageFrame),
});
export type AdminChannelDetail = z.infer<typeof AdminChannelDetail>;

/**
 * One live socket of a user on the instance that answered (@since 0.3). `channel` is the seed's
 * per-channel endpoint (`/api/v1/chat/ws/{channel_url}`, one channel), `user` the user connection
 * (`/api/v1/chat/ws?token=`, any number of subscriptions).
 */
export const AdminUserSocket = z.object({
  connection_id: z.string(),
  kind: z.enum(["channel", "user"]),
  /** Channels this socket is subscribed to (receives messages of). */
  channel_urls: z.array(z.string()),
  /** Channels whose inbox events reach it without a subscription (user connection; else 0). */
  watching: z.int().check(z.gte(0)),
  connected_at: Timestamp,
  /** The peer address as this instance sees it; null when unknown. */
  remote_address: z.nullable(z.string()),
});
export type AdminUserSocket = z.infer<typeof AdminUserSocket>;

/**
 * `GET /api/v1/admin/users/{user_id}?cursor=&limit=` (@since 0.3): one page of the user's channel
 * list (the inbox: same rows, order and cursor as `GET /api/v1/chat/users/{user_id}/channels`),
 * their total unread, and their sockets on the answering instance (`node_id`). A user podchat
 * does not know (no memberships, no socket) gets an empty view, not a 404.
 */
export const AdminUserQuery = z.pick(InboxQuery, { cursor: true, limit: true });
export type AdminUserQuery = z.output<typeof AdminUserQuery>;

export const AdminUserView = z.object({
  user_id: WireUserId,
  channels: z.array(InboxChannel),
  next_cursor: z.nullable(z.string()),
  total_unread: z.int().check(z.gte(0)),
  /** As the inbox's: some provider (Sendbird) could not be asked; `channels` hold the others'. */
  partial: z.optional(z.boolean()),
  errors: z.optional(z.array(InboxSourceError)),
  sockets: z.array(AdminUserSocket),
  /** The instance whose sockets are listed; other instances' sockets are not included. */
  node_id: z.string(),
});
export type AdminUserView = z.infer<typeof AdminUserView>;

export const FlagSource = z.enum(["env", "runtime", "yaml"]);
export type FlagSource = z.infer<typeof FlagSource>;

export const EnvFlag = z.object({
  env: z.enum(["dev", "stg", "prod"]),
  /** The value new channels get (before rollout and overrides). */
  use_websocket: z.boolean(),
  /** Where `use_websocket` comes from: env var pin, runtime (admin), or the yaml file. */
  source: FlagSource,
  /** Pinned by USE_WEBSOCKET_CHAT on the servers of that environment: not toggleable. */
  pinned: z.boolean(),
  runtime_value: z.nullable(z.boolean()),
  yaml_value: z.nullable(z.boolean()),
  rollout_percent: z.number(),
  /** Users whose new channels always go to WebSocket when the flag is on (pilot groups). */
  user_groups: z.array(z.string()),
  /** This server runs in this environment. */
  current: z.boolean(),
  updated_at: z.nullable(z.string()),
  updated_by: z.nullable(z.string()),
});
export type EnvFlag = z.infer<typeof EnvFlag>;

export const ChannelOverride = z.object({
  channel_url: z.string(),
  provider: ProviderName,
  updated_by: z.string(),
  updated_at: z.string(),
});
export type ChannelOverride = z.infer<typeof ChannelOverride>;

export const ProviderTraffic = z.object({
  websocket: z.object({ channels: z.int(), connections: z.int() }),
  sendbird: z.object({ channels: z.int(), connections: z.nullable(z.int()) }),
});
export type ProviderTraffic = z.infer<typeof ProviderTraffic>;

/** `GET /api/v1/admin/flags` */
export const FlagsResponse = z.object({
  environments: z.array(EnvFlag),
  overrides: z.array(ChannelOverride),
  traffic: ProviderTraffic,
});
export type FlagsResponse = z.infer<typeof FlagsResponse>;

/** `PUT /api/v1/admin/flags/{env}` — 409 FLAG_PINNED when USE_WEBSOCKET_CHAT pins it. */
export const UpdateFlagBody = z.object({
  use_websocket: z.optional(z.boolean()),
  rollout_percent: z.optional(z.number().check(z.gte(0), z.lte(100))),
  user_groups: z.optional(
    z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(1000)),
  ),
});
export type UpdateFlagBody = z.infer<typeof UpdateFlagBody>;

/** `PUT /api/v1/admin/flags/overrides/{channel_url}`; `DELETE` removes it. */
export const ChannelOverrideBody = z.object({ provider: ProviderName });

export const AuditEntry = z.object({
  id: z.int(),
  env: z.string(),
  key: z.string(),
  old_value: z.unknown(),
  new_value: z.unknown(),
  actor: z.string(),
  at: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** `GET /api/v1/admin/flags/audit?env=&actor=&key=&limit=` (newest first). */
export const AuditResponse = z.object({ entries: z.array(AuditEntry) });

/** `POST /api/v1/admin/channels/{url}/migrate` → 202 with the job; `GET /api/v1/admin/migrations/{id}`. */
export const MigrationJob = z.object({
  id: z.string(),
  channel_url: ChannelUrl,
  state: z.enum(["running", "done", "failed"]),
  copied_messages: z.int(),
  total_messages: z.nullable(z.int()),
  error: z.nullable(z.string()),
  started_at: z.string(),
  finished_at: z.nullable(z.string()),
});
export type MigrationJob = z.infer<typeof MigrationJob>;

/** `POST /api/v1/admin/migrations` — migrate every Sendbird channel matching the filter. */
export const BulkMigrationBody = z.object({
  q: z.optional(z.string().check(z.maxLength(200))),
  limit: z.optional(z.int().check(z.gte(1), z.lte(1000))),
});

/** `POST /api/v1/admin/tokens` — an admin mints a short-lived user token (playground, support). */
export const MintTokenBody = z.object({
  user_id: z.string().check(z.minLength(1), z.maxLength(64)),
  ttl_s: z.optional(z.int().check(z.gte(10), z.lte(86_400))),
});
export const MintTokenResponse = z.object({ token: z.string(), expires_at: z.string() });

/**
 * @since 0.4 `POST /api/v1/admin/users/{user_id}/revoke-tokens` (admin) and
 * `POST /api/v1/chat/users/{user_id}/revoke-tokens` (API key): the user's tokens issued before
 * `revoked_at` are refused from now on, and their live sockets are closed with 4401 on every instance.
 */
export const RevokeTokensResponse = z.object({
  user_id: WireUserId,
  /** ISO time; tokens with an `iat` before it (or none, while they could still be alive) are refused. */
  revoked_at: z.string(),
  /** Sockets of the user closed on the instance that answered (others close theirs too). */
  closed_here: z.int(),
});
export type RevokeTokensResponse = z.infer<typeof RevokeTokensResponse>;
