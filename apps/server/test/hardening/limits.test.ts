import { CloseCode } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import { API_KEY, TestSocket, connect, createChannel, token } from "../harness.ts";
import { awaitFrame, history, serverPerTest } from "./support.ts";

const startServerForTest = serverPerTest();

async function server(limits: Record<string, number>) {
  return startServerForTest({ overrides: { limits } });
}

/** Opens a socket and resolves with what admission said: CONNECTED, or the refusal and its close code. */
async function admission(
  url: string,
): Promise<{ ok: true; s: TestSocket } | { ok: false; err: Record<string, unknown>; code: number }> {
  const s = TestSocket.open(url);
  await s.opened;
  const first = await s.next((f) => f.type === "CONNECTED" || f.type === "ERROR");
  if (first.type === "CONNECTED") return { ok: true, s };
  return { ok: false, err: first, code: await s.closed() };
}

describe("frame size (limits.max_frame_bytes)", () => {
  it("answers a frame over the configured limit with FRAME_TOO_LARGE then 1009; one under it is stored", async () => {
    const s = await server({ max_frame_bytes: 1024 });
    await createChannel(s, "size", ["1"]);
    const a = await connect(s, "size", "1");
    a.send({ type: "MESG", message: "x".repeat(900) });
    await a.waitMessages(1);
    a.send({ type: "MESG", message: "y".repeat(2000) });
    const err = await a.type("ERROR");
    expect(err).toMatchObject({ code: "FRAME_TOO_LARGE", close_code: 1009 });
    expect(await a.closed()).toBe(CloseCode.FRAME_TOO_LARGE);
    expect((await history(s.url, "size", API_KEY)).map((m) => m.message)).toEqual(["x".repeat(900)]);
  });
});

describe("messages per second (limits.messages_per_second, message_burst)", () => {
  it("refuses the excess with RATE_LIMITED carrying retry_after_ms and the req_id — nothing is silently dropped", async () => {
    const s = await server({ messages_per_second: 5, message_burst: 5, flood_max_refusals: 1000 });
    await createChannel(s, "rate", ["1"]);
    const a = await connect(s, "rate", "1");
    for (let i = 0; i < 20; i++) a.send({ type: "MESG", message: `m${i}`, req_id: `r${i}` });
    // Every frame is answered: an ACK or a RATE_LIMITED error naming its req_id.
    for (let i = 0; i < 20; i++)
      await awaitFrame(a, (f) => (f.type === "ACK" || f.type === "ERROR") && f.req_id === `r${i}`);
    const acks = a.frames.filter((f) => f.type === "ACK");
    const limited = a.frames.filter((f) => f.type === "ERROR");
    expect(acks.length).toBeGreaterThanOrEqual(5);
    expect(acks.length).toBeLessThanOrEqual(6);
    expect(acks.length + limited.length).toBe(20);
    for (const e of limited) {
      expect(e.code).toBe("RATE_LIMITED");
      expect(e.retry_after_ms).toBeGreaterThan(0);
      expect(e.retry_after_ms).toBeLessThanOrEqual(1000);
    }
    expect(a.closeCode).toBeNull();
    // After the hint, sending works again; history holds exactly the acknowledged messages.
    const wait = Number(limited.at(-1)!.retry_after_ms);
    await new Promise((r) => setTimeout(r, wait + 20)); // the server's own hint is the contract under test
    a.send({ type: "MESG", message: "later", req_id: "later" });
    expect(await awaitFrame(a, (f) => f.req_id === "later")).toMatchObject({ type: "ACK" });
    const stored = await history(s.url, "rate", API_KEY);
    expect(stored.map((m) => m.message)).toEqual([
      ...acks.map((f) => `m${String(f.req_id).slice(1)}`),
      "later",
    ]);
  });

  it("charges invalid frames and pings too, so garbage cannot be flooded for free", async () => {
    const s = await server({ messages_per_second: 1, message_burst: 3, flood_max_refusals: 1000 });
    await createChannel(s, "garbage", ["1"]);
    const a = await connect(s, "garbage", "1");
    for (let i = 0; i < 6; i++) a.send("{nope");
    for (let i = 0; i < 6; i++) await a.type("ERROR");
    const codes = a.frames.filter((f) => f.type === "ERROR").map((f) => f.code);
    expect(codes.filter((c) => c === "MALFORMED_FRAME").length).toBeLessThanOrEqual(4);
    expect(codes.filter((c) => c === "RATE_LIMITED").length).toBeGreaterThanOrEqual(2);
  });

  it("closes a socket that keeps flooding far beyond the limit with 4429; other sockets are unaffected", async () => {
    const s = await server({
      messages_per_second: 10,
      message_burst: 10,
      flood_max_refusals: 50,
      flood_window_ms: 10_000,
    });
    await createChannel(s, "flood", ["1", "2"]);
    const flooder = await connect(s, "flood", "1");
    const calm = await connect(s, "flood", "2");
    for (let i = 0; i < 500; i++) flooder.send({ type: "MESG", message: `f${i}` });
    const last = await flooder.next((f) => f.type === "ERROR" && f.close_code === CloseCode.RATE_LIMITED);
    expect(last).toMatchObject({ code: "RATE_LIMITED" });
    expect(last.retry_after_ms).toBeGreaterThan(0);
    expect(await flooder.closed()).toBe(CloseCode.RATE_LIMITED);
    // It was refused (and told) many times before being cut off.
    expect(
      flooder.frames.filter((f) => f.type === "ERROR" && f.code === "RATE_LIMITED").length,
    ).toBeGreaterThan(50);
    calm.send({ type: "MESG", message: "still fine", req_id: "calm" });
    expect(await calm.next((f) => f.type === "ACK")).toMatchObject({ req_id: "calm" });
    const stored = await history(s.url, "flood", API_KEY);
    expect(stored.filter((m) => m.user_id === 1).length).toBeLessThanOrEqual(12);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(Number(/podchat_rate_limited_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(50);
  });

  it("has a flood guard on by default (limits.flood_max_refusals = 100)", async () => {
    const s = await server({ messages_per_second: 5, message_burst: 5 });
    expect(s.server.config.limits.flood_max_refusals).toBe(100);
    await createChannel(s, "flood2", ["1"]);
    const a = await connect(s, "flood2", "1");
    for (let i = 0; i < 1000; i++) a.send({ type: "PING" });
    expect(await a.closed(10_000)).toBe(CloseCode.RATE_LIMITED);
  });
});

describe("connections per user and per IP", () => {
  it("admits at most max_connections_per_user sockets per user, even when they all connect at once", async () => {
    const s = await server({ max_connections_per_user: 3 });
    await createChannel(s, "peruser", ["1", "2"]);
    const url = `${s.wsUrl}/api/v1/chat/ws/peruser?token=${await token("1")}`;
    const results = await Promise.all(Array.from({ length: 8 }, () => admission(url)));
    const admitted = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(admitted).toHaveLength(3);
    for (const r of refused) {
      expect(r.code).toBe(CloseCode.RATE_LIMITED);
      expect(r.err).toMatchObject({ code: "RATE_LIMITED", close_code: 4429 });
      expect(r.err.retry_after_ms).toBeGreaterThan(0);
    }
    // Another user is not affected; a freed slot is usable again.
    const other = await admission(`${s.wsUrl}/api/v1/chat/ws/peruser?token=${await token("2")}`);
    expect(other.ok).toBe(true);
    const first = admitted[0]!;
    if (first.ok) {
      first.s.close();
      await first.s.closed();
    }
    expect((await admission(url)).ok).toBe(true);
  });

  it("admits at most max_connections_per_ip sockets from one address, even when they all connect at once", async () => {
    const s = await server({ max_connections_per_ip: 4, max_connections_per_user: 100 });
    const users = Array.from({ length: 10 }, (_, i) => String(i + 1));
    await createChannel(s, "perip", users);
    const results = await Promise.all(
      users.map(async (u) => admission(`${s.wsUrl}/api/v1/chat/ws/perip?token=${await token(u)}`)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    for (const r of results)
      if (!r.ok) expect(r).toMatchObject({ code: 4429, err: { code: "RATE_LIMITED" } });
    expect(s.server.hub.stats().connections).toBe(4);
    // Refused sockets do not hold a slot once closed: close one admitted, one more gets in.
    const one = results.find((r) => r.ok);
    if (one?.ok) {
      one.s.close();
      await one.s.closed();
    }
    expect((await admission(`${s.wsUrl}/api/v1/chat/ws/perip?token=${await token("1")}`)).ok).toBe(true);
  });
});

describe("channels per connection", () => {
  it("binds a socket to the one channel of its URL: a frame naming another channel_url is stored in its own channel only", async () => {
    const s = await server({});
    await createChannel(s, "mine", ["1", "2"]);
    await createChannel(s, "theirs", ["1", "3"]);
    const a = await connect(s, "mine", "1");
    const watcher = await connect(s, "theirs", "3");
    a.send({ type: "MESG", message: "where does this go", channel_url: "theirs", req_id: "x" });
    const ack = await awaitFrame(a, (f) => f.type === "ACK");
    const echo = await awaitFrame(a, (f) => f.seq === ack.seq);
    expect(echo.channel_url).toBe("mine");
    expect((await history(s.url, "mine", API_KEY)).map((m) => m.message)).toEqual(["where does this go"]);
    expect(await history(s.url, "theirs", API_KEY)).toEqual([]);
    watcher.send({ type: "PING", ts: 1 });
    await watcher.type("PONG");
    expect(watcher.messages()).toEqual([]);
  });
});

describe("REST and JSON limits", () => {
  it("refuses REST bodies over limits.rest_body_bytes with 413 and JSON nested deeper than limits.max_json_depth with 400", async () => {
    const s = await server({ rest_body_bytes: 2048, max_json_depth: 4 });
    await createChannel(s, "rest", ["1"]);
    const big = await s.api("/api/v1/chat/channels/rest/messages", {
      method: "POST",
      json: { message: "z".repeat(3000), user_id: "1" },
    });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("VALIDATION_FAILED");
    const deep = await s.api("/api/v1/chat/channels/rest/messages", {
      method: "POST",
      json: { message: "d", user_id: "1", data: { a: { b: { c: { d: 1 } } } } },
    });
    expect(deep.status).toBe(400);
    expect((await deep.json()).error.message).toMatch(/deeper than 4/);
    const a = await connect(s, "rest", "1");
    a.send({ type: "MESG", message: "d", data: { a: { b: { c: {} } } }, req_id: "deep" });
    expect(await a.type("ERROR")).toMatchObject({ code: "INVALID_FRAME", req_id: "deep" });
    a.send({ type: "MESG", message: "ok", data: { a: { b: 1 } }, req_id: "ok" });
    expect(await a.type("ACK")).toMatchObject({ req_id: "ok" });
  });

  it("refuses uploads over the configured size with 413 FILE_TOO_LARGE, also when the body is far larger, and stores nothing", async () => {
    const s = await startServerForTest({ overrides: { uploads: { max_bytes: 1000 } } });
    await createChannel(s, "upload_limit", ["1"]);
    const up = (bytes: number) => {
      const form = new FormData();
      form.set("file", new File([Buffer.alloc(bytes, 97)], "a.txt", { type: "text/plain" }));
      return s.api("/api/v1/chat/channels/upload_limit/files", { method: "POST", body: form });
    };
    expect((await up(1000)).status).toBe(201);
    for (const size of [1001, 5_000_000]) {
      const res = await up(size);
      expect(res.status).toBe(413);
      expect((await res.json()).error).toMatchObject({ code: "FILE_TOO_LARGE", retryable: false });
    }
    const { readdirSync } = await import("node:fs");
    const { dirname, join } = await import("node:path");
    expect(readdirSync(join(dirname(s.dbPath), "uploads"))).toHaveLength(1);
  });
});
