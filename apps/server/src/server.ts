import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Bus } from "./bus/bus.ts";
import { createBusFromConfig } from "./bus/create-bus.ts";
import { createTokenVerifierFromConfig } from "./auth/create-token-verifier.ts";
import { REVOKED_MESSAGE, TokenRevocations, withRevocations } from "./auth/token-revocations.ts";
import { TokenRevocationService } from "./chat/token-revocation-service.ts";
import { eventRoutes } from "./http/routes/events.ts";
import { tokenRevocationRoutes } from "./http/routes/token-revocation.ts";
import { ChatService, type ProviderSelector } from "./chat/chat-service.ts";
import { FlagResolver } from "./flags/flag-resolver.ts";
import type { FlagStore } from "./flags/flag-store.ts";
import { createPostgresFlagStore } from "./flags/postgres-flag-store.ts";
import { createSqliteFlagStore } from "./flags/sqlite-flag-store.ts";
import { AuditLog } from "./audit/audit-log.ts";
import { adminRoutes } from "./http/routes/admin/admin-routes.ts";
import { ChannelMigrator } from "./migration/channel-migrator.ts";
import { InstanceRegistry } from "./observability/instance-registry.ts";
import { createSendbirdProvider } from "./providers/sendbird/sendbird-provider.ts";
import { createSendbirdService } from "./providers/sendbird/sendbird-service.ts";
import { type Config, type ConfigSources, configWarnings } from "./config/index.ts";
import { createApp, createMetricsApp } from "./http/app.ts";
import { createLogger, type Logger } from "./observability/logger.ts";
import { createMetrics } from "./observability/metrics.ts";
import { createPresenceFromConfig } from "./presence/create-presence.ts";
import type { Presence } from "./presence/presence.ts";
import type { ChatProvider } from "./providers/chat-provider.ts";
import { MessagePipeline } from "./providers/websocket/message-pipeline.ts";
import { createWebsocketProvider } from "./providers/websocket/websocket-provider.ts";
import { DRAIN, Hub } from "./realtime/hub.ts";
import { CloseCode, ErrorCode } from "@podchat/protocol";
import { createSocketGateway } from "./http/socket/socket-gateway.ts";
import { withChatErrors } from "./errors/store-errors.ts";
import { createStoreSeqLog } from "./providers/websocket/store-seq-log.ts";
import { createFileStorageFromConfig } from "./files/create-file-storage.ts";
import { createFileJanitor } from "./files/file-janitor.ts";
import type { FileStorage } from "./files/file-storage.ts";
import { createStoreFromConfig } from "./store/create-store.ts";
import type { MessageStore } from "./store/message-store.ts";
import { createMessageHooks } from "./chat/message-hooks/index.ts";
import { EventFeed } from "./webhooks/event-feed.ts";
import { WebhookService } from "./webhooks/webhook-service.ts";

export interface PodchatServerOptions {
  config: Config;
  sources?: ConfigSources;
  /** Injected in tests; otherwise made from config. */
  store?: MessageStore;
  bus?: Bus;
  /** Injected in tests; otherwise Redis presence with the Redis bus, else in-process. */
  presence?: Presence;
  logger?: Logger;
  /** Extra providers (Sendbird) keyed by name. */
  providers?: Partial<Record<"sendbird", ChatProvider>>;
  selector?: ProviderSelector;
  flagStore?: FlagStore;
  /** Uploaded files; default: what `uploads.driver` says (local disk at uploads.dir, or S3). */
  fileStorage?: FileStorage;
  /** @since 0.4 The HTTP message hook's client (tests). */
  messageHookFetch?: typeof fetch;
  /** @since 0.4 The webhooks' HTTP client (tests). */
  webhookFetch?: typeof fetch;
}

export type PodchatServer = Awaited<ReturnType<typeof createPodchatServer>>;

/** Wires every part of one podchat instance. `listen()` opens the port; `drain()` shuts down gracefully. */
export async function createPodchatServer(options: PodchatServerOptions) {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.log.level, { env: config.env });
  const metrics = createMetrics();
  for (const warning of configWarnings(config)) logger.warn(warning);
  // First, before anything opens: a storage that cannot be used (no such bucket, refused
  // credentials, unwritable folder) stops the start with a FileStorageError saying which.
  const fileStorage = options.fileStorage ?? createFileStorageFromConfig(config);
  await fileStorage.check();
  const rawStore = options.store ?? (await createStoreFromConfig(config));
  // Everything above the store sees its failures as ChatError (mapped here, once).
  const store = withChatErrors(rawStore);
  const eventFeed = new EventFeed(
    rawStore.eventLog,
    { ...config.events, enabled: config.events.feed.enabled },
    logger,
  );
  // Before any change is made: the store records the changes webhook endpoints want (and the
  // events feed, when on), in their transactions.
  const webhooks = new WebhookService({
    config,
    store: rawStore,
    logger,
    onRecorded: () => eventFeed.notify(),
    ...(options.webhookFetch ? { fetch: options.webhookFetch } : {}),
  });
  const bus = options.bus ?? (await createBusFromConfig(config));
  const presence =
    options.presence ??
    (await createPresenceFromConfig(config, bus, (err, what) =>
      logger.warn({ err }, `presence: ${what} failed; answering from this instance's view`),
    ));
  const revocations = new TokenRevocations({
    maxLifetimeS: config.auth.jwt.max_lifetime_s,
    clockToleranceS: config.auth.jwt.clock_tolerance_s,
  });
  // Every token check (REST, sockets, downloads, admin) refuses tokens issued before a revocation.
  const verifier = withRevocations(createTokenVerifierFromConfig(config), revocations);
  const hub = new Hub({
    log: createStoreSeqLog(store),
    bus,
    presence,
    logger,
    metrics,
    heartbeatMs: config.realtime.heartbeat_ms,
    resumeMaxMessages: config.limits.resume_max_messages,
  });
  const tokenRevocation = new TokenRevocationService({
    store,
    bus,
    revocations,
    logger,
    onRevoked: (userId) =>
      hub.closeUserSockets(
        userId,
        (c) => revocations.isRevoked(userId, c.tokenIssuedAt),
        CloseCode.UNAUTHORIZED,
        ErrorCode.UNAUTHORIZED,
        REVOKED_MESSAGE,
      ),
  });
  await tokenRevocation.start();
  const pipeline = new MessagePipeline(store, bus, metrics);
  const websocket = createWebsocketProvider({ store, bus, presence, pipeline });
  const sendbird =
    options.providers?.sendbird ??
    (config.sendbird.app_id && config.sendbird.api_token
      ? createSendbirdProvider(
          createSendbirdService({
            appId: config.sendbird.app_id,
            apiToken: config.sendbird.api_token,
            timeoutMs: config.sendbird.timeout_ms,
            ...(config.sendbird.base_url ? { baseUrl: config.sendbird.base_url } : {}),
          }),
        )
      : undefined);
  const flagStore: FlagStore =
    options.flagStore ??
    (config.store.driver === "postgres"
      ? createPostgresFlagStore({
          url: config.store.postgres.url!,
          ...(config.store.postgres.schema ? { schema: config.store.postgres.schema } : {}),
        })
      : createSqliteFlagStore({ path: config.store.sqlite.path }));
  await flagStore.migrate();
  const sources = options.sources ?? {
    useWebsocketPinned: false,
    yamlUseWebsocket: config.chat.use_websocket,
  };
  const flags = new FlagResolver({ config, sources, store: flagStore, bus, logger });
  await flags.start();
  // Deleted channels and FILE/IMAGE messages take their uploaded bytes with them.
  const janitor = createFileJanitor({ storage: fileStorage, store, logger });
  pipeline.onFileMessageRemoved = (before) => janitor.messageDeleted(before);
  const messageHooks = createMessageHooks(config.messages.hooks, {
    ...(options.messageHookFetch ? { fetch: options.messageHookFetch } : {}),
    onFailure: (why) => logger.warn({ why }, "message hook failed; its on_failure policy applies"),
  });
  const chat = new ChatService({
    providers: { websocket, ...(sendbird ? { sendbird } : {}) },
    store,
    bus,
    selector: options.selector ?? flags,
    onChannelDeleted: (url) => janitor.channelDeleted(url),
    remoteInbox: config.sendbird.inbox,
    remoteInboxTimeoutMs: config.sendbird.inbox_timeout_ms,
    ...(messageHooks ? { messageHooks } : {}),
  });
  const migrator = new ChannelMigrator({ chat, store, sendbird, bus, logger });
  const registry = new InstanceRegistry(bus, config.env, config.version, () => ({
    ...hub.stats(),
    messagesIn: messagesStored,
  }));
  let messagesStored = 0;
  pipeline.onPublishError = (err) =>
    logger.warn({ err }, "fan-out failed for a stored message; peers will fill it from the store");
  pipeline.onStored = () => {
    messagesStored++;
  };
  await registry.start();
  // After a Redis outage, rooms re-read their channels so nothing published meanwhile stays missing.
  bus.onReconnect?.(() => hub.resyncAll());
  let draining = false;
  const gateway = createSocketGateway({
    config,
    chat,
    hub,
    bus,
    verifier,
    logger,
    metrics,
    isDraining: () => draining,
    tokenRevoked: (userId, iat) => revocations.isRevoked(userId, iat),
  });
  const auditLog = new AuditLog({
    store,
    logger,
    nodeId: bus.nodeId,
    retentionDays: config.audit.retention_days,
  });
  auditLog.start();
  const app = createApp({
    config,
    audit: auditLog,
    chat,
    files: { store, storage: fileStorage },
    verifier,
    logger,
    metrics,
    ready: async () => !draining && (await store.healthy()) && (await bus.healthy()),
    mount: (a) => {
      a.route(
        "/api/v1/admin",
        adminRoutes({
          config,
          chat,
          store,
          hub,
          bus,
          flags,
          flagStore,
          migrator,
          registry,
          verifier,
          audit: auditLog,
          webhooks,
        }),
      );
      const revocation = { revocation: tokenRevocation, verifier };
      a.route("/api/v1/admin/users", tokenRevocationRoutes({ ...revocation, caller: "admin" }));
      a.route("/api/v1/chat/users", tokenRevocationRoutes({ ...revocation, caller: "service" }));
      a.route("/api/v1/events", eventRoutes(eventFeed));
    },
  });

  let server: Server | null = null;
  let metricsServer: Server | null = null;
  const sockets = new Set<import("node:net").Socket>();

  /** observability.metrics_listen: `/metrics` on its own host:port; its URL, or undefined. */
  async function listenMetrics(): Promise<string | undefined> {
    const where = config.observability.metrics_listen;
    if (!where) return undefined;
    const cut = where.lastIndexOf(":");
    const host = where.slice(0, cut).replace(/^\[(.*)\]$/, "$1");
    const metricsApp = createMetricsApp({ config, logger, metrics });
    const s = await new Promise<Server>((resolve, reject) => {
      const srv = serve({ fetch: metricsApp.fetch, port: Number(where.slice(cut + 1)), hostname: host }, () =>
        resolve(srv),
      ) as Server;
      srv.once("error", reject);
    });
    metricsServer = s;
    const addr = s.address() as AddressInfo;
    const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
    return `http://${shown}:${addr.port}`;
  }

  async function listen(
    port = config.server.port,
    host = config.server.host,
  ): Promise<{ port: number; url: string; metricsUrl?: string }> {
    hub.start();
    const metricsUrl = await listenMetrics();
    await webhooks.start();
    eventFeed.start();
    await new Promise<void>((resolve, reject) => {
      server = serve({ fetch: app.fetch, port, hostname: host }, () => resolve()) as Server;
      server.once("error", reject);
    });
    const s = server!;
    s.on("connection", (sock) => {
      sockets.add(sock);
      sock.once("close", () => sockets.delete(sock));
    });
    s.on("upgrade", (req, socket, head) => {
      if (!gateway.handleUpgrade(req, socket, head)) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 9\r\n\r\nNot Found");
      }
    });
    const addr = s.address() as AddressInfo;
    const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
    return {
      port: addr.port,
      url: `http://${shownHost}:${addr.port}`,
      ...(metricsUrl ? { metricsUrl } : {}),
    };
  }

  /**
   * Graceful shutdown: stop admitting, tell every socket 1001 (SDKs reconnect elsewhere), let
   * in-flight writes finish, then close. Bounded by the grace period.
   */
  async function drain(graceMs = config.shutdown.grace_ms) {
    if (draining) return;
    draining = true;
    const deadline = Date.now() + graceMs;
    await gateway.quiesce(Math.min(graceMs, 2000));
    hub.closeAll(DRAIN.closeCode, DRAIN.errorCode, DRAIN.reason);
    await store.flush();
    while (hub.connectionCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await close();
  }

  async function close() {
    draining = true;
    hub.stop();
    auditLog.stop();
    gateway.close();
    if (metricsServer) {
      const m = metricsServer;
      metricsServer = null;
      await new Promise<void>((resolve) => {
        m.close(() => resolve());
        m.closeAllConnections();
      });
    }
    eventFeed.stop();
    if (server) {
      const s = server;
      server = null;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        for (const sock of sockets) sock.destroy();
      });
    }
    await store.flush();
    await webhooks.stop();
    await janitor.settled();
    await fileStorage.close();
    await flags.stop();
    await tokenRevocation.stop();
    await chat.close();
    await registry.stop();
    await hub.presenceSettled();
    await presence.close();
    await bus.close();
    await flagStore.close();
    await store.close();
  }

  return {
    config,
    sources,
    logger,
    metrics,
    store,
    bus,
    presence,
    hub,
    chat,
    /** @since 0.2 Uploaded files: where they live, and the cleanup of deleted channels/messages. */
    files: { storage: fileStorage, janitor },
    flags,
    flagStore,
    /** @since 0.4 Revoking a user's tokens (stored, shared on the bus). */
    tokenRevocation,
    migrator,
    registry,
    /** @since 0.4 The audit log (audit/audit-log.ts). */
    audit: auditLog,
    /** @since 0.4 Webhooks: the outbox's recorder, the dispatcher, the admin's view. */
    webhooks,
    /** @since 0.4 The events feed (`GET /api/v1/events`). */
    eventFeed,
    app,
    listen,
    drain,
    close,
    isDraining: () => draining,
  };
}
