import { isWebhookEventFilter, WEBHOOK_EVENT_FILTER_HELP } from "@podchat/protocol";
import { z } from "zod";

export const AppEnv = z.enum(["dev", "stg", "prod"]);
export type AppEnv = z.infer<typeof AppEnv>;

const port = z.coerce.number().int().min(0).max(65535);

/** @since 0.4 One webhook endpoint (docs/webhooks.md). */
export const WebhookEndpointConfig = z
  .object({
    /** Stable name: outbox rows, the admin and redelivery refer to the endpoint by it. */
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, '_', '.', '-' (1–64)"),
    url: z.url().refine((u) => /^https?:\/\//i.test(u), "must be an http:// or https:// URL"),
    /** HMAC-SHA256 key of the signature; never logged, masked in the admin. */
    secret: z.string().min(16, "must be at least 16 characters"),
    events: z.array(z.string().refine(isWebhookEventFilter, WEBHOOK_EVENT_FILTER_HELP)).min(1).default(["*"]),
    /** Environments (APP_ENV) the endpoint is active in; absent = all. */
    environments: z.array(AppEnv).min(1).optional(),
  })
  .strict();
export type WebhookEndpointConfig = z.infer<typeof WebhookEndpointConfig>;

const HookLanguage = z.enum(["en", "ko"]);

/** @since 0.4 One pre-store message hook (docs/configuration.md#message-hooks). */
const MessageHookConfig = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("profanity"),
      languages: z.array(HookLanguage).min(1).default(["en", "ko"]),
      /** `reject` refuses the message; `mask` stores it with the words as `*`. */
      action: z.enum(["reject", "mask"]).default("reject"),
      /** More words per language, matched like the built-in ones. */
      extra_words: z.partialRecord(HookLanguage, z.array(z.string().min(1))).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("links"),
      /** `reject`: no links; `allow_domains`: links to `domains` (and subdomains) only. */
      action: z.enum(["reject", "allow_domains"]).default("reject"),
      domains: z.array(z.string().min(1)).default([]),
    })
    .strict(),
  z
    .object({
      kind: z.literal("http"),
      url: z.url().refine((u) => /^https?:\/\//i.test(u), "must be an http:// or https:// URL"),
      /** HMAC-SHA256 key of the signature (as webhooks). */
      secret: z.string().min(16, "must be at least 16 characters"),
      timeout_ms: z.number().int().min(10).max(30_000).default(1000),
      /** What a time-out or a failed call means: accept (fail open) or reject (fail closed). */
      on_failure: z.enum(["accept", "reject"]).default("accept"),
      /** Requests in flight at once from this instance. */
      concurrency: z.number().int().min(1).max(1000).default(64),
    })
    .strict(),
]);

/** The whole configuration, after yaml and environment overrides are merged. */
export const ConfigSchema = z
  .object({
    env: AppEnv,
    version: z.string().default("0.1.0"),
    server: z
      .object({
        host: z.string().min(1).default("0.0.0.0"),
        port: port.default(8000),
        /** Public base URL clients reach this server at (transport discovery); derived when absent. */
        public_url: z.url().optional(),
        /** Browser origins allowed to open sockets; empty = any. */
        allowed_origins: z.array(z.string()).default([]),
        /** Origins allowed by CORS on the REST API (the admin dashboard). */
        cors_origins: z.array(z.string()).default(["http://localhost:3000", "http://127.0.0.1:3000"]),
      })
      .strict()
      .prefault({}),
    chat: z
      .object({
        use_websocket: z.boolean().default(true),
        /** Share of new channels (by stable hash of channel_url) the flag applies to, 0–100. */
        rollout_percent: z.number().min(0).max(100).default(100),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        jwt: z
          .object({
            secret: z.string().min(16, "must be at least 16 characters").optional(),
            jwks_url: z.url().optional(),
            issuer: z.string().optional(),
            audience: z.string().optional(),
            /** Allowed clock skew in seconds for exp/nbf, and for an `iat` in the future. */
            clock_tolerance_s: z.number().int().min(0).max(300).default(5),
            /**
             * @since 0.3 Longest accepted token lifetime, seconds: `exp - iat` (or `exp - now` for a
             * token without iat). Longer-lived tokens are refused with 4401.
             */
            max_lifetime_s: z
              .number()
              .int()
              .min(60)
              .default(7 * 24 * 3600),
            /** @since 0.3 Refuse tokens without exp. Default: true outside dev, false in dev. */
            require_exp: z.boolean().optional(),
          })
          .strict()
          .prefault({}),
        api_keys: z.array(z.string().min(8, "API keys must be at least 8 characters")).default([]),
        admin: z
          .object({
            username: z.string().min(1).default("admin"),
            password: z.string().min(1).optional(),
            /** Lifetime of an admin session token, seconds. */
            session_ttl_s: z
              .number()
              .int()
              .min(60)
              .default(8 * 3600),
            /** @since 0.4 Failed sign-ins allowed per IP and per username within login_window_s; then 429. */
            login_max_failures: z.number().int().min(1).default(5),
            /** @since 0.4 The window of login_max_failures, seconds. */
            login_window_s: z.number().int().min(1).default(60),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        driver: z.enum(["sqlite", "postgres"]).default("sqlite"),
        /**
         * @since 0.4 Lets APP_ENV=prod run on SQLite: one instance only, with the in-process bus
         * (docs/deploy.md, "Single node"). Without it prod refuses SQLite. `SINGLE_NODE=true` sets
         * this, store.driver sqlite and bus.driver memory at once.
         */
        allow_sqlite_in_prod: z.boolean().default(false),
        sqlite: z
          .object({
            path: z.string().min(1).default("./data/podchat.sqlite"),
            synchronous: z.enum(["normal", "full"]).default("normal"),
          })
          .strict()
          .prefault({}),
        postgres: z
          .object({
            url: z.string().optional(),
            max_connections: z.number().int().min(1).default(10),
            /** Schema holding podchat's tables (created when missing); default: the search_path. */
            schema: z
              .string()
              .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "letters, digits and _ only (max 63)")
              .optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    bus: z
      .object({
        driver: z.enum(["memory", "redis"]).default("memory"),
        redis: z
          .object({
            url: z.string().optional(),
            /** Key and channel namespace; every instance of one deployment must share it. */
            prefix: z
              .string()
              .regex(/^[A-Za-z0-9_.-]{1,64}$/)
              .default("podchat"),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    sendbird: z
      .object({
        app_id: z.string().optional(),
        api_token: z.string().optional(),
        base_url: z.url().optional(),
        timeout_ms: z.number().int().min(100).default(10_000),
        /**
         * @since 0.3 The user's Sendbird channels in the inbox (when Sendbird is configured): `auto`
         * asks Sendbird while the flag may create channels there or the user is in a channel routed
         * there; `always` asks for every inbox (channels made on Sendbird outside podchat); `off` never.
         */
        inbox: z.enum(["auto", "always", "off"]).default("auto"),
        /** @since 0.3 How long an inbox waits for Sendbird (retries included) before answering partial. */
        inbox_timeout_ms: z.number().int().min(100).default(5_000),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        max_frame_bytes: z
          .number()
          .int()
          .min(256)
          .max(16 * 1024 * 1024)
          .default(64 * 1024),
        messages_per_second: z.number().min(0.1).default(20),
        message_burst: z.number().int().min(1).default(40),
        max_connections_per_user: z.number().int().min(1).default(20),
        max_connections_per_ip: z.number().int().min(1).default(500),
        /** Channels one user connection may subscribe to at once (the inbox needs no subscription). */
        max_subscriptions_per_socket: z.number().int().min(1).default(1000),
        /** Bytes queued to one socket before it is dropped as a slow consumer. */
        send_queue_bytes: z
          .number()
          .int()
          .min(1024)
          .default(4 * 1024 * 1024),
        /**
         * Rate-limited frames one socket may send within `flood_window_ms` before it is closed with
         * 4429 (a client that ignores RATE_LIMITED and keeps flooding). 0 = never close.
         */
        flood_max_refusals: z.number().int().min(0).default(100),
        flood_window_ms: z.number().int().min(100).default(10_000),
        /** Deepest JSON nesting accepted in a frame or a REST body (objects and arrays). */
        max_json_depth: z.number().int().min(2).max(1000).default(32),
        /** Most messages replayed over the socket on resume; older ones are reported as a gap. */
        resume_max_messages: z.number().int().min(1).default(5000),
        rest_body_bytes: z
          .number()
          .int()
          .min(1024)
          .default(256 * 1024),
      })
      .strict()
      .prefault({}),
    realtime: z
      .object({
        /** Protocol ping interval; sockets silent for two intervals are terminated. */
        heartbeat_ms: z.number().int().min(100).default(25_000),
        /** @since 0.2 A typing indicator lapses this long after its last start (sent as expires_in_ms). */
        typing_expires_ms: z.number().int().min(1000).max(60_000).default(5000),
      })
      .strict()
      .prefault({}),
    uploads: z
      .object({
        /** @since 0.2 Largest accepted upload, bytes. */
        max_bytes: z
          .number()
          .int()
          .min(1)
          .default(10 * 1024 * 1024),
        /** MIME types accepted; the content must really be of the declared type. */
        allowed_types: z
          .array(z.string().min(1))
          .default(["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"]),
        /** Where the bytes live: `local` disk (default) or an S3-compatible bucket. */
        driver: z.enum(["local", "s3"]).default("local"),
        /** Local-disk storage folder. */
        dir: z.string().min(1).default("./data/uploads"),
        /** Longest side of the server-made image thumbnail, px. */
        thumbnail_px: z.number().int().min(16).max(2048).default(320),
        /**
         * @since 0.2 Store photos without their EXIF/XMP/IPTC metadata (GPS position, camera,
         * owner): a JPEG, PNG or WebP that carries any is re-encoded with its orientation applied.
         */
        strip_image_metadata: z.boolean().default(true),
        /** @since 0.2 S3-compatible storage (AWS S3, MinIO, Ceph, R2 …), used when driver is s3. */
        s3: z
          .object({
            /** Service URL; default: AWS S3 of `region`. */
            endpoint: z.url().optional(),
            region: z.string().min(1).default("us-east-1"),
            bucket: z
              .string()
              .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/, "letters, digits, '.', '_' and '-' (3–255)")
              .optional(),
            access_key_id: z.string().min(1).optional(),
            secret_access_key: z.string().min(1).optional(),
            /** Temporary (STS) credentials only. */
            session_token: z.string().min(1).optional(),
            /** `endpoint/bucket/key` URLs instead of `bucket.endpoint/key` (MinIO and most self-hosted services). */
            force_path_style: z.boolean().default(false),
            /** Prepended to every object key (a `/` is added when missing), e.g. `podchat/`. */
            prefix: z
              .string()
              .max(200)
              .regex(
                /^([A-Za-z0-9_.-]+\/)*[A-Za-z0-9_.-]*$/,
                "folders of letters, digits, '_', '-', '.' joined by '/'",
              )
              .refine(
                (p) => !p.split("/").some((seg) => seg === "." || seg === ".."),
                "no '.' or '..' folders",
              )
              .default(""),
            /** Per request to the storage, ms. */
            timeout_ms: z.number().int().min(100).default(30_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** @since 0.4 The audit log of admin and API-key actions (docs/admin.md#audit-log). */
    audit: z
      .object({
        /** Entries older than this many days are deleted (hourly); 0 keeps them forever. */
        retention_days: z.number().int().min(0).default(90),
      })
      .strict()
      .prefault({}),
    webhooks: z
      .object({
        endpoints: z.array(WebhookEndpointConfig).default([]),
        /** Per request, ms; a slower answer counts as a failure (retried). */
        timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
        /** Attempts before an event becomes a dead letter. */
        max_attempts: z.number().int().min(1).max(50).default(8),
        /** Wait after the first failure, ms; doubled after each next one, with jitter. */
        backoff_base_ms: z.number().int().min(10).default(60_000),
        /** Longest wait between two attempts, ms. */
        backoff_max_ms: z
          .number()
          .int()
          .min(10)
          .default(6 * 3600_000),
        /** Requests in flight at once from this instance, over all endpoints. */
        concurrency: z.number().int().min(1).max(1000).default(32),
        /** Requests in flight at once to one endpoint (a slow one cannot take every slot). */
        per_endpoint_concurrency: z.number().int().min(1).max(100).default(8),
        /** How often the outbox is polled for due rows, ms (a local change also wakes it). */
        poll_ms: z.number().int().min(10).default(1000),
        /** Delivered rows are kept this long (the admin's recent deliveries), hours. */
        retention_hours: z.number().min(0).default(72),
        /** Allow http:// endpoints in prod (they are always allowed in dev and stg). */
        allow_insecure_urls: z.boolean().default(false),
        /** Whether this instance sends (any number may; each event is sent once). */
        dispatch: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** @since 0.4 Messages: the pre-store hook chain (none by default: no work on the send path). */
    messages: z
      .object({ hooks: z.array(MessageHookConfig).default([]) })
      .strict()
      .prefault({}),
    /** @since 0.4 The events feed: every webhook event, numbered (docs/webhooks.md#the-events-feed). */
    events: z
      .object({
        feed: z
          .object({
            /** Off (the default): nothing is written, changes cost nothing extra. */
            enabled: z.boolean().default(false),
          })
          .strict()
          .prefault({}),
        /** Events older than this many hours are deleted (hourly); 0 keeps them forever. */
        retention_hours: z.number().min(0).default(168),
        /** Longest `wait_ms` a `GET /api/v1/events` long-poll may ask for. */
        max_wait_ms: z.number().int().min(0).max(120_000).default(30_000),
      })
      .strict()
      .prefault({}),
    shutdown: z
      .object({ grace_ms: z.number().int().min(0).default(10_000) })
      .strict()
      .prefault({}),
    /** @since 0.4 Who may read `/metrics`. */
    observability: z
      .object({
        /**
         * When set, `/metrics` wants `Authorization: Bearer <metrics_token>` (401 otherwise).
         * Unset (the default): it answers anyone who reaches the port.
         */
        metrics_token: z.string().min(16, "must be at least 16 characters").optional(),
        /**
         * `host:port` of a separate listener serving only `/metrics` (e.g. `127.0.0.1:9464`, or a
         * private interface); the main port then answers 404 for `/metrics`. Port 0: any free one.
         */
        metrics_listen: z
          .string()
          .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/, "must be host:port, e.g. 127.0.0.1:9464")
          .refine((v) => Number(v.slice(v.lastIndexOf(":") + 1)) <= 65535, "the port must be 0–65535")
          .optional(),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
