/**
 * Soak test: thousands of chat sockets churning (connect, chat, close or drop, reconnect with
 * since_seq) against one real server for a fixed time. Exits non-zero when any member missed,
 * repeated or reordered a message, an acknowledged message is not stored exactly once, or memory
 * does not return to its baseline.
 *
 *   node --import tsx test/soak/soak.ts --seconds 120 --connections 3000
 *
 * Options: --seconds N, --connections N, --per-channel N (members per channel, 10),
 * --send-every-ms N (3000), --min-life-ms N (1000), --max-life-ms N (6000).
 */
import { parseArgs } from "node:util";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import WebSocket from "ws";
import { type TestServer, createChannel, startServer, token } from "../harness.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "120" },
    connections: { type: "string", default: "3000" },
    "per-channel": { type: "string", default: "10" },
    "send-every-ms": { type: "string", default: "3000" },
    "min-life-ms": { type: "string", default: "1000" },
    "max-life-ms": { type: "string", default: "6000" },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const PER_CHANNEL = Number(values["per-channel"]);
const SEND_EVERY = Number(values["send-every-ms"]);
const MIN_LIFE = Number(values["min-life-ms"]);
const MAX_LIFE = Number(values["max-life-ms"]);

interface Client {
  user: string;
  channel: string;
  token: string;
  lastSeq: number;
  /** Sent, not yet acknowledged: resent with the same req_id after a reconnect. */
  pending: Map<string, { text: string; at: number }>;
  acked: Set<string>;
  next: number;
}

const stats = {
  sessions: 0,
  openFailures: 0,
  abrupt: 0,
  sent: 0,
  resent: 0,
  acks: 0,
  received: 0,
  violations: [] as string[],
  errors: new Map<string, number>(),
  /** Why sockets failed before CONNECTED (client-side error messages). */
  openErrors: new Map<string, number>(),
  closeCodes: new Map<number, number>(),
  ackLatency: [] as number[],
  peak: 0,
};
let open = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (a: number, b: number) => a + Math.random() * (b - a);
const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);
const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

/** One socket's life: connect with since_seq, chat, then close (or drop) after `lifeMs`. */
function session(t: TestServer, c: Client, lifeMs: number | null, isDone: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(
      `${t.wsUrl}/api/v1/chat/ws/${c.channel}?token=${c.token}&since_seq=${c.lastSeq}`,
    );
    let sender: NodeJS.Timeout | null = null;
    let life: NodeJS.Timeout | null = null;
    let connected = false;
    const send = () => {
      const req = `${c.user}-${c.next++}`;
      const text = `${req} ${"m".repeat(40)}`;
      c.pending.set(req, { text, at: performance.now() });
      ws.send(JSON.stringify({ type: "MESG", message: text, req_id: req }));
      stats.sent++;
    };
    ws.on("message", (data) => {
      const f = JSON.parse(data.toString()) as Record<string, unknown>;
      switch (f.type) {
        case "CONNECTED":
          connected = true;
          stats.sessions++;
          open++;
          stats.peak = Math.max(stats.peak, open);
          for (const [req, p] of c.pending) {
            ws.send(JSON.stringify({ type: "MESG", message: p.text, req_id: req }));
            stats.resent++;
          }
          if (lifeMs !== null) {
            sender = setInterval(send, rand(SEND_EVERY * 0.5, SEND_EVERY * 1.5));
            life = setTimeout(() => {
              if (Math.random() < 0.2) {
                stats.abrupt++;
                ws.terminate();
              } else ws.close();
            }, lifeMs);
          }
          return;
        case "ACK": {
          const req = String(f.req_id);
          const p = c.pending.get(req);
          if (p) {
            stats.ackLatency.push(performance.now() - p.at);
            c.pending.delete(req);
          }
          c.acked.add(req);
          stats.acks++;
          return;
        }
        case "ERROR":
          bump(stats.errors, String(f.code));
          return;
        case "MESG": {
          const seq = Number(f.seq);
          if (seq !== c.lastSeq + 1) {
            stats.violations.push(`${c.user}@${c.channel}: got seq ${seq} after ${c.lastSeq}`);
          }
          if (seq > c.lastSeq) c.lastSeq = seq;
          stats.received++;
          if (lifeMs === null && isDone()) ws.close();
          return;
        }
      }
    });
    ws.on("error", (e) => {
      if (!connected) bump(stats.openErrors, e.message.slice(0, 60));
    });
    ws.on("close", (code) => {
      bump(stats.closeCodes, code);
      if (connected) open--;
      else stats.openFailures++;
      if (sender) clearInterval(sender);
      if (life) clearTimeout(life);
      resolve();
    });
    if (lifeMs === null) {
      // Final catch-up session: closes itself once caught up and everything is acknowledged.
      const check = setInterval(() => {
        if (connected && isDone()) ws.close();
      }, 50);
      ws.once("close", () => clearInterval(check));
    }
  });
}

async function main() {
  const t = await startServer({
    overrides: {
      limits: { max_connections_per_ip: 1_000_000, max_connections_per_user: 100 },
      log: { level: "silent" },
    },
  });
  const channels = Math.ceil(CONNECTIONS / PER_CHANNEL);
  const clients: Client[] = [];
  for (let ch = 0; ch < channels; ch++) {
    const url = `soak_${ch}`;
    const users = Array.from({ length: PER_CHANNEL }, (_, i) => `u${ch}_${i}`);
    await createChannel(t, url, users);
    for (const u of users) {
      if (clients.length >= CONNECTIONS) break;
      clients.push({
        user: u,
        channel: url,
        token: await token(u),
        lastSeq: 0,
        pending: new Map(),
        acked: new Set(),
        next: 0,
      });
    }
  }
  // Warm up once (JIT, prepared statements, pools), then take the baseline.
  await Promise.all(clients.slice(0, 50).map((c) => session(t, c, 200, () => true)));
  for (const c of clients) c.lastSeq = (await t.server.store.getChannel(c.channel))!.last_seq;
  await sleep(500);
  gc();
  const base = process.memoryUsage();
  console.log(
    `soak: ${clients.length} connections in ${channels} channels for ${SECONDS}s; baseline heap ${mb(base.heapUsed)} MB, rss ${mb(base.rss)} MB`,
  );

  const started = performance.now();
  const endAt = Date.now() + SECONDS * 1000;
  let lastReport = Date.now();
  const lives = clients.map(async (c, i) => {
    await sleep((i / clients.length) * Math.min(5000, SECONDS * 250)); // ramp up
    while (Date.now() < endAt) {
      await session(t, c, rand(MIN_LIFE, MAX_LIFE), () => false);
      await sleep(rand(20, 300));
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        const m = process.memoryUsage();
        console.log(
          `  t=${Math.round((performance.now() - started) / 1000)}s open=${open} sessions=${stats.sessions} sent=${stats.sent} acks=${stats.acks} received=${stats.received} heap=${mb(m.heapUsed)}MB rss=${mb(m.rss)}MB`,
        );
      }
    }
  });
  await Promise.all(lives);
  const churnMs = performance.now() - started;

  // Everyone reconnects once more and catches up; unacknowledged sends are resent.
  const lastSeqOf = new Map<string, number>();
  const catchUp = async () => {
    for (let ch = 0; ch < channels; ch++) {
      const url = `soak_${ch}`;
      lastSeqOf.set(url, (await t.server.store.getChannel(url))!.last_seq);
    }
  };
  const finalDeadline = Date.now() + 60_000;
  for (let round = 0; round < 5 && Date.now() < finalDeadline; round++) {
    await catchUp();
    const behind = clients.filter((c) => c.pending.size > 0 || c.lastSeq < lastSeqOf.get(c.channel)!);
    if (behind.length === 0) break;
    await Promise.all(
      behind.map((c) =>
        Promise.race([
          session(t, c, null, () => c.pending.size === 0 && c.lastSeq >= lastSeqOf.get(c.channel)!),
          sleep(20_000),
        ]),
      ),
    );
  }
  await catchUp();

  const problems: string[] = [...stats.violations.slice(0, 20)];
  if (stats.violations.length > 20) problems.push(`… ${stats.violations.length - 20} more order violations`);
  let stored = 0;
  for (let ch = 0; ch < channels; ch++) {
    const url = `soak_${ch}`;
    const msgs = await t.server.store.listMessages(url, { afterSeq: 0, limit: 1_000_000 });
    stored += msgs.length;
    const reqs = msgs.map((m) => m.message.split(" ")[0]!);
    if (new Set(reqs).size !== reqs.length) problems.push(`${url}: a req_id is stored twice`);
    msgs.forEach((m, i) => {
      if (m.seq !== i + 1) problems.push(`${url}: seq ${m.seq} at position ${i + 1}`);
    });
    const members = clients.filter((c) => c.channel === url);
    const sentHere = new Set(members.flatMap((c) => [...c.acked]));
    for (const r of sentHere) if (!reqs.includes(r)) problems.push(`${url}: acknowledged ${r} is not stored`);
    for (const c of members) {
      if (c.pending.size > 0) problems.push(`${c.user}: ${c.pending.size} sends never acknowledged`);
      if (c.lastSeq !== msgs.length)
        problems.push(`${c.user}@${url}: saw up to seq ${c.lastSeq} of ${msgs.length}`);
    }
  }
  const hubAfter = t.server.hub.stats();
  if (hubAfter.connections !== 0 || hubAfter.channels !== 0)
    problems.push(`hub still holds ${hubAfter.connections} sockets in ${hubAfter.channels} rooms`);

  // Memory: drop the clients' bookkeeping, let the server settle, collect, compare.
  const ackLatency = stats.ackLatency.sort((a, b) => a - b);
  const pct = (p: number) =>
    ackLatency[Math.min(ackLatency.length - 1, Math.floor((p / 100) * ackLatency.length))] ?? 0;
  stats.ackLatency = [];
  clients.length = 0;
  await sleep(1000);
  gc();
  await sleep(200);
  gc();
  const end = process.memoryUsage();
  const heapGrowth = end.heapUsed - base.heapUsed;
  const heapLimit = Math.max(32 * 1024 * 1024, base.heapUsed * 0.5);
  if (heapGrowth > heapLimit)
    problems.push(`heap grew by ${mb(heapGrowth)} MB (limit ${mb(heapLimit)} MB): leak`);
  await t.close();

  const result = {
    seconds: Math.round(churnMs / 1000),
    connections: CONNECTIONS,
    channels,
    sessions: stats.sessions,
    peak_open: stats.peak,
    abrupt_drops: stats.abrupt,
    open_failures: stats.openFailures,
    sent: stats.sent,
    resent: stats.resent,
    acks: stats.acks,
    stored,
    deliveries_received: stats.received,
    ack_ms_p50: Math.round(pct(50) * 10) / 10,
    ack_ms_p99: Math.round(pct(99) * 10) / 10,
    errors: Object.fromEntries(stats.errors),
    close_codes: Object.fromEntries(stats.closeCodes),
    open_errors: Object.fromEntries(stats.openErrors),
    heap_mb_baseline: mb(base.heapUsed),
    heap_mb_end: mb(end.heapUsed),
    rss_mb_baseline: mb(base.rss),
    rss_mb_end: mb(end.rss),
    problems: problems.length,
  };
  console.log(`SOAK_RESULT ${JSON.stringify(result)}`);
  if (problems.length > 0) {
    console.error(`soak FAILED:\n  ${problems.slice(0, 40).join("\n  ")}`);
    process.exit(1);
  }
  console.log("soak OK: nothing lost, repeated or reordered; memory back to baseline");
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
