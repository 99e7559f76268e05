import {
  type AdminChannel,
  type AdminChannelDetail,
  AdminUserQuery,
  type AdminUserView,
  BulkMigrationBody,
  ChannelOverrideBody,
  ChannelUrl,
  ErrorCode,
  isMessageFrame,
  type FlagsResponse,
  ListChannelsQuery,
  MintTokenBody,
  type Overview,
  UpdateFlagBody,
  UserIdString,
  wireUserId,
} from "@podchat/protocol";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import * as z from "zod/mini";
import type { TokenVerifier } from "../../../auth/token-verifier.ts";
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
import { jsonBody, query } from "../../validate.ts";
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

/** `/api/v1/admin`: the dashboard's API. Every route but login refuses non-admins. */
export function adminRoutes(d: AdminDeps) {
  const app = new Hono<AppEnv>();
  app.route("/", loginRoute(d.config));
  const sign = tokenSigner(d.config);

  app.use("*", async (c, next) => {
    if (c.req.path === "/api/v1/admin/login") return next();
    const sse = c.req.path.endsWith("/stream");
    await requireAdmin(c, d.verifier, sse);
    await next();
  });

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

  app.get("/overview", async (c) => c.json(await overview()));

  app.get("/stream", (c) =>
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

  app.get("/channels", async (c) => {
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
  });

  app.get("/channels/:channel_url", async (c) => {
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
  });

  app.get("/channels/:channel_url/stream", async (c) => {
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
  });

  // A user exists in podchat only through memberships and sockets: an id nobody uses gets an
  // empty view (no channels, no sockets), not a 404.
  app.get("/users/:user_id", async (c) => {
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
  });

  app.post("/channels/:channel_url/migrate", async (c) => {
    const actor = await requireAdmin(c, d.verifier);
    const url = channelParam(c.req.param("channel_url"));
    return c.json(d.migrator.start(url, actor), 202);
  });

  app.post("/migrations", async (c) => {
    const actor = await requireAdmin(c, d.verifier);
    const body = await jsonBody(c, BulkMigrationBody);
    const jobs = await d.migrator.startBulk(
      { ...(body.q ? { q: body.q } : {}), ...(body.limit ? { limit: body.limit } : {}) },
      actor,
    );
    return c.json({ jobs }, 202);
  });

  app.get("/migrations", (c) => c.json({ jobs: d.migrator.list() }));

  app.get("/migrations/:id", (c) => {
    const job = d.migrator.get(c.req.param("id"));
    if (!job) throw new ChatError(ErrorCode.NOT_FOUND, "no such migration job");
    return c.json(job);
  });

  app.get("/flags", async (c) => {
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
  });

  app.put("/flags/overrides/:channel_url", async (c) => {
    const actor = await requireAdmin(c, d.verifier);
    const url = channelParam(c.req.param("channel_url"));
    const body = await jsonBody(c, ChannelOverrideBody);
    return c.json(await d.flags.setOverride(url, body.provider, actor));
  });

  app.delete("/flags/overrides/:channel_url", async (c) => {
    const actor = await requireAdmin(c, d.verifier);
    await d.flags.deleteOverride(channelParam(c.req.param("channel_url")), actor);
    return c.body(null, 204);
  });

  app.get("/flags/audit", async (c) => {
    const q = query(c, AuditQuery);
    const entries = await d.flagStore.audit({
      limit: Math.min(Number(q.limit ?? 100), 1000),
      ...(q.env ? { env: q.env } : {}),
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.key ? { key: q.key } : {}),
    });
    return c.json({ entries });
  });

  app.put("/flags/:env", async (c) => {
    const actor = await requireAdmin(c, d.verifier);
    const env = EnvParam.safeParse(c.req.param("env"));
    if (!env.success) throw validationError(env.error, "env");
    const body = await jsonBody(c, UpdateFlagBody);
    const patch: Parameters<FlagResolver["update"]>[1] = {};
    if (body.use_websocket !== undefined) patch.use_websocket = body.use_websocket;
    if (body.rollout_percent !== undefined) patch.rollout_percent = body.rollout_percent;
    if (body.user_groups !== undefined) patch.user_groups = body.user_groups;
    await d.flags.update(env.data as EnvName, patch, actor);
    const all = await d.flags.describeAll();
    return c.json(all.find((e) => e.env === env.data));
  });

  app.post("/tokens", async (c) => {
    const body = await jsonBody(c, MintTokenBody);
    return c.json(await sign(body.user_id, body.ttl_s ?? 3600), 201);
  });

  return app;
}
