import { expect, it } from "vitest";
import { createChannel, describeScaleOut, findServices, oneTo, sendMany } from "./cluster.ts";

const services = await findServices("scale-out messaging (PostgreSQL + Redis)");

await describeScaleOut(services, "scale-out: messages across instances", (cluster) => {
  it.each([2, 3])(
    "%i instances, one PostgreSQL and one Redis: 1,000 messages reach every member once, in seq order",
    async (n) => {
      const instances = await Promise.all(Array.from({ length: n }, () => cluster.instance()));
      const ports = new Set(instances.map((i) => i.port));
      expect(ports.size).toBe(n);
      const channel = `scale_msgs_${n}`;
      const users = Array.from({ length: 2 * n }, (_, i) => String(i + 1));
      await createChannel(instances[0]!.url, channel, users);
      // Members spread round-robin over the instances.
      const clients = await Promise.all(
        users.map((u, i) => cluster.client(instances[i % n]!.wsUrl, channel, u)),
      );
      const total = 1000;
      const perSender = total / users.length;
      const started = performance.now();
      const acks = await Promise.all(
        clients.map((c, i) =>
          sendMany(c, Math.floor(perSender) + (i < total % users.length ? 1 : 0), `u${c.userId}`),
        ),
      );
      const acked = performance.now() - started;
      await Promise.all(clients.map((c) => c.waitSeqs(total)));
      const delivered = performance.now() - started;

      const ackSeqs = acks.flatMap((m) => [...m.values()].map((a) => a.seq)).sort((a, b) => a - b);
      expect(ackSeqs).toEqual(oneTo(total));
      for (const c of clients) {
        expect(c.seqs, `member ${c.userId} on ${c.at}`).toEqual(oneTo(total));
        expect(c.errors).toEqual([]);
      }
      // The text each sender sent is what every member got at the acknowledged seq.
      for (const m of acks) {
        for (const [reqId, ack] of m) {
          for (const c of clients) expect(c.textBySeq.get(ack.seq)).toBe(reqId);
        }
      }
      console.log(
        `[scale-out] ${n} instances, ${clients.length} members: ${total} messages acknowledged in ` +
          `${acked.toFixed(0)} ms, all ${total * clients.length} deliveries done in ${delivered.toFixed(0)} ms`,
      );
    },
    60_000,
  );
});
