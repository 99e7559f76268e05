import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./index.ts";

const stgSecrets = {
  JWT_SECRET: "stg-secret-stg-secret-stg-secret",
  API_KEYS: "stg-api-key-123",
  ADMIN_PASSWORD: "a-real-password",
  DATABASE_URL: "postgres://x@127.0.0.1/db",
  REDIS_URL: "redis://127.0.0.1:6379",
};

describe("loadConfig", () => {
  it("loads config.dev.yaml by default with working dev defaults", () => {
    const { config, sources } = loadConfig({ env: {} });
    expect(config.env).toBe("dev");
    expect(config.chat.use_websocket).toBe(true);
    expect(config.server.port).toBe(8000);
    expect(config.store.driver).toBe("sqlite");
    expect(config.bus.driver).toBe("memory");
    expect(config.limits.max_frame_bytes).toBe(65536);
    expect(sources).toEqual({ useWebsocketPinned: false, yamlUseWebsocket: true });
  });

  it("picks the file by APP_ENV and lets USE_WEBSOCKET_CHAT pin the flag", () => {
    const stg = loadConfig({ env: { APP_ENV: "stg", ...stgSecrets } });
    expect(stg.config.env).toBe("stg");
    expect(stg.config.chat.use_websocket).toBe(false);
    expect(stg.config.store.driver).toBe("postgres");
    const pinned = loadConfig({ env: { APP_ENV: "stg", ...stgSecrets, USE_WEBSOCKET_CHAT: "true" } });
    expect(pinned.config.chat.use_websocket).toBe(true);
    expect(pinned.sources).toEqual({ useWebsocketPinned: true, yamlUseWebsocket: false });
    const off = loadConfig({ env: { USE_WEBSOCKET_CHAT: "false" } });
    expect(off.config.chat.use_websocket).toBe(false);
  });

  it("applies environment overrides for port, database and JWT settings", () => {
    const { config } = loadConfig({
      env: {
        PORT: "9001",
        DATABASE_URL: "postgres://u@127.0.0.1/x",
        REDIS_URL: "redis://127.0.0.1:6380",
        JWT_ISSUER: "me",
        JWT_AUDIENCE: "podchat",
      },
    });
    expect(config.server.port).toBe(9001);
    expect(config.store).toMatchObject({ driver: "postgres", postgres: { url: "postgres://u@127.0.0.1/x" } });
    expect(config.bus).toMatchObject({ driver: "redis", redis: { url: "redis://127.0.0.1:6380" } });
    expect(config.auth.jwt).toMatchObject({ issuer: "me", audience: "podchat" });
  });

  it("names the bad key in its error", () => {
    expect(() => loadConfig({ env: { PORT: "eighty" } })).toThrow(/PORT must be a number/);
    expect(() => loadConfig({ env: { PORT: "70000" } })).toThrow(/server\.port/);
    expect(() => loadConfig({ env: { USE_WEBSOCKET_CHAT: "maybe" } })).toThrow(
      /USE_WEBSOCKET_CHAT must be true or false/,
    );
    expect(() => loadConfig({ env: { APP_ENV: "qa" } })).toThrow(/APP_ENV must be one of dev, stg, prod/);
    expect(() => loadConfig({ env: {}, overrides: { limits: { max_frame_bytes: "big" } } })).toThrow(
      /limits\.max_frame_bytes/,
    );
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(
      join(dir, "config.dev.yaml"),
      "chat:\n  use_websocket: yes-please\n  typo_key: 1\nauth:\n  jwt:\n    secret: 0123456789abcdef0123\n",
    );
    try {
      loadConfig({ env: {}, configDir: dir });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toMatch(/chat\.use_websocket/);
      expect((e as Error).message).toMatch(/typo_key/);
    }
  });

  it("refuses to start stg or prod with missing or dev-default secrets", () => {
    expect(() =>
      loadConfig({ env: { APP_ENV: "prod", DATABASE_URL: "postgres://x", REDIS_URL: "redis://x" } }),
    ).toThrow(/JWT_SECRET/);
    expect(() =>
      loadConfig({
        env: { APP_ENV: "prod", ...stgSecrets, JWT_SECRET: "dev-only-jwt-secret-change-me-0123456789" },
      }),
    ).toThrow(/dev default/);
    expect(() => loadConfig({ env: { APP_ENV: "prod", ...stgSecrets, API_KEYS: "dev-api-key" } })).toThrow(
      /API_KEYS/,
    );
    expect(() => loadConfig({ env: { APP_ENV: "prod", ...stgSecrets, ADMIN_PASSWORD: "" } })).toThrow(
      /ADMIN_PASSWORD/,
    );
    expect(() => loadConfig({ env: { APP_ENV: "prod", ...stgSecrets, DATABASE_URL: "" } })).toThrow(
      /DATABASE_URL/,
    );
    expect(loadConfig({ env: { APP_ENV: "prod", ...stgSecrets } }).config.env).toBe("prod");
  });
});
