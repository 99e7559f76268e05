import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { advance, record, setup } from "./helpers.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function connected(options = {}) {
  const ctx = setup(options);
  const ch = ctx.client.channel("c1");
  const log = record(ch);
  ch.connect();
  await advance();
  return { ...ctx, ch, log };
}

describe("resume and ordering", () => {
  it("starts live from the channel's last_seq on the first connection", async () => {
    const ctx = setup();
    ctx.server.storeMessage("c1", "old 1");
    ctx.server.storeMessage("c1", "old 2");
    const ch = ctx.client.channel("c1");
    const log = record(ch);
    ch.connect();
    await advance();
    expect(ctx.server.latest.request?.sinceSeq).toBeUndefined();
    expect(ch.lastSeq).toBe(2);
    ctx.server.post("c1", "new");
    await advance();
    expect(log.seqs).toEqual([3]);
  });

  it("reconnects with since_seq and delivers what was missed, once, in order", async () => {
    const { server, ch, log } = await connected();
    server.post("c1", "1");
    server.post("c1", "2");
    await advance();
    server.latest.serverClose(1006);
    server.storeMessage("c1", "3");
    server.storeMessage("c1", "4");
    await advance(1_000);
    expect(server.latest.request?.sinceSeq).toBe(2);
    server.post("c1", "5");
    await advance();
    expect(log.seqs).toEqual([1, 2, 3, 4, 5]);
    expect(log.messages.map((m) => m.message)).toEqual(["1", "2", "3", "4", "5"]);
    expect(ch.lastSeq).toBe(5);
  });

  it("drops messages at or below the last seq seen", async () => {
    const { server, log } = await connected();
    const m1 = server.post("c1", "1");
    const m2 = server.post("c1", "2");
    server.latest.deliver(m2);
    server.latest.deliver(m1);
    server.latest.deliver(m2);
    await advance();
    expect(log.seqs).toEqual([1, 2]);
  });

  it("CONNECTED gap: emits gap, backfills through history, then the replayed and live messages", async () => {
    const { server, ch, log } = await connected();
    server.post("c1", "1");
    await advance();
    server.latest.serverClose(1001);
    for (let i = 2; i <= 7; i++) server.storeMessage("c1", String(i));
    server.replayLimit = 2;
    server.httpCalls.length = 0;
    await advance(1_000);
    server.post("c1", "8");
    await advance();
    expect(log.gaps).toEqual([{ fromSeq: 2, toSeq: 5 }]);
    expect(log.order).toEqual(["m1", "gap2-5", "m2", "m3", "m4", "m5", "m6", "m7", "m8"]);
    expect(server.httpCalls).toHaveLength(1);
    const call = new URL(server.httpCalls[0]?.url ?? "");
    expect(call.pathname).toBe("/api/v1/chat/channels/c1/messages");
    expect(call.searchParams.get("after_seq")).toBe("1");
    expect(call.searchParams.get("limit")).toBe("4");
    expect(server.httpCalls[0]?.authorization).toBe("Bearer t1");
    expect(log.errors).toEqual([]);
    expect(ch.stats().lastSeq).toBe(8);
  });

  it("a live jump ahead of last+1 is held back until the hole is fetched", async () => {
    const { server, log } = await connected();
    server.post("c1", "1");
    server.storeMessage("c1", "2 (never broadcast)");
    server.post("c1", "3");
    await advance();
    expect(log.order).toEqual(["m1", "gap2-2", "m2", "m3"]);
  });

  it("backfills pages of at most 200 until the whole gap is filled", async () => {
    const { server, log } = await connected();
    server.latest.serverClose(1001);
    for (let i = 1; i <= 450; i++) server.storeMessage("c1", String(i));
    server.replayLimit = 0;
    server.httpCalls.length = 0;
    await advance(1_000);
    expect(log.gaps).toEqual([{ fromSeq: 1, toSeq: 450 }]);
    expect(log.seqs).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    expect(server.httpCalls.map((c) => new URL(c.url).searchParams.get("limit"))).toEqual([
      "200",
      "200",
      "50",
    ]);
  });

  it("retries a failed backfill with backoff", async () => {
    const { server, log } = await connected();
    server.post("c1", "1");
    await advance();
    // A dropped connection (backoff 500–1000 ms): after a 1001 drain the reconnect may come at
    // once (drain-reconnect.test.ts), which would leave no "not yet" moment to check below.
    server.latest.serverClose(1006);
    for (let i = 2; i <= 4; i++) server.storeMessage("c1", String(i));
    server.replayLimit = 1;
    server.failFetches = 1;
    await advance(1_000);
    expect(log.seqs).toEqual([1]);
    await advance(1_000);
    expect(log.seqs).toEqual([1, 2, 3, 4]);
  });

  it("never loses silently: messages the server no longer has are reported as MESSAGES_LOST", async () => {
    const { server, log } = await connected();
    server.post("c1", "1");
    await advance();
    server.latest.serverClose(1001);
    for (let i = 2; i <= 6; i++) server.storeMessage("c1", String(i));
    server.replayLimit = 2;
    server.historyFloor = 4; // history trimmed: 2..4 are gone
    await advance(1_000);
    expect(log.gaps).toEqual([{ fromSeq: 2, toSeq: 4 }]);
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toMatchObject({ code: "MESSAGES_LOST", fromSeq: 2, toSeq: 4 });
    expect(log.seqs).toEqual([1, 5, 6]);
  });
});
