import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/index.ts";
import { API_KEY, TestSocket, createChannel, token } from "../harness.ts";
import { serverPerTest, startLoggedServer } from "./support.ts";

const start = serverPerTest();
const METRICS_TOKEN = "metrics-token-0123456789abcdef";
const prodSecrets = {
  APP_ENV: "prod",
  JWT_SECRET: "prod-secret-prod-secret-prod-secret",
  API_KEYS: "prod-api-key-123",
  ADMIN_PASSWORD: "a-real-password",
};

describe("/metrics access", () => {
  it("answers anyone by default (dev, unchanged)", async () => {
    const t = await start();
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^# HELP /m);
  });

  it("wants the Bearer metrics token when observability.metrics_token is set; health checks stay open", async () => {
    const t = await start({ env: { METRICS_TOKEN } });
    const none = await fetch(`${t.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await none.json()).error.code).toBe("UNAUTHORIZED");
    const wrong = await fetch(`${t.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    // The API key is not the metrics token.
    expect((await fetch(`${t.url}/metrics`, { headers: { "X-Api-Key": API_KEY } })).status).toBe(401);
    const ok = await fetch(`${t.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^# HELP /m);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    // The document says so.
    const doc = await (await fetch(`${t.url}/openapi.json`)).json();
    expect(doc.paths["/metrics"].get.security).toEqual([{ metricsToken: [] }]);
  });

  it("moves to its own listener with observability.metrics_listen (404 on the main port)", async () => {
    const t = await start({ overrides: { observability: { metrics_listen: "127.0.0.1:0" } } });
    expect(t.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(t.metricsUrl).not.toBe(t.url);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
    const res = await fetch(`${t.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^# HELP /m);
    // Only /metrics there: not the API.
    expect(
      (await fetch(`${t.metricsUrl}/api/v1/chat/channels`, { headers: { "X-Api-Key": API_KEY } })).status,
    ).toBe(404);
    const doc = await (await fetch(`${t.url}/openapi.json`)).json();
    expect(doc.paths["/metrics"]).toBeUndefined();
  });

  it("can be both: its own listener and the token", async () => {
    const t = await start({ env: { METRICS_TOKEN, METRICS_LISTEN: "127.0.0.1:0" } });
    expect((await fetch(`${t.metricsUrl}/metrics`)).status).toBe(401);
    const ok = await fetch(`${t.metricsUrl}/metrics`, {
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(ok.status).toBe(200);
  });

  it("refuses a bad address or a short token with a message naming the key", () => {
    expect(() => loadConfig({ env: { METRICS_LISTEN: "9464" } })).toThrow(/observability\.metrics_listen/);
    expect(() => loadConfig({ env: { METRICS_LISTEN: "127.0.0.1:70000" } })).toThrow(/0–65535/);
    expect(() => loadConfig({ env: { METRICS_TOKEN: "short" } })).toThrow(/observability\.metrics_token/);
    expect(loadConfig({ env: { METRICS_LISTEN: "[::1]:9464" } }).config.observability.metrics_listen).toBe(
      "[::1]:9464",
    );
  });
});

describe("production on one node (SQLite)", () => {
  it("is refused without the opt-in, with a message saying how", () => {
    try {
      loadConfig({
        env: { ...prodSecrets },
        overrides: { store: { driver: "sqlite" }, bus: { driver: "memory" } },
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toMatch(/APP_ENV=prod needs PostgreSQL/);
      expect((e as Error).message).toMatch(/SINGLE_NODE=true/);
    }
    // config.prod.yaml itself still asks for PostgreSQL and Redis.
    expect(() => loadConfig({ env: { ...prodSecrets } })).toThrow(/DATABASE_URL/);
    expect(() =>
      loadConfig({ env: { ...prodSecrets, SINGLE_NODE: "true", DATABASE_URL: "postgres://x@h/db" } }),
    ).toThrow(/unset DATABASE_URL/);
    expect(() => loadConfig({ env: { ...prodSecrets, SINGLE_NODE: "maybe" } })).toThrow(/SINGLE_NODE/);
  });

  it("starts with SINGLE_NODE=true, warns about its limits, and keeps what prod guarantees", async () => {
    const { t, logs } = await startLoggedServer("warn", {
      // prod yaml routes new channels to Sendbird; this test chats on the WebSocket provider.
      env: { ...prodSecrets, SINGLE_NODE: "true", USE_WEBSOCKET_CHAT: "true" },
    });
    try {
      expect(t.server.config).toMatchObject({
        env: "prod",
        store: { driver: "sqlite", allow_sqlite_in_prod: true },
        bus: { driver: "memory" },
      });
      const warnings = logs
        .records()
        .filter((r) => r.level === 40)
        .map((r) => String(r.msg));
      expect(warnings.some((w) => /APP_ENV=prod on SQLite.*exactly ONE instance/.test(w))).toBe(true);
      expect(warnings.some((w) => /\/metrics answers anyone/.test(w))).toBe(true);

      // Real prod behaviour on it: the dev API key and dev-secret tokens are refused…
      expect((await t.api("/api/v1/chat/channels")).status).toBe(401);
      const key = { "X-Api-Key": prodSecrets.API_KEYS, "Content-Type": "application/json" };
      const created = await fetch(`${t.url}/api/v1/chat/channels`, {
        method: "POST",
        headers: key,
        body: JSON.stringify({ channel_url: "solo", user_ids: ["1"] }),
      });
      expect(created.status).toBe(201);
      const devToken = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/solo?token=${await token("1")}`);
      expect((await devToken.type("ERROR")).code).toBe("UNAUTHORIZED");
      // …the dev test endpoint does not exist…
      const test = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/solo/test?user_id=1`);
      await expect(test.opened).rejects.toThrow(/404/);
      // …and chat works with a real token.
      const s = TestSocket.open(
        `${t.wsUrl}/api/v1/chat/ws/solo?token=${await token("1", { secret: prodSecrets.JWT_SECRET })}`,
      );
      await s.type("CONNECTED");
      s.send({ type: "MESG", message: "solo", req_id: "s1" });
      expect(await s.type("MESG")).toMatchObject({ message: "solo", seq: 1 });
      s.close();
    } finally {
      await t.close();
    }
  });

  it("a dev config never warns", async () => {
    const { t, logs } = await startLoggedServer("warn");
    await createChannel(t, "quiet", ["1"]);
    await t.close();
    expect(logs.records().filter((r) => r.level === 40)).toEqual([]);
  });
});
