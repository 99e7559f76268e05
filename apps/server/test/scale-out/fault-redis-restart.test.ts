import { describe, expect, it } from "vitest";
import { findRedisServerBinary, startRedisServer, warnSkipped } from "../services.ts";
import {
  type Ack,
  createChannel,
  describeScaleOut,
  eventually,
  findServices,
  freshPrefix,
  oneTo,
  sendMany,
} from "./cluster.ts";

const services = await findServices("scale-out fault: Redis restart (PostgreSQL + Redis)");
const binary = findRedisServerBinary();
if ("skip" in binary) {
  warnSkipped("scale-out fault: Redis restart", binary.skip);
  describe.skip("scale-out fault: Redis restart (needs redis-server)", () => {
    it("needs redis-server", () => {});
  });
}

if (!("skip" in binary)) {
  await describeScaleOut(services, "scale-out fault: Redis restarts mid-traffic", (cluster) => {
    it("instances resubscribe by themselves and every acknowledged message reaches every member once, in order", async () => {
      const redis = await startRedisServer();
      cluster.afterTest(() => redis.stop());
      const opts = { redisUrl: redis.url, prefix: freshPrefix() };
      const a = await cluster.instance(opts);
      const b = await cluster.instance(opts);
      const channel = "scale_redis_restart";
      await createChannel(a.url, channel, ["1", "2", "3", "4"]);
      const clients = [
        await cluster.client(a.wsUrl, channel, "1"),
        await cluster.client(a.wsUrl, channel, "2"),
        await cluster.client(b.wsUrl, channel, "3"),
        await cluster.client(b.wsUrl, channel, "4"),
      ];
      let reconnects = 0;
      for (const i of [a, b]) {
        (i.server.bus as unknown as { onReconnect(cb: () => void): void }).onReconnect(() => reconnects++);
      }
      const perClient = 75;
      const total = perClient * clients.length;
      const acks = clients.map(() => new Map<string, Ack>());
      const acked = () => acks.reduce((n, m) => n + m.size, 0);
      const sending = Promise.all(
        clients.map((c, i) =>
          sendMany(c, perClient, `u${c.userId}`, { window: 4, gapMs: 5, acks: acks[i]! }),
        ),
      );

      await eventually(() => acked() >= 60, "traffic before the outage");
      await redis.stop();
      const stoppedAt = performance.now();
      const ackedBefore = acked();
      // The store is still up, so sends go on being stored and acknowledged during the outage;
      // only the fan-out to the other instance is down, and the rooms fill it from the store.
      await eventually(
        () => acked() >= ackedBefore + 40 && performance.now() - stoppedAt >= 1000,
        "a second-long outage with acknowledgements during it",
        15_000,
      );
      const ackedDuringOutage = acked() - ackedBefore;
      expect(clients.flatMap((c) => c.errors)).toEqual([]);
      await redis.start();
      const restartedAt = performance.now();
      await eventually(() => reconnects === 2, "both instances to resubscribe", 10_000);
      const resubscribed = performance.now();
      const ackedAtRestart = acked();
      await eventually(
        () => acked() > ackedAtRestart || acked() === total,
        "acknowledgements after the restart",
        10_000,
      );
      const firstAck = performance.now();

      await sending;
      await Promise.all(clients.map((c) => c.waitSeqs(total)));
      expect(acks.flatMap((m) => [...m.values()].map((x) => x.seq)).sort((x, y) => x - y)).toEqual(
        oneTo(total),
      );
      for (const c of clients) {
        expect(c.seqs, `member ${c.userId}`).toEqual(oneTo(total));
        // Nobody's socket was lost: recovery came from the rooms re-reading the store.
        expect(c.sockets).toHaveLength(1);
      }
      for (const [i, m] of acks.entries()) {
        for (const [reqId, ack] of m) {
          for (const c of clients) expect(c.textBySeq.get(ack.seq), `sender ${i + 1}`).toBe(reqId);
        }
      }
      console.log(
        `[scale-out] Redis down ${(restartedAt - stoppedAt).toFixed(0)} ms (${ackedDuringOutage} sends acknowledged meanwhile); ` +
          `resubscribed ${(resubscribed - restartedAt).toFixed(0)} ms after restart, first ack after ` +
          `${(firstAck - restartedAt).toFixed(0)} ms; ${total} messages × ${clients.length} members exact`,
      );
    }, 60_000);
  });
}
