import { type Config, ConfigError, configWarnings, loadConfig } from "../config/index.ts";
import { CliError, cliConfigOptions, type GlobalOptions } from "./cli-error.ts";
import { storeLocation } from "./startup-error.ts";

const days = (s: number) => (s % 86_400 === 0 ? `${s / 86_400}d` : s % 3600 === 0 ? `${s / 3600}h` : `${s}s`);

/** A summary of what this config starts, for `podchat check-config`. */
function describe(config: Config): string[] {
  const { jwt } = config.auth;
  const lines = [
    `podchat check-config: APP_ENV=${config.env} is valid`,
    `  listen     ${config.server.host}:${config.server.port}${config.server.public_url ? ` (public ${config.server.public_url})` : ""}`,
    `  store      ${storeLocation(config)}`,
    `  bus        ${config.bus.driver === "redis" ? `Redis (prefix ${config.bus.redis.prefix})` : "in-process (one instance)"}`,
    `  uploads    ${config.uploads.driver === "s3" ? `S3 bucket ${config.uploads.s3.bucket}` : `local folder ${config.uploads.dir}`}`,
    `  tokens     ${jwt.jwks_url ? `JWKS ${jwt.jwks_url}` : "HS256 shared secret"}, lifetime at most ${days(jwt.max_lifetime_s)}, exp ${jwt.require_exp ? "required" : "optional"}${jwt.issuer ? `, iss ${jwt.issuer}` : ""}${jwt.audience ? `, aud ${jwt.audience}` : ""}`,
    `  chat flag  use_websocket=${config.chat.use_websocket} rollout=${config.chat.rollout_percent}%`,
    `  metrics    ${config.observability.metrics_listen ? `on ${config.observability.metrics_listen}` : "on the main port"}${config.observability.metrics_token ? ", Bearer token required" : ", open"}`,
  ];
  if (config.env !== "dev" && !jwt.require_exp)
    lines.push("  warning: tokens without exp are accepted outside dev");
  if (config.env === "stg" && config.store.driver === "sqlite")
    lines.push("  warning: SQLite outside dev: one instance only, back it up with `podchat backup`");
  // The warnings the server logs at start.
  for (const w of configWarnings(config)) lines.push(`  warning: ${w}`);
  return lines;
}

/** `podchat check-config`: loads the config for APP_ENV; prints every problem, exit 2, or a summary. */
export function runCheckConfig(global: GlobalOptions): string {
  try {
    return describe(loadConfig(cliConfigOptions(global)).config).join("\n");
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 2);
    throw e;
  }
}
