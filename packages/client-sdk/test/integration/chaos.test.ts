// Two SDK clients exchange 1,000 messages through a real server while their sockets are cut from
// the outside (a TCP proxy per client resets the connection mid-stream).
import type { MessageFrame } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import type { SendResult } from "../../src/index.ts";
import { perTestFixtures } from "./fixtures.ts";
import { createChannel, prng, range, record, waitFor } from "./harness.ts";

const fixtures = perTestFixtures();

function assertExactlyOnceInOrder(messages: MessageFrame[], total: number): void {
  expect(messages.map((m) => m.seq)).toEqual(range(1, total));
  expect(new Set(messages.map((m) => m.message_id)).size).toBe(total);
  expect(new Set(messages.map((m) => m.message)).size).toBe(total);
}

describe("two clients over sockets that keep breaking", () => {
  it("deliver 1,000 messages exactly once, in seq order, and every send is acknowledged", async () => {
    const srv = await fixtures.server();
    await createChannel(srv.url, "chaos", ["1", "2"]);
    const proxies = [await fixtures.proxy(srv), await fixtures.proxy(srv)];
    const clients = proxies.map((p, i) => fixtures.client(p.url, String(i + 1), { queueLimit: 500 }));
    const channels = clients.map((c) => c.channel("chaos"));
    const recs = channels.map(record);
    for (const ch of channels) ch.connect();
    await Promise.all(recs.map((r) => r.reached("connected")));

    const perClient = 500;
    const total = perClient * 2;
    const seed = Number(process.env["CHAOS_SEED"] ?? 0xc0ffee);
    const random = prng(seed);
    let sending = true;
    let cuts = 0;
    // Chaos: every 30–150 ms reset one client's (or both clients') connection from the outside.
    const chaos = (async () => {
      while (sending || recs.some((r) => r.messages.length < total)) {
        await new Promise((r) => setTimeout(r, 30 + random() * 120));
        if (!sending && recs.every((r) => r.messages.length >= total)) break;
        const pick = random();
        if (pick < 0.45) cuts += proxies[0]?.cut() ? 1 : 0;
        else if (pick < 0.9) cuts += proxies[1]?.cut() ? 1 : 0;
        else cuts += proxies.reduce((n, p) => n + (p.cut() ? 1 : 0), 0);
        if (cuts >= 80) break; // enough breakage; let the tail drain
      }
    })();

    // Both clients send concurrently, paced a little so the cuts land in the middle of the stream.
    const sends = await Promise.all(
      channels.map(async (ch, c) => {
        const results: Array<Promise<SendResult>> = [];
        for (let i = 0; i < perClient; i++) {
          results.push(ch.send(`u${c + 1}-${i}`));
          if (i % 4 === 3) await new Promise((r) => setTimeout(r, 15));
        }
        return Promise.all(results);
      }),
    );
    sending = false;
    await Promise.all(recs.map((r) => r.received(total, 40_000)));
    await chaos;

    const duplicates = sends.flat().filter((r) => r.duplicate).length;
    console.info(`chaos seed ${seed}: ${cuts} cuts, ${duplicates} resends acknowledged as duplicates`);
    expect(cuts).toBeGreaterThanOrEqual(15);
    // Every send resolved with a distinct stored seq; the set of acked seqs is exactly 1..1000.
    const acked = sends.flat();
    expect(acked).toHaveLength(total);
    expect(acked.map((r) => r.seq).sort((a, b) => a - b)).toEqual(range(1, total));
    // Each client's own sends were stored in the order it sent them.
    for (const own of sends) {
      const seqs = own.map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    for (const rec of recs) {
      assertExactlyOnceInOrder(rec.messages, total);
      for (let c = 0; c < 2; c++) {
        const mine = rec.messages.filter((m) => m.user_id === c + 1).map((m) => m.message);
        expect(mine).toEqual(range(0, perClient - 1).map((i) => `u${c + 1}-${i}`));
      }
      expect(rec.statuses).toContain("reconnecting");
      expect(rec.statuses.at(-1)).toBe("connected");
    }
    // The stored history holds each message once too (no duplicate from a resent req_id).
    const page = await channels[0]?.history({ afterSeq: 0, limit: 200 });
    expect(page?.messages.map((m) => m.seq)).toEqual(range(1, 200));
    const last = await channels[0]?.history({ afterSeq: total, limit: 10 });
    expect(last?.messages).toEqual([]);
    await waitFor(() => channels.every((ch) => ch.outbox.length === 0), { what: "empty outboxes" });
    const stats = clients.map((c) => c.stats());
    expect(stats.reduce((n, s) => n + s.reconnects, 0)).toBeGreaterThanOrEqual(15);
  }, 60_000);
});
