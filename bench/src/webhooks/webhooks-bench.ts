/**
 * Webhooks under load: the same send load on podchat (SQLite, one process) with no endpoint, a
 * fast receiver, a receiver that never answers, and a dead one (connection refused). Measures the
 * sends' ACK latency and throughput, the server's RSS, and what the receiver got — to show that a
 * slow or dead endpoint does not slow chat (the dispatcher's queue is bounded; the backlog stays in
 * the outbox table).
 *
 *   pnpm --filter @podchat/bench webhooks -- --rooms 20 --messages 500 --window 20
 *
 * Not part of `pnpm test`. Figures vary with machine load: compare rows of one run.
 */
import { createServer, type ServerResponse } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runAckLoad } from "../load/ack-load.ts";
import { parse, stringify } from "yaml";
import { rssBytes } from "../proc.ts";
import { createChannels, startPodchatInstance, writeBenchConfig } from "../targets/podchat.ts";
import { freePort } from "../targets/server-process.ts";

const { values } = parseArgs({
  options: {
    rooms: { type: "string", default: "20" },
    messages: { type: "string", default: "500" },
    window: { type: "string", default: "20" },
  },
});
const rooms = Number(values.rooms);
const perRoom = Number(values.messages);
const window = Number(values.window);

type Mode = "none" | "fast" | "hanging" | "dead";

/** A receiver: answers 200 at once, or holds every request open. */
async function receiver(hang: boolean) {
  const held: ServerResponse[] = [];
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      if (hang) held.push(res);
      else res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received: () => received,
    async close() {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function run(mode: Mode) {
  const dir = mkdtempSync(join(tmpdir(), `podchat-wh-bench-${mode}-`));
  const configDir = writeBenchConfig(join(dir, "config"));
  const rx = mode === "fast" || mode === "hanging" ? await receiver(mode === "hanging") : null;
  const url = rx?.url ?? `http://127.0.0.1:${await freePort()}/nobody-listens`;
  if (mode !== "none") {
    const file = join(configDir, "config.dev.yaml");
    const cfg = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    cfg.webhooks = {
      endpoints: [{ id: "bench", url, secret: "bench-webhook-secret-0123456789", events: ["message.sent"] }],
      timeout_ms: 10_000,
      backoff_base_ms: 1000,
      per_endpoint_concurrency: Number(process.env.WH_PER_ENDPOINT ?? 8),
      concurrency: 64,
    };
    writeFileSync(file, stringify(cfg));
  }
  const server = await startPodchatInstance(
    `podchat (${mode})`,
    { configDir, sqlitePath: join(dir, "s.sqlite") },
    null,
  );
  try {
    const list = Array.from({ length: rooms }, (_, i) => ({
      name: `wh_bench_${i}`,
      ordinal: i,
      userIds: [`u${i}`],
    }));
    await createChannels(server.port, list);
    const load = await runAckLoad({
      port: server.port,
      rooms: list,
      perRoom,
      window,
      message: (req) => `bench ${req}`,
    });
    // How long the fast receiver takes to get everything (the dispatcher's throughput), at most 60 s.
    const total = rooms * perRoom;
    const atEnd = rx?.received() ?? 0;
    const sendsEnded = performance.now();
    const deadline = performance.now() + (mode === "fast" ? 60_000 : 500);
    while (performance.now() < deadline && (rx?.received() ?? 0) < total)
      await new Promise((r) => setTimeout(r, 20));
    const drainedS = (performance.now() - sendsEnded) / 1000;
    return {
      mode,
      ...load,
      rssMb: rssBytes(server.pid) / 1024 / 1024,
      received: rx ? rx.received() : 0,
      // After the sends: the dispatcher alone (the backlog left when they ended, drained).
      deliveredPerSec: mode === "fast" ? ((rx?.received() ?? 0) - atEnd) / drainedS : Number.NaN,
    };
  } finally {
    await server.stop();
    await rx?.close();
  }
}

const rows = [];
for (const mode of (process.env.WH_MODES?.split(",") as Mode[] | undefined) ??
  (["none", "fast", "hanging", "dead", "none"] as const))
  rows.push(await run(mode));
console.log(
  `\nwebhooks bench — ${new Date().toISOString()}, ${rooms} rooms × ${perRoom} sends, ${window} in flight per socket`,
);
console.log(
  "| endpoint | sends | sends/s | ACK p50 ms | ACK p99 ms | server RSS MB | requests received | deliveries/s after the sends |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows)
  console.log(
    `| ${r.mode} | ${r.sends} | ${r.perSec.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.rssMb.toFixed(0)} | ${r.received} | ${Number.isNaN(r.deliveredPerSec) ? "" : r.deliveredPerSec.toFixed(0)} |`,
  );
