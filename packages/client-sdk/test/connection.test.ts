import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient } from "../src/client.ts";
import { FakeServer } from "./fake-server.ts";
import { advance, record, setup } from "./helpers.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("state machine", () => {
  it("connects, and fires status only on real transitions", async () => {
    const { server, client } = setup();
    const ch = client.channel("c1");
    const log = record(ch);
    expect(ch.status).toBe("disconnected");
    ch.connect();
    ch.connect();
    await advance();
    expect(server.sockets).toHaveLength(1);
    expect(ch.status).toBe("connected");
    expect(log.status).toEqual(["connecting", "connected"]);

    // Three refused attempts in a row: still one `reconnecting`.
    let refusals = 3;
    server.admit = () =>
      refusals-- > 0 ? { accept: false, closeCode: 4503, code: "STORE_UNAVAILABLE" } : { accept: true };
    server.latest.serverClose(1001, "draining");
    await advance(120_000);
    expect(server.sockets).toHaveLength(5);
    expect(log.status).toEqual(["connecting", "connected", "reconnecting", "connected"]);
    expect(ch.stats()).toMatchObject({ reconnects: 1, reconnectAttempts: 4, lastClose: { code: 4503 } });

    ch.disconnect();
    ch.disconnect();
    expect(log.status.at(-1)).toBe("disconnected");
    expect(log.status.filter((s) => s === "disconnected")).toHaveLength(1);
    expect(server.latest.closedByClient?.code).toBe(1000);
    await advance(120_000);
    expect(server.sockets).toHaveLength(5);
  });

  it("returns the same handle for the same url", () => {
    const { client } = setup();
    expect(client.channel("a")).toBe(client.channel("a"));
    expect(client.channel("a")).not.toBe(client.channel("b"));
  });

  it("waits out full-jitter backoff between attempts", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const { server, client } = setup();
    server.admit = () => ({ accept: false, closeCode: 4500, code: "INTERNAL" });
    client.channel("c1").connect();
    await advance();
    expect(server.sockets).toHaveLength(1);
    // random 0.5 → delays 500 + 0.5·min(20 000, 500·2^n): 750, 1000, 1500
    for (const delay of [750, 1000, 1500]) {
      const before = server.sockets.length;
      await advance(delay - 1);
      expect(server.sockets).toHaveLength(before);
      await advance(1);
      expect(server.sockets).toHaveLength(before + 1);
    }
  });

  it("reports an error and stays disconnected without a WebSocket", async () => {
    const client = createClient({ url: "http://fake", token: "t", WebSocket: undefined });
    vi.stubGlobal("WebSocket", undefined);
    const ch = client.channel("c1");
    const log = record(ch);
    ch.connect();
    await advance();
    expect(ch.status).toBe("disconnected");
    expect(log.errors[0]?.code).toBe("UNSUPPORTED");
  });
});

describe("heartbeat", () => {
  it("pings, measures rtt, and replaces a silently dead socket within 30 s", async () => {
    const { server, client } = setup({ heartbeatMs: 10_000 });
    const ch = client.channel("c1");
    const log = record(ch);
    ch.connect();
    await advance();
    await advance(10_000);
    expect(server.latest.sentOf("PING")).toHaveLength(1);
    expect(typeof server.latest.sentOf("PING")[0]?.["ts"]).toBe("number");
    expect(ch.stats().rttMs).toBe(0);

    const dead = server.latest;
    dead.dead = true;
    const diedAt = Date.now();
    let detectedAt = 0;
    ch.on("status", (s) => {
      if (s === "reconnecting" && !detectedAt) detectedAt = Date.now();
    });
    await advance(20_000);
    expect(ch.status).toBe("connected");
    await advance(10_000);
    expect(detectedAt - diedAt).toBeGreaterThan(20_000);
    expect(detectedAt - diedAt).toBeLessThanOrEqual(30_000);
    expect(dead.closedByClient).toBeDefined();
    expect(ch.stats().lastClose).toEqual({ code: 1006, reason: "heartbeat timeout" });
    await advance(1_000);
    expect(server.sockets.length).toBe(2);
    expect(ch.status).toBe("connected");
    expect(log.status).toEqual(["connecting", "connected", "reconnecting", "connected"]);
  });

  it("checks wall-clock time, so one late tick (throttled background tab) is enough", async () => {
    const { server, client } = setup({ heartbeatMs: 10_000 });
    const ch = client.channel("c1");
    ch.connect();
    await advance();
    server.latest.dead = true;
    // The tab slept for a minute: the clock moved, no timer ran.
    vi.setSystemTime(Date.now() + 60_000);
    await advance(5_000);
    expect(ch.status).toBe("reconnecting");
    await advance(1_000);
    expect(server.sockets.length).toBe(2);
  });

  it("gives up on a socket that never completes its handshake", async () => {
    const server = new FakeServer();
    let first = true;
    // The first socket hangs in CONNECTING forever (SYN lost, proxy stuck).
    const Hanging = class extends server.WebSocket {
      constructor(url: string) {
        super(url);
        if (first) (this as unknown as { dead: boolean }).dead = true;
        first = false;
      }
    };
    const client = createClient({ url: "http://fake", token: "t", WebSocket: Hanging, fetch: server.fetch });
    const ch = client.channel("c1");
    ch.connect();
    await advance(20_000);
    expect(ch.status).toBe("connecting");
    await advance(6_000);
    expect(ch.status).toBe("connected");
    expect(server.sockets).toHaveLength(2);
    expect(server.sockets[0]?.closedByClient).toBeDefined();
  });
});

describe("close codes", () => {
  it.each([
    [4403, "NOT_MEMBER"],
    [4404, "CHANNEL_NOT_FOUND"],
    [4400, "INVALID_FRAME"],
    [4410, "CHANNEL_DELETED"],
  ])("%i: goes disconnected, emits the server's error, never retries", async (closeCode, code) => {
    const { server, client } = setup();
    server.admit = () => ({ accept: false, closeCode, code });
    const ch = client.channel("c1");
    const log = record(ch);
    ch.connect();
    await advance(600_000);
    expect(server.sockets).toHaveLength(1);
    expect(ch.status).toBe("disconnected");
    expect(log.status).toEqual(["connecting", "disconnected"]);
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toMatchObject({ name: "PodchatError", code, closeCode });
  });

  it.each([1001, 1006, 1011, 4420, 4500, 4503])("%i: reconnects with backoff", async (code) => {
    const { server, client } = setup();
    const ch = client.channel("c1");
    const log = record(ch);
    ch.connect();
    await advance();
    server.latest.serverClose(code);
    await advance();
    expect(ch.status).toBe("reconnecting");
    await advance(1_000);
    expect(ch.status).toBe("connected");
    expect(server.sockets).toHaveLength(2);
    expect(log.errors).toEqual([]);
  });

  it("4429: slow tier that honours retry_after_ms", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const { server, client } = setup();
    let refuse = true;
    server.admit = () => {
      if (!refuse) return { accept: true };
      refuse = false;
      return { accept: false, closeCode: 4429, code: "RATE_LIMITED", retryAfterMs: 30_000 };
    };
    const ch = client.channel("c1");
    ch.connect();
    await advance();
    expect(ch.status).toBe("reconnecting");
    await advance(29_999);
    expect(server.sockets).toHaveLength(1);
    await advance(1);
    expect(server.sockets).toHaveLength(2);
    expect(ch.status).toBe("connected");
  });

  it("4429 without a hint waits at least the slow-tier minimum", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const { server, client } = setup({ reconnect: { slowMinDelayMs: 7_000 } });
    server.admit = () => ({ accept: false, closeCode: 4429, code: "RATE_LIMITED" });
    client.channel("c1").connect();
    await advance();
    await advance(6_999);
    expect(server.sockets).toHaveLength(1);
    await advance(1);
    expect(server.sockets).toHaveLength(2);
  });

  it("4409: disconnected with WRONG_PROVIDER carrying the Sendbird app id", async () => {
    const { server, client } = setup();
    server.admit = () => ({ accept: false, closeCode: 4409, code: "WRONG_PROVIDER" });
    server.transportOf = (channel_url) => ({
      channel_url,
      provider: "sendbird",
      sendbird: { app_id: "APP-1" },
    });
    const ch = client.channel("c1");
    const log = record(ch);
    ch.connect();
    await advance(60_000);
    expect(server.sockets).toHaveLength(1);
    expect(ch.status).toBe("disconnected");
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toMatchObject({ code: "WRONG_PROVIDER", sendbirdAppId: "APP-1", closeCode: 4409 });
  });
});

describe("token refresh", () => {
  it("4401: asks getToken once per attempt, then connects with the fresh token", async () => {
    const server = new FakeServer();
    let n = 0;
    const getToken = vi.fn(async () => `tok-${++n}`);
    const c = createClient({
      url: "http://fake",
      token: "stale",
      getToken,
      WebSocket: server.WebSocket,
      fetch: server.fetch,
    });
    server.validTokens = new Set(["tok-3"]);
    const ch = c.channel("c1");
    const log = record(ch);
    ch.connect();
    await advance(60_000);
    expect(ch.status).toBe("connected");
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(server.sockets.map((s) => s.request?.token)).toEqual(["stale", "tok-1", "tok-2", "tok-3"]);
    expect(log.status).toEqual(["connecting", "reconnecting", "connected"]);
  });

  it("calls getToken for the first connection when no token is given", async () => {
    const server = new FakeServer();
    const getToken = vi.fn(async () => "fresh");
    const c = createClient({
      url: "http://fake",
      getToken,
      WebSocket: server.WebSocket,
      fetch: server.fetch,
    });
    c.channel("c1").connect();
    await advance();
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(server.latest.request?.token).toBe("fresh");
  });

  it("4401 without getToken: disconnected with UNAUTHORIZED, no loop", async () => {
    const { server, client } = setup({ token: "stale" });
    server.validTokens = new Set(["other"]);
    const ch = client.channel("c1");
    const log = record(ch);
    ch.connect();
    await advance(60_000);
    expect(server.sockets).toHaveLength(1);
    expect(ch.status).toBe("disconnected");
    expect(log.errors[0]).toMatchObject({ code: "UNAUTHORIZED", closeCode: 4401 });
  });

  it("a failing getToken is retried with backoff, not fatal", async () => {
    const server = new FakeServer();
    let calls = 0;
    const getToken = vi.fn(async () => {
      if (++calls === 1) throw new Error("auth server down");
      return "ok";
    });
    const c = createClient({
      url: "http://fake",
      getToken,
      WebSocket: server.WebSocket,
      fetch: server.fetch,
    });
    const ch = c.channel("c1");
    ch.connect();
    await advance();
    expect(ch.status).toBe("reconnecting");
    expect(server.sockets).toHaveLength(0);
    await advance(1_000);
    expect(ch.status).toBe("connected");
    expect(getToken).toHaveBeenCalledTimes(2);
  });
});

describe("online / visibility", () => {
  function stubBrowser() {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: "hidden" as "hidden" | "visible" });
    vi.stubGlobal("window", win);
    vi.stubGlobal("document", doc);
    return { win, doc };
  }

  it("retries at once when the browser comes back online or the page becomes visible", async () => {
    const { win, doc } = stubBrowser();
    vi.spyOn(Math, "random").mockReturnValue(0.99);
    const { server, client } = setup();
    const ch = client.channel("c1");
    ch.connect();
    await advance();
    server.latest.serverClose(1006);
    await advance();
    expect(ch.status).toBe("reconnecting");
    win.dispatchEvent(new Event("online"));
    await advance();
    expect(server.sockets).toHaveLength(2);
    expect(ch.status).toBe("connected");

    server.latest.serverClose(1006);
    await advance();
    doc.dispatchEvent(new Event("visibilitychange"));
    await advance();
    expect(server.sockets).toHaveLength(2);
    doc.visibilityState = "visible";
    doc.dispatchEvent(new Event("visibilitychange"));
    await advance();
    expect(server.sockets).toHaveLength(3);
    expect(ch.status).toBe("connected");
  });

  it("does not jump the rate-limit hint", async () => {
    const { win } = stubBrowser();
    const { server, client } = setup();
    server.admit = () => ({ accept: false, closeCode: 4429, code: "RATE_LIMITED", retryAfterMs: 30_000 });
    client.channel("c1").connect();
    await advance();
    win.dispatchEvent(new Event("online"));
    await advance(1_000);
    expect(server.sockets).toHaveLength(1);
  });

  it("close() stops listening", async () => {
    const { win } = stubBrowser();
    const { server, client } = setup();
    const ch = client.channel("c1");
    ch.connect();
    await advance();
    client.close();
    expect(ch.status).toBe("disconnected");
    win.dispatchEvent(new Event("online"));
    await advance(60_000);
    expect(server.sockets).toHaveLength(1);
  });
});

describe("stats", () => {
  it("aggregates channel telemetry", async () => {
    const { server, client } = setup();
    const a = client.channel("a");
    const b = client.channel("b");
    a.connect();
    await advance();
    server.latest.serverClose(1001, "bye");
    await advance(1_000);
    void b.send("queued").catch(() => {});
    void b.send("queued 2").catch(() => {});
    const s = client.stats();
    expect(s.reconnects).toBe(1);
    expect(s.queueDepth).toBe(2);
    expect(s.inFlight).toBe(0);
    expect(s.channels["a"]).toMatchObject({ status: "connected", lastClose: { code: 1001, reason: "bye" } });
    expect(s.channels["b"]).toMatchObject({ status: "disconnected", queueDepth: 2, lastSeq: null });
  });
});
