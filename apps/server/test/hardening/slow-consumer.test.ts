import type { Socket } from "node:net";
import { CloseCode } from "@podchat/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, type TestServer, connect, createChannel, startServer } from "../harness.ts";
import { history, percentile, roundTrip, until } from "./support.ts";

const QUEUE = 64 * 1024;
let t: TestServer;
beforeAll(async () => {
  t = await startServer({
    // The limiter is not under test: on an idle machine the healthy client's back-to-back round
    // trips alone pass 5,000 frames a second.
    overrides: { limits: { send_queue_bytes: QUEUE, messages_per_second: 100_000, message_burst: 100_000 } },
  });
});
afterAll(async () => {
  await t.close();
});

describe("slow consumers (limits.send_queue_bytes)", () => {
  it("drops a client that stops reading with 4420, keeps healthy clients fast, and lets it resume losslessly", async () => {
    await createChannel(t, "slow", ["1", "2", "3"]);
    const healthy = await connect(t, "slow", "1");
    const slow = await connect(t, "slow", "2");
    const blaster = await connect(t, "slow", "3");

    // Healthy latency with nobody misbehaving.
    const before: number[] = [];
    for (let i = 0; i < 100; i++) before.push(await roundTrip(healthy, `before-${i}`));

    const payload = "s".repeat(15_000);
    let blasted = 0;
    /** Steady load from the blaster (3 x 15 KB every 10 ms) while the healthy client measures. */
    async function underLoad(until: () => Promise<void>): Promise<number[]> {
      let stop = false;
      const samples: number[] = [];
      const blast = (async () => {
        while (!stop) {
          for (let i = 0; i < 3; i++) blaster.send({ type: "MESG", message: `${blasted++}:${payload}` });
          await new Promise((r) => setTimeout(r, 10)); // pacing the load, not synchronisation
        }
      })();
      const measure = (async () => {
        let i = 0;
        while (!stop) samples.push(await roundTrip(healthy, `load-${blasted}-${i++}`, 10_000));
      })();
      try {
        await until();
      } finally {
        stop = true;
        await blast;
        await measure;
      }
      return samples;
    }

    // Control: the same load with every client reading.
    const control = await underLoad(async () => {
      const n = blasted;
      await new Promise((r) => setTimeout(r, 1500)); // a fixed measurement window
      expect(blasted).toBeGreaterThan(n);
    });
    expect(slow.closeCode).toBeNull();

    // The slow client stops reading: its TCP socket is paused, so the kernel buffers fill, then
    // the server's send queue for it grows until it passes send_queue_bytes.
    (slow.ws as unknown as { _socket: Socket })._socket.pause();
    const blastedBefore = blasted;
    const during = await underLoad(async () => {
      await until(() => t.server.hub.stats().connections === 2, 40_000, "the slow consumer to be dropped");
      // Keep measuring for a while after the slow consumer's queue hit its cap.
      await new Promise((r) => setTimeout(r, 500)); // a fixed measurement window
    });
    const p99Control = percentile(control, 99);
    const p99Before = percentile(before, 99);
    const p99During = percentile(during, 99);
    console.log(
      `healthy round-trip ms: before p50=${percentile(before, 50).toFixed(1)} p99=${p99Before.toFixed(1)} (n=${before.length}); ` +
        `same load, all reading p50=${percentile(control, 50).toFixed(1)} p99=${p99Control.toFixed(1)} (n=${control.length}); ` +
        `same load with a slow consumer p50=${percentile(during, 50).toFixed(1)} p99=${p99During.toFixed(1)} (n=${during.length}); ` +
        `${blasted - blastedBefore} x 15 KB sent while it was paused`,
    );
    expect(p99During).toBeLessThan(200);
    expect(healthy.closeCode).toBeNull();
    expect(blaster.closeCode).toBeNull();

    // The slow client reads again: it drains what was queued, then sees the distinct close code.
    (slow.ws as unknown as { _socket: Socket })._socket.resume();
    expect(await slow.closed(10_000)).toBe(CloseCode.SLOW_CONSUMER);
    const errors = slow.frames.filter((f) => f.type === "ERROR");
    expect(errors).toEqual([]);
    const firstSeqs = slow.messages().map((m) => Number(m.seq));
    for (let i = 1; i < firstSeqs.length; i++) expect(firstSeqs[i]).toBe(firstSeqs[i - 1]! + 1);
    const lastSeen = firstSeqs.at(-1)!;

    // Resume with since_seq: exactly what was missed, in order, nothing twice.
    const stored = await history(t.url, "slow", API_KEY);
    const lastSeq = stored.at(-1)!.seq;
    expect(lastSeen).toBeLessThan(lastSeq);
    const again = await connect(t, "slow", "2", lastSeen);
    const replay = await again.waitMessages(lastSeq - lastSeen, 20_000);
    expect(replay.map((m) => m.seq)).toEqual(
      Array.from({ length: lastSeq - lastSeen }, (_, i) => lastSeen + 1 + i),
    );
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/podchat_errors_total\{code="SLOW_CONSUMER"\} 1/);
    again.close();
    healthy.close();
    blaster.close();
  }, 60_000);
});
