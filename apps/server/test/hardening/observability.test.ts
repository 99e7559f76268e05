import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { createStoreFromConfig } from "../../src/store/create-store.ts";
import type { MessageStore } from "../../src/store/message-store.ts";
import { type TestServer, TestSocket, connect, createChannel, startServer, token } from "../harness.ts";
import { type LogCapture, startLoggedServer, tempDir } from "./support.ts";

/** One sample of a Prometheus text exposition (`name{labels} value`), 0 when absent. */
function sample(text: string, series: string): number {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    if (line.slice(0, i) === series) return Number(line.slice(i + 1));
  }
  return 0;
}

let t: TestServer;
let logs: LogCapture;
let storeHealthy = true;
beforeAll(async () => {
  const dbPath = `${tempDir("obs")}/chat.sqlite`;
  const { config } = loadConfig({
    env: { APP_ENV: "dev" },
    overrides: { store: { sqlite: { path: dbPath } } },
  });
  const real = await createStoreFromConfig(config);
  // The same store, with a switch to make it report itself unhealthy.
  const store: MessageStore = { ...real, healthy: async () => storeHealthy && (await real.healthy()) };
  ({ t, logs } = await startLoggedServer("info", {
    dbPath,
    overrides: { limits: { messages_per_second: 2, message_burst: 2, flood_max_refusals: 1000 } },
    extra: { store },
  }));
});
afterAll(async () => {
  await t.close();
});

describe("health and readiness", () => {
  it("answers /healthz, and /readyz is false while the store does not answer", async () => {
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    storeHealthy = false;
    try {
      const r = await fetch(`${t.url}/readyz`);
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ ready: false });
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200); // alive, just not ready
    } finally {
      storeHealthy = true;
    }
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });
});

describe("Prometheus metrics", () => {
  it("moves each metric when it is exercised", async () => {
    const read = async () => {
      const res = await fetch(`${t.url}/metrics`);
      expect(res.headers.get("content-type")).toMatch(/text\/plain/);
      return res.text();
    };
    const before = await read();
    await createChannel(t, "metered", ["1", "2"]);
    const a = await connect(t, "metered", "1");
    const b = await connect(t, "metered", "2");
    const during = await read();
    expect(sample(during, "podchat_connections")).toBe(sample(before, "podchat_connections") + 2);
    a.send({ type: "MESG", message: "one", req_id: "one" });
    await a.type("ACK");
    await b.type("MESG");
    a.send("{broken");
    await a.type("ERROR");
    a.send({ type: "MESG", message: "over", req_id: "over" }); // bucket of 2: this one is refused
    expect(await a.next((f) => f.type === "ERROR" && f.req_id === "over")).toMatchObject({
      code: "RATE_LIMITED",
    });
    const refused = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/metered?token=forged`);
    await refused.closed();
    const outsider = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/metered?token=${await token("9")}`);
    await outsider.closed();
    await t.api("/api/v1/chat/channels", { method: "POST", json: { channel_url: "bad url" } });
    a.close();
    b.close();
    await a.closed();
    await b.closed();
    const after = await read();
    const moved = (series: string, by: number) =>
      expect(sample(after, series) - sample(before, series), series).toBeGreaterThanOrEqual(by);
    moved("podchat_connections_total", 2);
    moved("podchat_messages_in_total", 1);
    moved("podchat_deliveries_total", 1);
    moved("podchat_store_append_seconds_count", 1);
    moved('podchat_errors_total{code="MALFORMED_FRAME"}', 1);
    moved('podchat_errors_total{code="RATE_LIMITED"}', 1);
    moved('podchat_errors_total{code="VALIDATION_FAILED"}', 1);
    moved("podchat_rate_limited_total", 1);
    moved('podchat_connections_refused_total{code="UNAUTHORIZED"}', 1);
    moved('podchat_connections_refused_total{code="NOT_MEMBER"}', 1);
    expect(sample(after, "podchat_connections")).toBe(sample(before, "podchat_connections"));
    expect(after).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});

describe("structured logs", () => {
  it("writes JSON lines, and a REST error's line carries the request's X-Request-Id", async () => {
    const id = "obs-request-7f3e";
    const res = await t.api("/api/v1/chat/channels/nope", { headers: { "X-Request-Id": id } });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-request-id")).toBe(id);
    const line = logs.records().find((r) => r.req_id === id);
    expect(line).toMatchObject({
      msg: "request",
      method: "GET",
      path: "/api/v1/chat/channels/nope",
      status: 404,
    });
    expect(line!.level).toBe(30); // info: refusals show at the default level
    expect(typeof line!.time).toBe("string");
    expect(line!.service).toBe("podchat");
    // Successes stay at debug (not in an info log); an id with spaces is replaced by a fresh one.
    const ok = await t.api("/healthz", { headers: { "X-Request-Id": "ok-request-1" } });
    expect(ok.status).toBe(200);
    expect(logs.records().some((r) => r.req_id === "ok-request-1")).toBe(false);
    const odd = await t.api("/api/v1/chat/channels/nope", {
      headers: { "X-Request-Id": "has spaces\tand tabs" },
    });
    expect(odd.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    for (const l of logs.lines) expect(() => JSON.parse(l)).not.toThrow();
  });
});

describe("readiness while draining", () => {
  it("is 503 while a drain waits for a client that ignores the close", async () => {
    const s = await startServer();
    await createChannel(s, "drain", ["1"]);
    const stubborn = await connect(s, "drain", "1");
    (stubborn.ws as unknown as { _socket: Socket })._socket.pause();
    const drained = s.server.drain(1000);
    const r = await fetch(`${s.url}/readyz`);
    expect(r.status).toBe(503);
    await drained;
    stubborn.ws.terminate();
  });
});
