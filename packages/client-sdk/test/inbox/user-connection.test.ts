// Channel handles on the user connection, against the fake server: one socket for all of them,
// SUBSCRIBE with each channel's own since_seq after a cut, ACK/ERROR routed to the right handle,
// refusals on one handle only, and the core's reconnect rules (4401 → fresh token) on the socket.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createInboxClient } from "../../src/inbox/index.ts";
import type { ClientOptions } from "../../src/types.ts";
import { FakeServer } from "../fake-server.ts";
import { advance, record } from "../helpers.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setupUser(options: Partial<ClientOptions> = {}) {
  const server = new FakeServer();
  const client = createInboxClient({
    url: "http://fake",
    token: "t1",
    WebSocket: server.WebSocket,
    fetch: server.fetch,
    ...options,
  });
  return { server, client };
}

async function threeChannels(options: Partial<ClientOptions> = {}) {
  const ctx = setupUser(options);
  const urls = ["a", "b", "c"];
  const chans = urls.map((u) => ctx.client.channel(u));
  const logs = chans.map(record);
  for (const ch of chans) ch.connect();
  await advance();
  return { ...ctx, urls, chans, logs };
}

describe("channel handles on the user connection", () => {
  it("share one socket: one SUBSCRIBE per handle, frames routed by channel_url", async () => {
    const { server, client, chans, logs } = await threeChannels();
    expect(server.sockets).toHaveLength(1);
    const ws = server.latest;
    expect(new URL(ws.url).pathname).toBe("/api/v1/chat/ws");
    expect(new URL(ws.url).searchParams.get("token")).toBe("t1");
    expect(ws.sentOf("SUBSCRIBE").map((f) => f["channel_url"])).toEqual(["a", "b", "c"]);
    expect(chans.map((c) => c.status)).toEqual(["connected", "connected", "connected"]);
    expect(client.status).toBe("connected");
    server.post("b", "to b");
    server.post("a", "to a");
    server.post("b", "to b again");
    await advance();
    expect(logs.map((l) => l.messages.map((m) => m.message))).toEqual([["to a"], ["to b", "to b again"], []]);
    expect(Object.keys(client.stats().channels)).toEqual(["a", "b", "c"]);
    expect(client.stats().userSocket.status).toBe("connected");
    client.close();
  });

  it("puts channel_url on every frame a handle writes, and routes each ACK to its handle by req_id", async () => {
    const { server, client, chans } = await threeChannels();
    server.ackFirst = true;
    const sends = [chans[0]!.send("one"), chans[2]!.send("three"), chans[0]!.send("one more")];
    const acks = await Promise.all(sends);
    expect(acks.map((a) => a.seq)).toEqual([1, 1, 2]);
    const mesg = server.latest.sentOf("MESG");
    expect(mesg.map((f) => f["channel_url"])).toEqual(["a", "c", "a"]);
    expect(new Set(mesg.map((f) => f["req_id"])).size).toBe(3);
    expect(server.messages("a").map((m) => ("message" in m ? m.message : ""))).toEqual(["one", "one more"]);
    expect(chans.map((c) => c.outbox.length)).toEqual([0, 0, 0]);
    client.close();
  });

  it("an ERROR with a req_id fails that send on its handle only", async () => {
    const { server, client, chans, logs } = await threeChannels();
    server.onSend = (socket, frame) => {
      if (frame["type"] !== "MESG" || frame["channel_url"] !== "b") return false;
      socket.deliver({
        type: "ERROR",
        code: "MUTED",
        message: "muted",
        req_id: frame["req_id"],
        channel_url: "b",
      });
      return true;
    };
    const muted = chans[1]!.send("hush").catch((e) => e);
    const fine = chans[0]!.send("fine");
    expect((await muted).code).toBe("MUTED");
    expect((await fine).seq).toBe(1);
    expect(logs.map((l) => l.errors.length)).toEqual([0, 0, 0]);
    expect(chans.map((c) => c.status)).toEqual(["connected", "connected", "connected"]);
    client.close();
  });

  it("after a cut, resubscribes every handle with its own since_seq and loses or repeats nothing", async () => {
    const { server, client, chans, logs } = await threeChannels();
    server.post("a", "a1");
    server.post("a", "a2");
    server.post("b", "b1");
    await advance();
    // Stored by the server, but its ACK and broadcast are lost in the cut: resent with the same req_id.
    const pending = chans[2]!.send("sent as the socket broke");
    server.latest.serverClose(1006);
    await advance();
    expect(chans.map((c) => c.status)).toEqual(["reconnecting", "reconnecting", "reconnecting"]);
    server.storeMessage("a", "a3");
    server.storeMessage("b", "b2");
    server.storeMessage("b", "b3");
    server.storeMessage("c", "c1");
    await advance(2_000);
    expect(server.sockets).toHaveLength(2);
    const subs = server.latest.sentOf("SUBSCRIBE");
    expect(Object.fromEntries(subs.map((f) => [f["channel_url"], f["since_seq"]]))).toEqual({
      a: 2,
      b: 1,
      c: 0,
    });
    const ack = await pending;
    expect([ack.seq, ack.duplicate]).toEqual([1, true]);
    await advance();
    expect(logs.map((l) => l.seqs)).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2],
    ]);
    expect(logs[2]!.messages.map((m) => m.message)).toEqual(["sent as the socket broke", "c1"]);
    expect(server.messages("c")).toHaveLength(2);
    expect(chans.map((c) => c.status)).toEqual(["connected", "connected", "connected"]);
    client.close();
  });

  it("fills a SUBSCRIBED gap (more missed than the server replays) from history, in order", async () => {
    const { server, client, chans, logs } = await threeChannels();
    server.post("b", "b1");
    await advance();
    server.replayLimit = 2;
    server.latest.serverClose(1006);
    await advance();
    for (let i = 2; i <= 7; i++) server.storeMessage("b", `b${i}`);
    await advance(2_000);
    expect(logs[1]!.gaps).toEqual([{ fromSeq: 2, toSeq: 5 }]);
    expect(logs[1]!.seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(server.httpCalls.some((c) => c.url.includes("/channels/b/messages?after_seq=1"))).toBe(true);
    expect(chans[1]!.status).toBe("connected");
    client.close();
  });

  it("a refused SUBSCRIBE fails that handle only; the socket and the other handles stay", async () => {
    const ctx = setupUser();
    ctx.server.inbox.set("mine", { name: "mine", created_at: new Date(0).toISOString(), last_read_seq: 0 });
    const mine = ctx.client.channel("mine");
    const theirs = ctx.client.channel("theirs");
    const logMine = record(mine);
    const logTheirs = record(theirs);
    mine.connect();
    theirs.connect();
    await advance(5_000);
    expect(logTheirs.errors.map((e) => [e.code, e.closeCode])).toEqual([["NOT_MEMBER", 4403]]);
    expect(theirs.status).toBe("disconnected");
    expect(mine.status).toBe("connected");
    expect(logMine.errors).toEqual([]);
    expect(ctx.server.sockets).toHaveLength(1);
    expect(ctx.server.latest.sentOf("SUBSCRIBE").filter((f) => f["channel_url"] === "theirs")).toHaveLength(
      1,
    );
    ctx.client.close();
  });

  it("a subscription the server ends (removed from the channel) fails that handle", async () => {
    const { server, client, chans, logs } = await threeChannels();
    server.latest.deliver({ type: "UNSUBSCRIBED", channel_url: "b", code: "NOT_MEMBER", message: "removed" });
    await advance(5_000);
    expect(chans[1]!.status).toBe("disconnected");
    expect(logs[1]!.errors.map((e) => e.code)).toEqual(["NOT_MEMBER"]);
    expect([chans[0]!.status, chans[2]!.status]).toEqual(["connected", "connected"]);
    expect(server.sockets).toHaveLength(1);
    client.close();
  });

  it("disconnecting a handle unsubscribes it; the socket closes after the last one lets go", async () => {
    const { server, client, chans } = await threeChannels({ releaseDelayMs: 100 });
    chans[0]!.disconnect();
    await advance();
    expect(server.latest.sentOf("UNSUBSCRIBE").map((f) => f["channel_url"])).toEqual(["a"]);
    expect(server.latest.subs.has("a")).toBe(false);
    chans[1]!.disconnect();
    chans[2]!.disconnect();
    await advance(50);
    expect(server.latest.readyState).toBe(1);
    await advance(100);
    expect(server.latest.closedByClient?.code).toBe(1000);
    expect(client.status).toBe("disconnected");
    chans[2]!.connect();
    await advance();
    expect(server.sockets).toHaveLength(2);
    expect(chans[2]!.status).toBe("connected");
    client.close();
  });

  it("a 4401 on the socket gets a fresh token once and resubscribes every handle", async () => {
    let n = 0;
    const getToken = vi.fn(async () => `t${++n}`);
    const { server, client, chans } = await threeChannels({ token: undefined, getToken });
    expect(getToken).toHaveBeenCalledTimes(1);
    server.validTokens = new Set(["t2"]);
    server.latest.serverClose(4401, "expired");
    await advance(2_000);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(new URL(server.latest.url).searchParams.get("token")).toBe("t2");
    expect(chans.map((c) => c.status)).toEqual(["connected", "connected", "connected"]);
    expect(server.sockets).toHaveLength(2);
    client.close();
  });

  it("a final refusal of the socket fails every handle with it", async () => {
    const { server, client, chans, logs } = await threeChannels();
    server.admit = () => ({ accept: false, closeCode: 4403, code: "FORBIDDEN" });
    server.latest.serverClose(1006);
    await advance(3_000);
    expect(chans.map((c) => c.status)).toEqual(["disconnected", "disconnected", "disconnected"]);
    expect(logs.map((l) => l.errors.map((e) => e.code))).toEqual([
      ["FORBIDDEN"],
      ["FORBIDDEN"],
      ["FORBIDDEN"],
    ]);
    client.close();
  });

  it("answers the handles' PINGs itself and pings the socket once for all of them", async () => {
    const { server, client, chans } = await threeChannels({ heartbeatMs: 1_000 });
    await advance(5_000);
    expect(chans.map((c) => c.status)).toEqual(["connected", "connected", "connected"]);
    const pings = server.latest.sentOf("PING").length;
    expect(pings).toBeGreaterThanOrEqual(4);
    expect(pings).toBeLessThanOrEqual(6);
    expect(server.sockets).toHaveLength(1);
    client.close();
  });

  it("a dead socket (nothing comes back) is noticed by the heartbeat and replaced", async () => {
    const { server, client, chans, logs } = await threeChannels({ heartbeatMs: 1_000 });
    server.latest.dead = true;
    server.storeMessage("a", "while dead");
    await advance(6_000);
    expect(server.sockets.length).toBeGreaterThanOrEqual(2);
    expect(chans.map((c) => c.status)).toEqual(["connected", "connected", "connected"]);
    expect(logs[0]!.messages.map((m) => m.message)).toEqual(["while dead"]);
    client.close();
  });
});
