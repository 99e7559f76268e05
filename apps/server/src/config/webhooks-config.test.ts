import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./index.ts";

const prodSecrets = {
  APP_ENV: "prod",
  JWT_SECRET: "prod-secret-prod-secret-prod-secret",
  API_KEYS: "prod-api-key-123",
  ADMIN_PASSWORD: "a-real-password",
  DATABASE_URL: "postgres://x@127.0.0.1/db",
  REDIS_URL: "redis://127.0.0.1:6379",
};
const secret = "whsec_0123456789abcdef";
const endpoint = (extra: Record<string, unknown> = {}) => ({
  id: "backend",
  url: "https://hooks.example.com/p",
  secret,
  ...extra,
});
const load = (env: Record<string, string>, webhooks: Record<string, unknown>) =>
  loadConfig({ env, overrides: { webhooks } });

describe("webhooks config", () => {
  it("has no endpoint by default, and documented defaults", () => {
    const { config } = loadConfig({ env: {} });
    expect(config.webhooks).toMatchObject({
      endpoints: [],
      timeout_ms: 10_000,
      max_attempts: 8,
      backoff_base_ms: 60_000,
      concurrency: 32,
      per_endpoint_concurrency: 8,
      allow_insecure_urls: false,
      dispatch: true,
    });
  });

  it("takes endpoints from yaml with events defaulting to every event", () => {
    const { config } = load({}, { endpoints: [endpoint({ environments: ["dev", "stg"] })] });
    expect(config.webhooks.endpoints).toEqual([
      { ...endpoint(), events: ["*"], environments: ["dev", "stg"] },
    ]);
  });

  it("adds one endpoint from PODCHAT_WEBHOOK_URL / _SECRET / _EVENTS", () => {
    const { config } = load(
      {
        PODCHAT_WEBHOOK_URL: "http://127.0.0.1:9000/hooks",
        PODCHAT_WEBHOOK_SECRET: secret,
        PODCHAT_WEBHOOK_EVENTS: "message.*, member.added",
      },
      { endpoints: [endpoint()] },
    );
    expect(config.webhooks.endpoints.map((e) => [e.id, e.url, e.events])).toEqual([
      ["backend", "https://hooks.example.com/p", ["*"]],
      ["env", "http://127.0.0.1:9000/hooks", ["message.*", "member.added"]],
    ]);
    expect(() => loadConfig({ env: { PODCHAT_WEBHOOK_URL: "http://x.example/h" } })).toThrow(
      /must be set together/,
    );
  });

  it("refuses bad endpoints with the key at fault, never echoing the secret", () => {
    const bad = (e: Record<string, unknown>, pattern: RegExp) => {
      try {
        load({}, { endpoints: [endpoint(e)] });
        throw new Error("accepted");
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toMatch(pattern);
        expect((err as Error).message).not.toContain(secret);
      }
    };
    bad({ url: "ftp://x.example/h" }, /webhooks\.endpoints\.0\.url: must be an http/);
    bad({ url: "not a url" }, /webhooks\.endpoints\.0\.url/);
    bad({ secret: "short" }, /webhooks\.endpoints\.0\.secret: must be at least 16/);
    bad({ events: ["message.exploded"] }, /webhooks\.endpoints\.0\.events\.0: an event type/);
    bad({ id: "has space" }, /webhooks\.endpoints\.0\.id/);
    bad({ environments: ["qa"] }, /webhooks\.endpoints\.0\.environments/);
    expect(() => load({}, { endpoints: [endpoint(), endpoint()] })).toThrow(/"backend" is used twice/);
  });

  it("needs https:// in prod unless allow_insecure_urls", () => {
    const insecure = { endpoints: [endpoint({ url: "http://hooks.internal/p" })] };
    expect(() => load(prodSecrets, insecure)).toThrow(/APP_ENV=prod needs https:\/\//);
    expect(
      load(prodSecrets, { ...insecure, allow_insecure_urls: true }).config.webhooks.endpoints,
    ).toHaveLength(1);
    expect(load(prodSecrets, { endpoints: [endpoint()] }).config.webhooks.endpoints).toHaveLength(1);
    expect(load({}, insecure).config.webhooks.endpoints).toHaveLength(1);
  });
});
