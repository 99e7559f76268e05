import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient } from "../src/client.ts";
import { PodchatError } from "../src/errors.ts";
import { FakeServer } from "./fake-server.ts";
import { advance, record, setup } from "./helpers.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("history", () => {
  it("pages with before_seq/after_seq/limit and the bearer token", async () => {
    const { server, client } = setup({ url: "http://fake/" });
    for (let i = 1; i <= 10; i++) server.storeMessage("c1", String(i));
    const ch = client.channel("c1");
    const older = await ch.history({ beforeSeq: 6, limit: 3 });
    expect(older.messages.map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(older).toMatchObject({ has_more: true, prev_before_seq: 3, next_after_seq: 5 });
    const newer = await ch.history({ afterSeq: 8 });
    expect(newer.messages.map((m) => m.seq)).toEqual([9, 10]);
    const urls = server.httpCalls.map((c) => c.url);
    expect(urls).toEqual([
      "http://fake/api/v1/chat/channels/c1/messages?before_seq=6&limit=3",
      "http://fake/api/v1/chat/channels/c1/messages?after_seq=8",
    ]);
    expect(server.httpCalls.every((c) => c.authorization === "Bearer t1")).toBe(true);
  });

  it("refreshes the token once on 401 and retries", async () => {
    const server = new FakeServer();
    server.validTokens = new Set(["fresh"]);
    const getToken = vi.fn(async () => "fresh");
    const client = createClient({ url: "http://fake", token: "stale", getToken, fetch: server.fetch });
    const page = await client.channel("c1").history();
    expect(page.messages).toEqual([]);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(server.httpCalls.map((c) => c.authorization)).toEqual(["Bearer stale", "Bearer fresh"]);
  });

  it("turns an error body into a PodchatError with the server's code", async () => {
    const { client } = setup({
      fetch: async () => ({
        ok: false,
        status: 403,
        json: async () => ({ error: { code: "NOT_MEMBER", message: "not a member" } }),
      }),
    });
    const err = await client
      .channel("c1")
      .history()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PodchatError);
    expect(err).toMatchObject({ code: "NOT_MEMBER", status: 403, message: "not a member" });
  });

  it("rejects a body that does not match the protocol", async () => {
    const { client } = setup({
      fetch: async () => ({ ok: true, status: 200, json: async () => ({ messages: [{ seq: "x" }] }) }),
    });
    await expect(client.channel("c1").history()).rejects.toMatchObject({ code: "BAD_RESPONSE" });
  });
});

describe("transport discovery", () => {
  it("connects to the socket url the server names", async () => {
    const { server, client } = setup({ discover: true });
    server.transportOf = (channel_url) => ({
      channel_url,
      provider: "websocket",
      websocket: { url: "ws://edge-2.fake/api/v1/chat/ws/c1" },
    });
    const ch = client.channel("c1");
    ch.connect();
    await advance();
    expect(ch.status).toBe("connected");
    expect(server.latest.url).toBe("ws://edge-2.fake/api/v1/chat/ws/c1?token=t1");
    expect(server.httpCalls.map((c) => new URL(c.url).pathname)).toEqual([
      "/api/v1/chat/channels/c1/transport",
    ]);
  });

  it("a Sendbird channel goes disconnected with WRONG_PROVIDER and the app id, opening no socket", async () => {
    const { server, client } = setup();
    server.transportOf = (channel_url) => ({
      channel_url,
      provider: "sendbird",
      sendbird: { app_id: "SB-APP" },
    });
    expect(await client.transport("c1")).toMatchObject({ provider: "sendbird" });
    const ch = client.channel("c1");
    const log = record(ch);
    ch.connect({ discover: true });
    await advance(60_000);
    expect(server.sockets).toHaveLength(0);
    expect(log.status).toEqual(["connecting", "disconnected"]);
    expect(log.errors[0]).toMatchObject({ code: "WRONG_PROVIDER", sendbirdAppId: "SB-APP" });
  });

  it("a network failure during discovery is retried", async () => {
    const { server, client } = setup({ discover: true });
    server.failFetches = 1;
    const ch = client.channel("c1");
    ch.connect();
    await advance();
    expect(ch.status).toBe("reconnecting");
    await advance(1_000);
    expect(ch.status).toBe("connected");
  });
});

describe("socket url", () => {
  it("uses the dev test endpoint with devUserId, and encodes since_seq", async () => {
    const { server, client } = setup({ url: "https://chat.example", token: undefined, devUserId: 7 });
    const ch = client.channel("pod_1.chat");
    ch.connect();
    await advance();
    expect(server.latest.url).toBe("wss://chat.example/api/v1/chat/ws/pod_1.chat/test?user_id=7");
    server.latest.serverClose(1006);
    await advance(1_000);
    expect(server.latest.url).toBe("wss://chat.example/api/v1/chat/ws/pod_1.chat/test?user_id=7&since_seq=0");
  });
});
