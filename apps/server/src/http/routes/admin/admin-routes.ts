import {
  type AdminChannel,
  AdminChannelDetail,
  AdminChannelList,
  AdminUserQuery,
  AdminUserView,
  AuditResponse,
  BulkMigrationBody,
  ChannelOverride,
  ChannelOverrideBody,
  ChannelUrl,
  EnvFlag,
  ErrorCode,
  FlagsResponse,
  isMessageFrame,
  ListChannelsQuery,
  MigrationJob,
  MintTokenBody,
  MintTokenResponse,
  Overview,
  UpdateFlagBody,
  UserIdString,
  wireUserId,
} from "@podchat/protocol";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import * as z from "zod/mini";
import type { TokenVerifier } from "../../../auth/token-verifier.ts";
import type { AuditLog } from "../../../audit/audit-log.ts";
import type { Bus } from "../../../bus/bus.ts";
import { ChatError } from "../../../chat/chat-error.ts";
import type { ChatService } from "../../../chat/chat-service.ts";
import { toMessageFrame } from "../../../providers/websocket/wire.ts";
import type { Config } from "../../../config/index.ts";
import type { FlagResolver } from "../../../flags/flag-resolver.ts";
import type { EnvName, FlagStore } from "../../../flags/flag-store.ts";
import type { ChannelMigrator } from "../../../migration/channel-migrator.ts";
import type { InstanceRegistry } from "../../../observability/instance-registry.ts";
import type { Hub } from "../../../realtime/hub.ts";
import type { MessageStore, StoredChannel } from "../../../store/message-store.ts";
import { validationError } from "../../errors.ts";
import type { AppEnv } from "../../principal.ts";
import {
  auth,
  describeRoute,
  errors,
  jsonRequest,
  jsonResponse,
  MigrationJobList,
  noContent,
  param,
  queryParams,
} from "../../openapi/index.ts";
import { jsonBody, query } from "../../validate.ts";
import { audit } from "../../audit.ts";
import { auditRoutes } from "./audit-routes.ts";
import type { WebhookService } from "../../../webhooks/webhook-service.ts";
import { loginRoute, requireAdmin, tokenSigner } from "./admin-auth.ts";
import { webhookRoutes } from "./webhooks.ts";

export interface AdminDeps {
  config: Config;
  chat: ChatService;
  store: MessageStore;
  hub: Hub;
  bus: Bus;
  flags: FlagResolver;
  flagStore: FlagStore;
  migrator: ChannelMigrator;
  registry: InstanceRegistry;
  verifier: TokenVerifier;
  /** @since 0.4 */
  audit: AuditLog;
  /** @since 0.4 Webhook endpoints, deliveries and dead letters (`/webhooks/...`). */
  webhooks?: WebhookService;
}

const EnvParam = z.enum(["dev", "stg", "prod"]);
const AuditQuery = z.object({
  env: z.optional(z.string().check(z.maxLength(20))),
  actor: z.optional(z.string().check(z.maxLength(100))),
  key: z.optional(z.string().check(z.maxLength(200))),
  limit: z.optional(z.string().check(z.regex(/^[0-9]{1,4}$/))),
});

function channelParam(raw: string): string {
  const r = ChannelUrl.safeParse(raw);
  if (!r.success) throw validationError(r.error, "channel_url");
  return r.data;
}

function userParam(raw: string): string {
  const r = UserIdString.safeParse(raw);
  if (!r.success) throw validationError(r.error, "user_id");
  return r.data;
}

/** The error statuses of an admin route without parameters. */
const ADMIN = errors(401, [403, "FORBIDDEN: admins only"], 503);
/** A server-sent event stream. */
const sse = (events: string) => ({
  description: `text/event-stream: ${events}`,
  content: { "text/event-stream": { schema: { type: "string" as const } } },
});

/** `/api/v1/admin`: the dashboard's API. Every route but login refuses non-admins. */
export function adminRoutes(d: AdminDeps) {
  const app = new Hono<AppEnv>();
  app.route("/", loginRoute(d.config));
  const sign = tokenSigner(d.config);

  app.use("*", async (c, next) => {
    if (c.req.path === "/api/v1/admin/login") return next();
    // EventSource and a download link cannot set headers: those take ?access_token=.
    const queryToken = c.req.path.endsWith("/stream") || c.req.path.endsWith("/audit/export");
    await requireAdmin(c, d.verifier, queryToken);
    await next();
  });

  app.route("/audit", auditRoutes(d.audit));
  if (d.webhooks) app.route("/webhooks", webhookRoutes(d.webhooks));

  const providerCounts = () => d.store.countChannels();

  async function overview(): Promise<Overview> {
    const instances = d.registry.all();
    return {
      instances,
      totals: {
        connections: instances.reduce((n, i) => n + i.connections, 0),
        active_channels: instances.reduce((n, i) => n + i.channels, 0),
        channels: await providerCounts(),
        messages_per_s: Math.round(instances.reduce((n, i) => n + i.messages_per_s, 0) * 10) / 10,
      },
      server_time: new Date().toISOString(),
    };
  }

  app.get(
    "/overview",
    describeRoute({
      summary: "Instances, connections, channels per provider, messages/s",
      tags: ["admin"],
      security: auth.admin,
      responses: { 200: jsonResponse(Overview), ...ADMIN },
    }),
    async (c) => c.json(await overview()),
  );

  app.get(
    "/stream",
    describeRoute({
      summary: "Server-sent events: an `overview` event (the Overview JSON) every second",
      tags: ["admin"],
      security: auth.adminStream,
      responses: { 200: sse("`event: overview`, data: the Overview JSON"), ...ADMIN },
    }),
    (c) =>
      streamSSE(c, async (stream) => {
        let open = true;
        stream.onAbort(() => {
          open = false;
        });
        while (open) {
          await stream.writeSSE({ event: "overview", data: JSON.stringify(await overview()) });
          await stream.sleep(1000);
        }
      }),
  );

  const adminChannel = async (
    c: StoredChannel,
    lastMessage?: AdminChannel["last_message"],
  ): Promise<AdminChannel> => ({
    channel_url: c.channel_url,
    name: c.name,
    provider: c.provider,
    member_count: c.member_count,
    online_count: (await d.hub.online(c.channel_url)).length,
    last_seq: c.last_seq,
    created_at: c.created_at,
    ...(lastMessage !== undefined ? { last_message: lastMessage } : {}),
  });

  const lastMessage = async (url: string) => {
    const [m] = await d.store.listMessages(url, {
      beforeSeq: Number.MAX_SAFE_INTEGER,
      limit: 1,
      messagesOnly: true,
    });
    return m ? toMessageFrame(m) : null;
  };

  app.get(
    "/channels",
    describeRoute({
      summary: "Channels with online counts and their last message (paged, searchable)",
      tags: ["admin"],
      security: auth.admin,
      parameters: queryParams(ListChannelsQuery),
      responses: {
        200: jsonResponse(AdminChannelList),
        ...errors(400, 401, [403, "FORBIDDEN: admins only"], 503),
      },
    }),
    async (c) => {
      const q = query(c, ListChannelsQuery);
      const page = await d.store.listChannels({
        limit: q.limit ?? 20,
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.q ? { q: q.q } : {}),
        ...(q.provider ? { provider: q.provider } : {}),
      });
      const channels = await Promise.all(
        page.channels.map(async (ch) => adminChannel(ch, await lastMessage(ch.channel_url))),
      );
      return c.json({ channels, next_cursor: page.nextCursor });
    },
  );

  app.get(
    "/channels/:channel_url",
    describeRoute({
      summary: "A channel with its members, who is online, and the last 50 messages",
      tags: ["admin"],
      security: auth.admin,
      parameters: [param.channelUrl],
      responses: {
        200: jsonResponse(AdminChannelDetail),
        ...errors(400, 401, 403, [404, "CHANNEL_NOT_FOUND"], 502, 503),
      },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      const meta = await d.chat.getChannelMetadata(url);
      const row = await d.store.getChannel(url);
      if (!meta || !row) throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${url} does not exist`);
      const online = new Set(await d.hub.online(url));
      const tail =
        row.provider === "websocket"
          ? (
              await d.store.listMessages(url, {
                beforeSeq: Number.MAX_SAFE_INTEGER,
                limit: 50,
                messagesOnly: true,
              })
            ).map(toMessageFrame)
          : (await d.chat.listMessages(url, { limit: 50 })).messages;
      const detail: AdminChannelDetail = {
        channel: { ...(await adminChannel(row, tail.at(-1) ?? null)), member_count: meta.member_count },
        members: (meta.members ?? []).map((m) => ({ user_id: m, online: online.has(String(m)) })),
        tail,
      };
      return c.json(detail);
    },
  );

  app.get(
    "/channels/:channel_url/stream",
    describeRoute({
      summary: "Server-sent events of one channel: ready, message, message_change, presence",
      tags: ["admin"],
      security: auth.adminStream,
      parameters: [param.channelUrl],
      responses: {
        200: sse(
          "`event: message` (a MESG/FILE/IMAGE/ADMM frame), `message_change` (MESSAGE_UPDATED/MESSAGE_DELETED), `presence` (USER_JOINED/USER_LEFT); a comment every 15 s",
        ),
        ...errors(400, 401, 403, [404, "CHANNEL_NOT_FOUND"], 503),
      },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      if (!(await d.store.getChannel(url)))
        throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${url} does not exist`);
      return streamSSE(c, async (stream) => {
        const queue: Array<{ event: string; data: string }> = [];
        let wake: (() => void) | null = null;
        const unsubscribe = await d.bus.subscribeChannel(url, (e) => {
          // Edits/deletes (@since 0.2) come as their own event, so a dashboard that knows only
          // "message" is not handed a frame of another shape.
          if (e.kind === "message")
            queue.push({
              event: isMessageFrame(e.entry) ? "message" : "message_change",
              data: JSON.stringify(e.entry),
            });
          else if (e.kind === "presence") {
            const frame = {
              type: e.change === "joined" ? "USER_JOINED" : "USER_LEFT",
              channel_url: url,
              user_id: wireUserId(e.user_id),
              timestamp: e.timestamp,
            };
            queue.push({ event: "presence", data: JSON.stringify(frame) });
          }
          wake?.();
        });
        let open = true;
        stream.onAbort(() => {
          open = false;
          wake?.();
        });
        try {
          await stream.writeSSE({ event: "ready", data: "{}" });
          while (open) {
            while (queue.length > 0) await stream.writeSSE(queue.shift()!);
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 15_000);
            });
            wake = null;
            if (queue.length === 0 && open) await stream.write(": keep-alive\n\n");
          }
        } finally {
          await unsubscribe();
        }
      });
    },
  );

  // A user exists in podchat only through memberships and sockets: an id nobody uses gets an
  // empty view (no channels, no sockets), not a 404.
  app.get(
    "/users/:user_id",
    describeRoute({
      summary:
        "A user: their channel list with unread counts (paged), and their live sockets on this instance",
      tags: ["admin"],
      security: auth.admin,
      parameters: [param.userId, ...queryParams(AdminUserQuery)],
      responses: {
        200: jsonResponse(AdminUserView, "The user's view; an unknown id gets an empty one, not a 404"),
        ...errors(400, 401, [403, "FORBIDDEN: admins only"], 503),
      },
    }),
    async (c) => {
      const userId = userParam(c.req.param("user_id"));
      const inbox = await d.chat.listUserChannels(userId, query(c, AdminUserQuery));
      const view: AdminUserView = {
        user_id: wireUserId(userId),
        ...inbox,
        sockets: d.hub.socketsOf(userId).map((s) => ({
          connection_id: s.id,
          kind: s.kind,
          channel_urls: s.channelUrls,
          watching: s.watching,
          connected_at: new Date(s.connectedAt).toISOString(),
          remote_address: s.ip,
        })),
        node_id: d.bus.nodeId,
      };
      return c.json(view);
    },
  );

  app.post(
    "/channels/:channel_url/migrate",
    describeRoute({
      summary: "Start moving a Sendbird channel to the WebSocket provider (members and history are copied)",
      tags: ["admin"],
      security: auth.admin,
      parameters: [param.channelUrl],
      responses: {
        202: jsonResponse(MigrationJob, "Started: poll GET /api/v1/admin/migrations/{id}"),
        ...errors(
          400,
          401,
          403,
          [404, "CHANNEL_NOT_FOUND"],
          [409, "WRONG_PROVIDER or already migrating"],
          503,
        ),
      },
    }),
    async (c) => {
      const actor = await requireAdmin(c, d.verifier);
      const url = channelParam(c.req.param("channel_url"));
      const job = d.migrator.start(url, actor);
      await audit(c, {
        action: "migration.start",
        target: { channel_url: url },
        after: { job_id: job.id, state: job.state },
      });
      return c.json(job, 202);
    },
  );

  app.post(
    "/migrations",
    describeRoute({
      summary: "Start migrating every Sendbird channel that matches the filter",
      tags: ["admin"],
      security: auth.admin,
      requestBody: jsonRequest(BulkMigrationBody),
      responses: {
        202: jsonResponse(MigrationJobList, "The jobs started"),
        ...errors(400, 401, 403, 413, 502, 503),
      },
    }),
    async (c) => {
      const actor = await requireAdmin(c, d.verifier);
      const body = await jsonBody(c, BulkMigrationBody);
      const jobs = await d.migrator.startBulk(
        { ...(body.q ? { q: body.q } : {}), ...(body.limit ? { limit: body.limit } : {}) },
        actor,
      );
      await audit(c, {
        action: "migration.start_bulk",
        after: {
          ...(body.q ? { q: body.q } : {}),
          ...(body.limit ? { limit: body.limit } : {}),
          jobs: jobs.map((j) => ({ job_id: j.id, channel_url: j.channel_url })),
        },
      });
      return c.json({ jobs }, 202);
    },
  );

  app.get(
    "/migrations",
    describeRoute({
      summary: "The migration jobs of this instance",
      tags: ["admin"],
      security: auth.admin,
      responses: { 200: jsonResponse(MigrationJobList), ...ADMIN },
    }),
    (c) => c.json({ jobs: d.migrator.list() }),
  );

  app.get(
    "/migrations/:id",
    describeRoute({
      summary: "One migration job",
      tags: ["admin"],
      security: auth.admin,
      parameters: [param.jobId],
      responses: { 200: jsonResponse(MigrationJob), ...errors(401, 403, [404, "NOT_FOUND: no such job"]) },
    }),
    (c) => {
      const job = d.migrator.get(c.req.param("id"));
      if (!job) throw new ChatError(ErrorCode.NOT_FOUND, "no such migration job");
      return c.json(job);
    },
  );

  app.get(
    "/flags",
    describeRoute({
      summary:
        "The chat.use_websocket flag of every environment, the per-channel overrides and the traffic per provider",
      tags: ["admin"],
      security: auth.admin,
      responses: { 200: jsonResponse(FlagsResponse), ...ADMIN },
    }),
    async (c) => {
      const counts = await providerCounts();
      const out: FlagsResponse = {
        environments: await d.flags.describeAll(),
        overrides: await d.flagStore.listOverrides(),
        traffic: {
          websocket: {
            channels: counts.websocket,
            connections: d.registry.all().reduce((n, i) => n + i.connections, 0),
          },
          // Sendbird's live connection count is not available through its Platform API.
          sendbird: { channels: counts.sendbird, connections: null },
        },
      };
      return c.json(out);
    },
  );

  app.put(
    "/flags/overrides/:channel_url",
    describeRoute({
      summary: "Pin one channel to a provider (audited)",
      tags: ["admin"],
      security: auth.admin,
      parameters: [param.channelUrl],
      requestBody: jsonRequest(ChannelOverrideBody),
      responses: { 200: jsonResponse(ChannelOverride), ...errors(400, 401, 403, 413, 503) },
    }),
    async (c) => {
      const actor = await requireAdmin(c, d.verifier);
      const url = channelParam(c.req.param("channel_url"));
      const body = await jsonBody(c, ChannelOverrideBody);
      const before = await d.flagStore.getOverride(url);
      const out = await d.flags.setOverride(url, body.provider, actor);
      await audit(c, {
        action: "flag.override_set",
        target: { channel_url: url },
        before: before ? { provider: before.provider } : null,
        after: { provider: out.provider },
      });
      return c.json(out);
    },
  );

  app.delete(
    "/flags/overrides/:channel_url",
    describeRoute({
      summary: "Remove a channel's override (audited)",
      tags: ["admin"],
      security: auth.admin,
      parameters: [param.channelUrl],
      responses: { 204: noContent, ...errors(400, 401, 403, 503) },
    }),
    async (c) => {
      const actor = await requireAdmin(c, d.verifier);
      const url = channelParam(c.req.param("channel_url"));
      const before = await d.flagStore.getOverride(url);
      await d.flags.deleteOverride(url, actor);
      await audit(c, {
        action: "flag.override_delete",
        target: { channel_url: url },
        before: before ? { provider: before.provider } : null,
      });
      return c.body(null, 204);
    },
  );

  app.get(
    "/flags/audit",
    describeRoute({
      summary: "The flag audit trail, newest first",
      tags: ["admin"],
      security: auth.admin,
      parameters: queryParams(AuditQuery),
      responses: { 200: jsonResponse(AuditResponse), ...errors(400, 401, 403, 503) },
    }),
    async (c) => {
      const q = query(c, AuditQuery);
      const entries = await d.flagStore.audit({
        limit: Math.min(Number(q.limit ?? 100), 1000),
        ...(q.env ? { env: q.env } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.key ? { key: q.key } : {}),
      });
      return c.json({ entries });
    },
  );

  app.put(
    "/flags/:env",
    describeRoute({
      summary:
        "Set an environment's flag at runtime: use_websocket, rollout_percent, user_groups (audited; every instance applies it within a second)",
      tags: ["admin"],
      security: auth.admin,
      parameters: [param.env],
      requestBody: jsonRequest(UpdateFlagBody),
      responses: {
        200: jsonResponse(EnvFlag, "The environment's flag after the change"),
        ...errors(
          400,
          401,
          403,
          [409, "FLAG_PINNED: USE_WEBSOCKET_CHAT pins it on that environment's servers"],
          413,
          503,
        ),
      },
    }),
    async (c) => {
      const actor = await requireAdmin(c, d.verifier);
      const env = EnvParam.safeParse(c.req.param("env"));
      if (!env.success) throw validationError(env.error, "env");
      const body = await jsonBody(c, UpdateFlagBody);
      const patch: Parameters<FlagResolver["update"]>[1] = {};
      if (body.use_websocket !== undefined) patch.use_websocket = body.use_websocket;
      if (body.rollout_percent !== undefined) patch.rollout_percent = body.rollout_percent;
      if (body.user_groups !== undefined) patch.user_groups = body.user_groups;
      const before = (await d.flags.describeAll()).find((e) => e.env === env.data);
      await d.flags.update(env.data as EnvName, patch, actor);
      const after = (await d.flags.describeAll()).find((e) => e.env === env.data);
      await audit(c, { action: "flag.set", before, after });
      return c.json(after);
    },
  );

  app.post(
    "/tokens",
    describeRoute({
      summary: "Mint a short-lived user token (playground, support)",
      tags: ["admin-auth"],
      security: auth.admin,
      requestBody: jsonRequest(MintTokenBody),
      responses: {
        201: jsonResponse(MintTokenResponse, "A user JWT (sub = user_id), ttl_s seconds (default 3600)"),
        ...errors(400, 401, 403, 413, [
          501,
          "UNSUPPORTED: no auth.jwt.secret to sign with (JWKS-only setup)",
        ]),
      },
    }),
    async (c) => {
      const body = await jsonBody(c, MintTokenBody);
      const minted = await sign(body.user_id, body.ttl_s ?? 3600);
      // Who and for how long; never the token.
      await audit(c, {
        action: "token.mint",
        target: { user_id: String(body.user_id) },
        after: { ttl_s: body.ttl_s ?? 3600, expires_at: minted.expires_at },
      });
      return c.json(minted, 201);
    },
  );

  return app;
}
