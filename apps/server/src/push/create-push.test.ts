import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config/index.ts";
import { createLogger } from "../observability/logger.ts";
import { createInProcessPresence } from "../presence/in-process-presence.ts";
import type { MessageStore } from "../store/message-store.ts";
import { createPushFromConfig } from "./create-push.ts";
import { generateVapidKeys } from "./web-push-provider.ts";

const prodSecrets = {
  APP_ENV: "stg",
  JWT_SECRET: "stg-secret-stg-secret-stg-secret-1",
  API_KEYS: "stg-api-key-12345",
  ADMIN_PASSWORD: "a-real-password",
  DATABASE_URL: "postgres://x@127.0.0.1/db",
  REDIS_URL: "redis://127.0.0.1:6379",
};

function setup(env: Record<string, string>, push: Record<string, unknown> = {}) {
  const { config } = loadConfig({ env, overrides: { push } });
  const lines: string[] = [];
  const logger = createLogger("info", {}, { write: (l: string) => lines.push(l) });
  const made = createPushFromConfig({
    config,
    store: {} as MessageStore,
    presence: createInProcessPresence(),
    logger,
  });
  return { config, made, logs: lines.join("") };
}

describe("push config", () => {
  it("has defaults (docs/configuration.md)", () => {
    const { config } = loadConfig({ env: {} });
    expect(config.push).toMatchObject({
      enabled: true,
      grace_ms: 3000,
      collapse_window_ms: 60_000,
      ttl_s: 86_400,
      templates: { title: "{channel_name}", body: "{sender}: {message}" },
      web_push: { subject: "mailto:admin@localhost" },
      fcm: { token_uri: "https://oauth2.googleapis.com/token", base_url: "https://fcm.googleapis.com" },
      apns: { base_url: "https://api.push.apple.com" },
    });
  });

  it("takes the credentials from the environment", () => {
    const { config } = loadConfig({
      env: { PUSH_VAPID_PUBLIC_KEY: "pub", PUSH_VAPID_PRIVATE_KEY: "priv", PUSH_APNS_TOPIC: "com.example" },
    });
    expect(config.push.web_push).toMatchObject({ vapid_public_key: "pub", vapid_private_key: "priv" });
    expect(config.push.apns.topic).toBe("com.example");
  });

  it("refuses bad values, naming the key", () => {
    expect(() => loadConfig({ env: {}, overrides: { push: { web_push: { subject: "admin" } } } })).toThrow(
      /push\.web_push\.subject/,
    );
    expect(() => loadConfig({ env: {}, overrides: { push: { grace_ms: -1 } } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, overrides: { push: { apns: { base_url: "nope" } } } })).toThrow(
      /push\.apns\.base_url/,
    );
  });

  it("dev without VAPID keys generates a pair and says so (info), without logging the private key", () => {
    const { made, logs } = setup({ APP_ENV: "dev" });
    expect(made.vapidPublicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(logs).toMatch(/generated a key pair for this process only/);
    expect(logs).not.toContain(made.vapidPublicKey);
  });

  it("stg without VAPID keys turns Web Push off; configured keys are used and never logged", () => {
    expect(setup(prodSecrets).made.vapidPublicKey).toBeNull();
    expect(setup(prodSecrets).logs).toMatch(/Web Push is off/);
    const keys = generateVapidKeys();
    const apnsKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const { made, logs, config } = setup(prodSecrets, {
      web_push: { vapid_public_key: keys.publicKey, vapid_private_key: keys.privateKey },
      apns: { key_id: "K", team_id: "T", private_key: apnsKey },
    });
    expect(made.vapidPublicKey).toBe(keys.publicKey);
    expect(made.service.enabled).toBe(true);
    expect(logs).not.toContain(keys.privateKey);
    // A log line that carries the config by mistake has its keys redacted.
    const lines: string[] = [];
    createLogger("info", {}, { write: (l: string) => lines.push(l) }).info({ push: config.push.apns }, "x");
    expect(lines.join("")).not.toContain("BEGIN PRIVATE KEY");
  });
});
