import { type Socket, connect, createServer } from "node:net";
import postgres from "postgres";
import { expect, it } from "vitest";
import {
  type Ack,
  SendError,
  createChannel,
  describeScaleOut,
  eventually,
  findServices,
  freshPrefix,
  oneTo,
  sendMany,
} from "./cluster.ts";

const services = await findServices("scale-out fault: PostgreSQL outage (PostgreSQL + Redis)");

interface Proxy {
  port: number;
  /** Drops every connection and stops listening (connections are refused), as a stopped PostgreSQL. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of `host:port` that a test can cut and restore. (A proxy that
 * kept accepting and closed each connection at once would hang the postgres client instead:
 * postgres 3.4 retries a connection that closes during its start-up without any bound.)
 */
async function tcpProxy(host: string, port: number): Promise<Proxy> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const target = connect(port, host);
    for (const s of [client, target]) {
      open.add(s);
      s.on("error", () => {});
      s.once("close", () => {
        open.delete(s);
        client.destroy();
        target.destroy();
      });
    }
    client.pipe(target).pipe(client);
  });
  const listen = (p: number) => new Promise<void>((r) => server.listen(p, "127.0.0.1", r));
  const stop = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      for (const s of open) s.destroy();
    });
  await listen(0);
  const proxyPort = (server.address() as { port: number }).port;
  return {
    port: proxyPort,
    cut: stop,
    restore: () => listen(proxyPort),
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}

await describeScaleOut(services, "scale-out fault: PostgreSQL briefly unavailable", (cluster) => {
  it("sends fail with a retryable STORE_UNAVAILABLE, nothing is acknowledged unstored, and sends work after", async () => {
    const { pgUrl } = cluster.services;
    const pg = new URL(pgUrl);
    const proxy = await tcpProxy(pg.hostname, Number(pg.port || 5432));
    cluster.afterTest(() => proxy.close());
    const proxied = new URL(pgUrl);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    const instance = await cluster.instance({ pgUrl: proxied.toString(), prefix: freshPrefix() });
    const channel = "scale_pg_outage";
    await createChannel(instance.url, channel, ["1", "2"]);
    const sender = await cluster.client(instance.wsUrl, channel, "1");
    const reader = await cluster.client(instance.wsUrl, channel, "2");
    const acks = await sendMany(sender, 20, "before");

    await proxy.cut();
    const cutAt = performance.now();
    await eventually(
      async () => (await fetch(`${instance.url}/readyz`)).status === 503,
      "/readyz to report the outage",
      5000,
      50,
    );
    const refused: SendError[] = [];
    const timings: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const outcome = await sender.sendOnce(`during-${i}`, `during-${i}`).then(
        (ack) => ack,
        (e: unknown) => e,
      );
      timings.push(performance.now() - t0);
      expect(outcome, `during-${i} must not be acknowledged while PostgreSQL is away`).toBeInstanceOf(
        SendError,
      );
      refused.push(outcome as SendError);
    }
    for (const e of refused) {
      expect(e.code).toBe("STORE_UNAVAILABLE");
      expect(e.retryAfterMs).toBeGreaterThan(0);
    }
    // The sockets stay open through the outage.
    expect(sender.sockets).toHaveLength(1);

    await proxy.restore();
    const restoredAt = performance.now();
    // The same req_ids again (what a client does after retry_after_ms), then new traffic.
    for (let i = 0; i < 10; i++)
      acks.set(`during-${i}`, await sender.sendReliably(`during-${i}`, `during-${i}`));
    const firstAfter = performance.now();
    await sendMany(sender, 20, "after", { acks });
    const allAfter = performance.now();
    const total = 50;
    await reader.waitSeqs(total);
    expect([...acks.values()].map((a) => a.seq).sort((x, y) => x - y)).toEqual(oneTo(total));
    expect(reader.seqs).toEqual(oneTo(total));
    expect(sender.seqs).toEqual(oneTo(total));

    // Every acknowledgement stands for a stored row (read straight from PostgreSQL).
    const sql = postgres(pgUrl, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql.unsafe<{ req_id: string; seq: string; message_id: string }[]>(
        `SELECT req_id, seq, message_id FROM "${cluster.schema}".messages WHERE channel_url = $1 ORDER BY seq`,
        [channel],
      );
      expect(rows).toHaveLength(total);
      const stored = new Map(rows.map((r) => [r.req_id, r]));
      for (const [reqId, ack] of acks as Map<string, Ack>) {
        expect(stored.get(reqId), reqId).toEqual({
          req_id: reqId,
          seq: String(ack.seq),
          message_id: ack.message_id,
        });
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
    expect((await fetch(`${instance.url}/readyz`)).status).toBe(200);
    console.log(
      `[scale-out] PostgreSQL cut ${(restoredAt - cutAt).toFixed(0)} ms: 10 sends refused with ` +
        `STORE_UNAVAILABLE in ${Math.max(...timings).toFixed(0)} ms at most; ` +
        `the 10 resends acknowledged ${(firstAfter - restoredAt).toFixed(0)} ms after restore, ` +
        `20 new sends ${(allAfter - firstAfter).toFixed(0)} ms later (the pg client's reconnect backoff)`,
    );
  }, 60_000);
});
