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
    expect(loadConfig({ env: {} }).config.sendbird).toMatchObject({ inbox: "auto", inbox_timeout_ms: 5000 });
    expect(() => loadConfig({ env: {}, overrides: { sendbird: { inbox: "sometimes" } } })).toThrow(
      /sendbird\.inbox/,
    );
    expect(() => loadConfig({ env: {}, overrides: { sendbird: { inbox_timeout_ms: 5 } } })).toThrow(
      /sendbird\.inbox_timeout_ms/,
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

  it("refuses the shipped admin password, the username or a well-known one outside dev; dev keeps admin/admin", () => {
    for (const env of ["stg", "prod"])
      expect(() => loadConfig({ env: { APP_ENV: env, ...stgSecrets, ADMIN_PASSWORD: "admin" } })).toThrow(
        new RegExp(
          `APP_ENV=${env} refuses to start:\\s+auth\\.admin\\.password \\(ADMIN_PASSWORD\\) is the dev default$`,
        ),
      );
    expect(() =>
      loadConfig({
        env: { APP_ENV: "prod", ...stgSecrets, ADMIN_USERNAME: "ops-lead", ADMIN_PASSWORD: "ops-lead" },
      }),
    ).toThrow(/ADMIN_PASSWORD\) is the username/);
    expect(() => loadConfig({ env: { APP_ENV: "stg", ...stgSecrets, ADMIN_PASSWORD: "ChangeMe" } })).toThrow(
      /ADMIN_PASSWORD\) is a well-known default/,
    );
    expect(loadConfig({ env: { APP_ENV: "prod", ...stgSecrets } }).config.auth.admin.password).toBe(
      "a-real-password",
    );
    const dev = loadConfig({ env: {} }).config.auth.admin;
    expect([dev.username, dev.password]).toEqual(["admin", "admin"]);
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

  it("keeps uploads on local disk by default and selects S3-compatible storage from the environment", () => {
    const local = loadConfig({ env: {} }).config.uploads;
    expect(local).toMatchObject({ driver: "local", dir: "./data/uploads" });
    expect(local.s3).toMatchObject({ region: "us-east-1", force_path_style: false, prefix: "" });

    const { uploads } = loadConfig({
      env: {
        S3_BUCKET: "chat-files",
        S3_ENDPOINT: "http://127.0.0.1:9000",
        S3_REGION: "eu-central-1",
        S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
        S3_SECRET_ACCESS_KEY: "s3cr3t",
        S3_FORCE_PATH_STYLE: "true",
        S3_PREFIX: "podchat/",
        AWS_ACCESS_KEY_ID: "ignored-when-S3_ACCESS_KEY_ID-is-set",
      },
    }).config;
    expect(uploads.driver).toBe("s3");
    expect(uploads.s3).toEqual({
      bucket: "chat-files",
      endpoint: "http://127.0.0.1:9000",
      region: "eu-central-1",
      access_key_id: "AKIAEXAMPLE",
      secret_access_key: "s3cr3t",
      force_path_style: true,
      prefix: "podchat/",
      timeout_ms: 30_000,
    });
    // The AWS SDK's standard credential variables are used when the S3_* ones are absent.
    const aws = loadConfig({
      env: {
        S3_BUCKET: "b-1",
        AWS_ACCESS_KEY_ID: "AKIA2",
        AWS_SECRET_ACCESS_KEY: "x",
        AWS_SESSION_TOKEN: "tok",
      },
    }).config.uploads.s3;
    expect(aws).toMatchObject({ access_key_id: "AKIA2", secret_access_key: "x", session_token: "tok" });
    // UPLOADS_DRIVER wins over the S3_BUCKET shortcut.
    const pinned = loadConfig({ env: { S3_BUCKET: "b-1", UPLOADS_DRIVER: "local", UPLOADS_DIR: "/srv/up" } });
    expect(pinned.config.uploads).toMatchObject({ driver: "local", dir: "/srv/up" });
  });

  it("refuses an S3 upload storage without bucket or credentials, or with bad values, naming the key", () => {
    expect(() => loadConfig({ env: { UPLOADS_DRIVER: "s3" } })).toThrow(
      /uploads\.driver is s3 but these are missing:\n {2}uploads\.s3\.bucket \(S3_BUCKET\)\n {2}uploads\.s3\.access_key_id/,
    );
    expect(() => loadConfig({ env: { S3_BUCKET: "b-1", S3_ACCESS_KEY_ID: "k" } })).toThrow(
      /uploads\.s3\.secret_access_key \(S3_SECRET_ACCESS_KEY or AWS_SECRET_ACCESS_KEY\)/,
    );
    expect(() => loadConfig({ env: { UPLOADS_DRIVER: "ftp" } })).toThrow(/uploads\.driver/);
    expect(() => loadConfig({ env: { S3_FORCE_PATH_STYLE: "sometimes" } })).toThrow(
      /S3_FORCE_PATH_STYLE must be true or false/,
    );
    expect(() => loadConfig({ env: { S3_ENDPOINT: "not a url" } })).toThrow(/uploads\.s3\.endpoint/);
    for (const prefix of ["/abs", "a/../b", "sp ace/", "x//y"])
      expect(() => loadConfig({ env: { S3_PREFIX: prefix } }), prefix).toThrow(/uploads\.s3\.prefix/);
    expect(() => loadConfig({ env: {}, overrides: { uploads: { s3: { acl: "public-read" } } } })).toThrow(
      /uploads\.s3: unknown key\(s\) acl/,
    );
  });
});

describe("loadConfig: token lifetime policy", () => {
  it("requires exp outside dev and not in dev, 7 days maximum lifetime, both overridable", () => {
    const dev = loadConfig({ env: {} }).config.auth.jwt;
    expect(dev).toMatchObject({ require_exp: false, max_lifetime_s: 7 * 86_400 });
    const prod = loadConfig({ env: { APP_ENV: "prod", ...stgSecrets } }).config.auth.jwt;
    expect(prod).toMatchObject({ require_exp: true, max_lifetime_s: 7 * 86_400 });
    const set = loadConfig({ env: { JWT_REQUIRE_EXP: "true", JWT_MAX_LIFETIME_S: "86400" } }).config.auth.jwt;
    expect(set).toMatchObject({ require_exp: true, max_lifetime_s: 86_400 });
    const relaxed = loadConfig({ env: { APP_ENV: "stg", ...stgSecrets, JWT_REQUIRE_EXP: "false" } }).config;
    expect(relaxed.auth.jwt.require_exp).toBe(false);
  });

  it("refuses a bad maximum lifetime, and admin sessions that would outlive it", () => {
    expect(() => loadConfig({ env: { JWT_MAX_LIFETIME_S: "10" } })).toThrow(/auth\.jwt\.max_lifetime_s/);
    expect(() => loadConfig({ env: { JWT_REQUIRE_EXP: "maybe" } })).toThrow(
      /JWT_REQUIRE_EXP must be true or false/,
    );
    expect(() => loadConfig({ env: { JWT_MAX_LIFETIME_S: "3600" } })).toThrow(
      /auth\.admin\.session_ttl_s \(28800\) exceeds auth\.jwt\.max_lifetime_s \(3600\)/,
    );
  });

  it("gives every ConfigError as one line too", () => {
    try {
      loadConfig({ env: {}, overrides: { limits: { max_frame_bytes: "big" }, chat: { typo: 1 } } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const line = (e as ConfigError).line;
      expect(line).not.toContain("\n");
      expect(line).toMatch(
        /^config error in .*config\.dev\.yaml \(\+ environment\): chat: unknown key\(s\) typo; limits\.max_frame_bytes: /,
      );
    }
  });
});
