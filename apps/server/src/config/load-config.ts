import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { AppEnv, type Config, ConfigSchema } from "./config-schema.ts";

/** Secrets shipped in config.dev.yaml: fine in dev, refused anywhere else. */
export const DEV_SECRETS = {
  jwtSecret: "dev-only-jwt-secret-change-me-0123456789",
  apiKey: "dev-api-key",
  adminPassword: "admin",
} as const;

/** Passwords a guesser tries first: refused for the admin outside dev, like the dev default. */
const WELL_KNOWN_PASSWORDS = new Set(["admin", "password", "changeme", "change-me", "podchat", "secret"]);

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }

  /** The message on one line (a start-up error is one line): the listed problems joined by "; ". */
  get line(): string {
    const [head = "", ...problems] = this.message.split("\n").map((l) => l.trim());
    const rest = problems.filter(Boolean);
    return rest.length === 0 ? head : `${head} ${rest.join("; ")}`;
  }
}

/** Where a value came from, for what the admin shows ("env-pinned", "yaml"). */
export interface ConfigSources {
  /** `USE_WEBSOCKET_CHAT` was set: the flag is pinned for this environment. */
  useWebsocketPinned: boolean;
  /** The yaml file's own value of chat.use_websocket (before env overrides). */
  yamlUseWebsocket: boolean;
}

export interface LoadConfigOptions {
  /** Environment variables (defaults to process.env). */
  env?: Record<string, string | undefined>;
  /** Folder holding config.{env}.yaml (defaults to apps/server/config, or CONFIG_DIR). */
  configDir?: string;
  /** Deep-merged over yaml and env (tests). */
  overrides?: Record<string, unknown>;
}

/**
 * The package's own `config/` folder: beside the nearest package.json above this module, so it is
 * found from the sources (src/config/) and from the built bundle (dist/) alike.
 */
const defaultConfigDir = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, "config");
})();

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  }
  return out;
}

function setPath(target: Obj, path: string, value: unknown) {
  const keys = path.split(".");
  let cur = target;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as Obj;
  }
  cur[keys[keys.length - 1]!] = value;
}

function parseBool(name: string, raw: string): boolean {
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`config error: ${name} must be true or false, got "${raw}"`);
}

function parseNumber(name: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n))
    throw new ConfigError(`config error: ${name} must be a number, got "${raw}"`);
  return n;
}

const list = (raw: string) =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Loads `config.{APP_ENV}.yaml`, applies environment overrides, validates, and refuses dev secrets
 * outside dev. Throws ConfigError naming the bad key. The only place that reads the environment.
 */
export function loadConfig(options: LoadConfigOptions = {}): { config: Config; sources: ConfigSources } {
  const env = options.env ?? process.env;
  const envName = AppEnv.safeParse(env.APP_ENV ?? "dev");
  if (!envName.success)
    throw new ConfigError(`config error: APP_ENV must be one of dev, stg, prod, got "${env.APP_ENV}"`);
  const appEnv = envName.data;

  const dir = resolve(options.configDir ?? env.CONFIG_DIR ?? defaultConfigDir);
  const file = join(dir, `config.${appEnv}.yaml`);
  if (!existsSync(file)) throw new ConfigError(`config error: ${file} not found`);
  let yaml: unknown;
  try {
    yaml = parseYaml(readFileSync(file, "utf8")) ?? {};
  } catch (e) {
    throw new ConfigError(`config error: ${file} is not valid YAML: ${(e as Error).message}`);
  }
  if (!isObj(yaml)) throw new ConfigError(`config error: ${file} must hold a mapping`);
  const yamlUseWebsocket =
    isObj(yaml.chat) && typeof yaml.chat.use_websocket === "boolean" ? yaml.chat.use_websocket : true;

  const fromEnv: Obj = {};
  const str = (name: string, path: string) => {
    const v = env[name];
    if (v !== undefined && v !== "") setPath(fromEnv, path, v);
  };
  const num = (name: string, path: string) => {
    const v = env[name];
    if (v !== undefined && v !== "") setPath(fromEnv, path, parseNumber(name, v));
  };
  str("HOST", "server.host");
  num("PORT", "server.port");
  str("PUBLIC_URL", "server.public_url");
  if (env.ALLOWED_ORIGINS) setPath(fromEnv, "server.allowed_origins", list(env.ALLOWED_ORIGINS));
  if (env.CORS_ORIGINS) setPath(fromEnv, "server.cors_origins", list(env.CORS_ORIGINS));
  const pinned = env.USE_WEBSOCKET_CHAT !== undefined && env.USE_WEBSOCKET_CHAT !== "";
  if (pinned)
    setPath(fromEnv, "chat.use_websocket", parseBool("USE_WEBSOCKET_CHAT", env.USE_WEBSOCKET_CHAT!));
  num("CHAT_ROLLOUT_PERCENT", "chat.rollout_percent");
  str("JWT_SECRET", "auth.jwt.secret");
  str("JWT_JWKS_URL", "auth.jwt.jwks_url");
  str("JWT_ISSUER", "auth.jwt.issuer");
  str("JWT_AUDIENCE", "auth.jwt.audience");
  num("JWT_MAX_LIFETIME_S", "auth.jwt.max_lifetime_s");
  if (env.JWT_REQUIRE_EXP)
    setPath(fromEnv, "auth.jwt.require_exp", parseBool("JWT_REQUIRE_EXP", env.JWT_REQUIRE_EXP));
  if (env.API_KEYS) setPath(fromEnv, "auth.api_keys", list(env.API_KEYS));
  str("ADMIN_USERNAME", "auth.admin.username");
  str("ADMIN_PASSWORD", "auth.admin.password");
  if (env.DATABASE_URL) {
    setPath(fromEnv, "store.driver", "postgres");
    setPath(fromEnv, "store.postgres.url", env.DATABASE_URL);
  }
  str("DATABASE_SCHEMA", "store.postgres.schema");
  str("SQLITE_PATH", "store.sqlite.path");
  if (env.REDIS_URL) {
    setPath(fromEnv, "bus.driver", "redis");
    setPath(fromEnv, "bus.redis.url", env.REDIS_URL);
  }
  str("REDIS_PREFIX", "bus.redis.prefix");
  str("SENDBIRD_APP_ID", "sendbird.app_id");
  str("SENDBIRD_API_TOKEN", "sendbird.api_token");
  str("SENDBIRD_BASE_URL", "sendbird.base_url");
  // @since 0.5 Push credentials (docs/push.md): secrets belong in the environment, not the yaml.
  str("PUSH_VAPID_PUBLIC_KEY", "push.web_push.vapid_public_key");
  str("PUSH_VAPID_PRIVATE_KEY", "push.web_push.vapid_private_key");
  str("PUSH_VAPID_SUBJECT", "push.web_push.subject");
  str("PUSH_FCM_PROJECT_ID", "push.fcm.project_id");
  str("PUSH_FCM_CLIENT_EMAIL", "push.fcm.client_email");
  str("PUSH_FCM_PRIVATE_KEY", "push.fcm.private_key");
  str("PUSH_APNS_KEY_ID", "push.apns.key_id");
  str("PUSH_APNS_TEAM_ID", "push.apns.team_id");
  str("PUSH_APNS_PRIVATE_KEY", "push.apns.private_key");
  str("PUSH_APNS_TOPIC", "push.apns.topic");
  str("PUSH_APNS_BASE_URL", "push.apns.base_url");
  str("UPLOADS_DRIVER", "uploads.driver");
  str("UPLOADS_DIR", "uploads.dir");
  // S3_BUCKET selects S3 storage (like DATABASE_URL selects PostgreSQL) unless UPLOADS_DRIVER says otherwise.
  if (env.S3_BUCKET && !env.UPLOADS_DRIVER) setPath(fromEnv, "uploads.driver", "s3");
  str("S3_BUCKET", "uploads.s3.bucket");
  str("S3_ENDPOINT", "uploads.s3.endpoint");
  str("S3_REGION", "uploads.s3.region");
  str("S3_PREFIX", "uploads.s3.prefix");
  if (env.S3_FORCE_PATH_STYLE)
    setPath(
      fromEnv,
      "uploads.s3.force_path_style",
      parseBool("S3_FORCE_PATH_STYLE", env.S3_FORCE_PATH_STYLE),
    );
  // The AWS SDK's standard variables work too; the S3_* ones win.
  str("AWS_ACCESS_KEY_ID", "uploads.s3.access_key_id");
  str("AWS_SECRET_ACCESS_KEY", "uploads.s3.secret_access_key");
  str("AWS_SESSION_TOKEN", "uploads.s3.session_token");
  str("S3_ACCESS_KEY_ID", "uploads.s3.access_key_id");
  str("S3_SECRET_ACCESS_KEY", "uploads.s3.secret_access_key");
  str("S3_SESSION_TOKEN", "uploads.s3.session_token");
  str("LOG_LEVEL", "log.level");
  str("METRICS_TOKEN", "observability.metrics_token");
  str("METRICS_LISTEN", "observability.metrics_listen");
  if (env.SINGLE_NODE && parseBool("SINGLE_NODE", env.SINGLE_NODE)) {
    if (env.DATABASE_URL || env.REDIS_URL)
      throw new ConfigError(
        "config error: SINGLE_NODE=true runs on SQLite and the in-process bus; unset DATABASE_URL and REDIS_URL (or SINGLE_NODE)",
      );
    setPath(fromEnv, "store.driver", "sqlite");
    setPath(fromEnv, "store.allow_sqlite_in_prod", true);
    setPath(fromEnv, "bus.driver", "memory");
  }
  const envWebhook = webhookFromEnv(env);

  const merged = deepMerge(deepMerge({ ...(yaml as Obj), env: appEnv }, fromEnv), options.overrides ?? {});
  if (envWebhook) {
    // One endpoint from the environment, added to the yaml's (replacing one of the same id).
    const hooks = isObj(merged.webhooks) ? { ...merged.webhooks } : {};
    const list = Array.isArray(hooks.endpoints) ? (hooks.endpoints as unknown[]) : [];
    hooks.endpoints = [...list.filter((e) => !(isObj(e) && e.id === envWebhook.id)), envWebhook];
    merged.webhooks = hooks;
  }
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = i.path.join(".") || "(root)";
      return i.code === "unrecognized_keys"
        ? `${key}: unknown key(s) ${i.keys.join(", ")}`
        : `${key}: ${i.message}`;
    });
    throw new ConfigError(`config error in ${file} (+ environment):\n  ${lines.join("\n  ")}`);
  }
  const config = parsed.data;
  config.auth.jwt.require_exp ??= config.env !== "dev";
  checkSecrets(config);
  if (config.auth.admin.session_ttl_s > config.auth.jwt.max_lifetime_s) {
    throw new ConfigError(
      `config error: auth.admin.session_ttl_s (${config.auth.admin.session_ttl_s}) exceeds auth.jwt.max_lifetime_s (${config.auth.jwt.max_lifetime_s}): admin sessions would be refused`,
    );
  }
  if (config.store.driver === "postgres" && !config.store.postgres.url) {
    throw new ConfigError(
      "config error: store.postgres.url is required when store.driver is postgres (set DATABASE_URL)",
    );
  }
  if (config.bus.driver === "redis" && !config.bus.redis.url) {
    throw new ConfigError("config error: bus.redis.url is required when bus.driver is redis (set REDIS_URL)");
  }
  if (config.env === "prod" && config.store.driver === "sqlite" && !config.store.allow_sqlite_in_prod) {
    throw new ConfigError(
      "config error: APP_ENV=prod needs PostgreSQL (store.driver postgres, DATABASE_URL) and Redis (REDIS_URL); " +
        "for one instance on SQLite, opt in with SINGLE_NODE=true (store.allow_sqlite_in_prod) — see docs/deploy.md",
    );
  }
  checkUploads(config);
  checkWebhooks(config);
  return { config, sources: { useWebsocketPinned: pinned, yamlUseWebsocket } };
}

/**
 * What an operator should know about a config that starts (logged as warnings at start): the
 * single-node production profile's limits, and a `/metrics` anyone can read outside dev.
 */
export function configWarnings(config: Config): string[] {
  const out: string[] = [];
  if (config.env === "prod" && config.store.driver === "sqlite") {
    out.push(
      "APP_ENV=prod on SQLite (store.allow_sqlite_in_prod): run exactly ONE instance on this data folder; " +
        "no rolling restarts (clients reconnect when it is back), back it up with `podchat backup` — docs/deploy.md",
    );
  }
  if (config.env === "prod" && config.store.driver === "sqlite" && config.bus.driver === "redis") {
    out.push(
      "bus.driver is redis but the SQLite store cannot be shared: a second instance would see other data",
    );
  }
  const { metrics_token, metrics_listen } = config.observability;
  if (config.env !== "dev" && !metrics_token && !metrics_listen) {
    out.push(
      "/metrics answers anyone who reaches the server's port: set observability.metrics_token (METRICS_TOKEN) " +
        "or observability.metrics_listen (METRICS_LISTEN), or block /metrics at the proxy",
    );
  }
  return out;
}

/** PODCHAT_WEBHOOK_URL / _SECRET (both needed) / _EVENTS (comma list, default *) / _ID (default `env`). */
function webhookFromEnv(env: Record<string, string | undefined>): Obj | null {
  const url = env.PODCHAT_WEBHOOK_URL;
  const secret = env.PODCHAT_WEBHOOK_SECRET;
  if (!url && !secret) return null;
  if (!url || !secret) {
    throw new ConfigError(
      "config error: PODCHAT_WEBHOOK_URL and PODCHAT_WEBHOOK_SECRET must be set together",
    );
  }
  return {
    id: env.PODCHAT_WEBHOOK_ID || "env",
    url,
    secret,
    events: env.PODCHAT_WEBHOOK_EVENTS ? list(env.PODCHAT_WEBHOOK_EVENTS) : ["*"],
  };
}

function checkWebhooks(config: Config) {
  const { endpoints, allow_insecure_urls } = config.webhooks;
  const seen = new Set<string>();
  for (const [i, e] of endpoints.entries()) {
    if (seen.has(e.id))
      throw new ConfigError(`config error: webhooks.endpoints.${i}.id: "${e.id}" is used twice`);
    seen.add(e.id);
    if (config.env === "prod" && !allow_insecure_urls && !e.url.toLowerCase().startsWith("https://")) {
      throw new ConfigError(
        `config error: webhooks.endpoints.${i}.url: APP_ENV=prod needs https:// (or webhooks.allow_insecure_urls: true)`,
      );
    }
  }
}

function checkUploads(config: Config) {
  const { driver, s3 } = config.uploads;
  if (driver !== "s3") return;
  const missing: string[] = [];
  if (!s3.bucket) missing.push("uploads.s3.bucket (S3_BUCKET)");
  if (!s3.access_key_id) missing.push("uploads.s3.access_key_id (S3_ACCESS_KEY_ID or AWS_ACCESS_KEY_ID)");
  if (!s3.secret_access_key)
    missing.push("uploads.s3.secret_access_key (S3_SECRET_ACCESS_KEY or AWS_SECRET_ACCESS_KEY)");
  if (missing.length > 0) {
    throw new ConfigError(
      `config error: uploads.driver is s3 but these are missing:\n  ${missing.join("\n  ")}`,
    );
  }
}

function checkSecrets(config: Config) {
  const { jwt, api_keys, admin } = config.auth;
  if (!jwt.secret && !jwt.jwks_url) {
    throw new ConfigError(
      "config error: auth.jwt.secret or auth.jwt.jwks_url is required (set JWT_SECRET or JWT_JWKS_URL)",
    );
  }
  if (config.env === "dev") return;
  const bad: string[] = [];
  if (jwt.secret === DEV_SECRETS.jwtSecret) bad.push("auth.jwt.secret (JWT_SECRET) is the dev default");
  if (api_keys.length === 0) bad.push("auth.api_keys (API_KEYS) is missing");
  if (api_keys.includes(DEV_SECRETS.apiKey)) bad.push("auth.api_keys (API_KEYS) contains the dev default");
  if (!admin.password) bad.push("auth.admin.password (ADMIN_PASSWORD) is missing");
  else if (admin.password === DEV_SECRETS.adminPassword)
    bad.push("auth.admin.password (ADMIN_PASSWORD) is the dev default");
  else if (admin.password === admin.username)
    bad.push("auth.admin.password (ADMIN_PASSWORD) is the username");
  else if (WELL_KNOWN_PASSWORDS.has(admin.password.toLowerCase()))
    bad.push("auth.admin.password (ADMIN_PASSWORD) is a well-known default");
  if (bad.length > 0) {
    throw new ConfigError(`config error: APP_ENV=${config.env} refuses to start:\n  ${bad.join("\n  ")}`);
  }
}

/**
 * The chat flag values written in another environment's yaml (for the admin's table of all
 * environments). Only reads `chat.*`; null where the file or the key is missing.
 */
export function readYamlChatFlags(
  env: string,
  configDir?: string,
): { use_websocket: boolean | null; rollout_percent: number | null } {
  const file = join(resolve(configDir ?? defaultConfigDir), `config.${env}.yaml`);
  try {
    const doc = parseYaml(readFileSync(file, "utf8")) as unknown;
    const chat = isObj(doc) && isObj(doc.chat) ? doc.chat : {};
    return {
      use_websocket: typeof chat.use_websocket === "boolean" ? chat.use_websocket : null,
      rollout_percent: typeof chat.rollout_percent === "number" ? chat.rollout_percent : null,
    };
  } catch {
    return { use_websocket: null, rollout_percent: null };
  }
}
