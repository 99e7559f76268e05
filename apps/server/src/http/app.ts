import { ErrorCode } from "@podchat/protocol";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import type { TokenVerifier } from "../auth/token-verifier.ts";
import { ChatError } from "../chat/chat-error.ts";
import type { ChatService } from "../chat/chat-service.ts";
import type { Config } from "../config/index.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { auditMiddleware } from "./audit.ts";
import { errorResponse } from "./errors.ts";
import { callerOrFreshId, requestLog } from "./request-log.ts";
import { openApiRoute } from "./openapi/index.ts";
import { type AppEnv, principalMiddleware } from "./principal.ts";
import type { FileStorage } from "../files/file-storage.ts";
import type { MessageStore } from "../store/message-store.ts";
import { channelRoutes } from "./routes/channels.ts";
import { fileRoutes } from "./routes/files.ts";
import { metricsRoute, serviceRoutes } from "./routes/service.ts";
import { userRoutes } from "./routes/users.ts";
import { channelSearchPinRoutes, userSearchRoutes } from "./routes/search-pins.ts";

export interface AppDeps {
  config: Config;
  chat: ChatService;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Metrics;
  /** Readiness: false while draining or when the store does not answer. */
  ready: () => Promise<boolean>;
  /** Uploads and downloads (@since 0.2); without it the file routes are not mounted. */
  files?: { store: MessageStore; storage: FileStorage };
  /** @since 0.4 The audit log every mutating route writes to (http/audit.ts). */
  audit: AuditLog;
  /** Extra route groups (admin API) mounted by later features. */
  mount?: (app: Hono<AppEnv>) => void;
}

/**
 * The app of the metrics listener (observability.metrics_listen): `/metrics` and nothing else,
 * still behind observability.metrics_token when that is set too.
 */
export function createMetricsApp(deps: Pick<AppDeps, "config" | "logger" | "metrics">) {
  const app = new Hono<AppEnv>();
  app.route(
    "/",
    metricsRoute({ metrics: deps.metrics, metricsToken: deps.config.observability.metrics_token }),
  );
  app.notFound((c) =>
    c.json({ error: { code: ErrorCode.NOT_FOUND, message: "only /metrics is served here" } }, 404),
  );
  app.onError((err, c) => errorResponse(c, err, deps.logger, deps.metrics));
  return app;
}

/** Builds the HTTP app from its dependencies; tests call `app.request()` or listen on a port. */
export function createApp(deps: AppDeps) {
  const { config, logger, metrics } = deps;
  const app = new Hono<AppEnv>();

  app.use("*", requestId({ limitLength: 100, generator: callerOrFreshId }));
  app.use("*", requestLog(logger));
  app.use("*", auditMiddleware(deps.audit));
  app.use("*", async function jsonLimits(c, next) {
    c.set("maxJsonDepth", config.limits.max_json_depth);
    await next();
  });
  app.use(
    "/api/*",
    cors({
      origin: config.server.cors_origins,
      credentials: true,
      allowHeaders: ["Content-Type", "Authorization", "X-Api-Key", "X-Request-Id"],
    }),
  );
  const restBodyLimit = bodyLimit({
    maxSize: config.limits.rest_body_bytes,
    onError: (c) => {
      // The rest of the body is never read: close the connection so it cannot poison keep-alive.
      c.header("Connection", "close");
      throw new ChatError(
        ErrorCode.VALIDATION_FAILED,
        `the body exceeds ${config.limits.rest_body_bytes} bytes`,
        { status: 413 },
      );
    },
  });
  // Uploads have their own, larger limit (uploads.max_bytes), applied by the upload route.
  const UPLOAD_PATH = /^\/api\/v1\/chat\/channels\/[^/]+\/files\/?$/;
  app.use("/api/*", async function restBodyLimitUnlessUpload(c, next) {
    // GET and HEAD bodies are never read; checking them would also make @hono/node-server build a
    // full fetch Request for every read (≈ 8 % of a history page's CPU in the benchmark profile).
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    if (c.req.method === "POST" && UPLOAD_PATH.test(c.req.path)) return next();
    return restBodyLimit(c, next);
  });
  app.use("/api/*", principalMiddleware({ apiKeys: config.auth.api_keys, verifier: deps.verifier }));

  app.route(
    "/",
    serviceRoutes({
      ready: deps.ready,
      metrics,
      metricsToken: config.observability.metrics_token,
      // On its own listener (server.ts) instead: the main port answers 404.
      serveMetrics: !config.observability.metrics_listen,
    }),
  );
  app.get("/openapi.json", ...openApiRoute(app, config));

  app.route("/api/v1/chat/channels", channelRoutes(deps.chat, config));
  app.route("/api/v1/chat/users", userRoutes(deps.chat));
  app.route("/api/v1/chat/channels", channelSearchPinRoutes(deps.chat));
  app.route("/api/v1/chat/users", userSearchRoutes(deps.chat));
  if (deps.files) {
    app.route(
      "/api/v1/chat",
      fileRoutes({ chat: deps.chat, config, verifier: deps.verifier, ...deps.files }),
    );
  }
  deps.mount?.(app);

  app.notFound((c) =>
    c.json(
      { error: { code: ErrorCode.NOT_FOUND, message: `no route for ${c.req.method} ${c.req.path}` } },
      404,
    ),
  );
  app.onError((err, c) => errorResponse(c, err, logger, metrics));
  return app;
}
