import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import Database from "better-sqlite3";
import { cpuSeconds } from "../proc.ts";
import { percentile, sortedCopy } from "../stats.ts";
import { createChannels, DEV_API_KEY } from "../targets/podchat.ts";

const HISTORY_CHANNEL = "bench_history";

/**
 * Fills one channel with `count` messages in the SQLite file of a running podchat server: the
 * server created the schema and creates the channel (so the file is what it expects), then the
 * rows are written directly in one transaction — far faster than a million sends — with
 * `channels.last_seq` set to match. WAL mode lets this second connection write while the server
 * idles; the server reads the channel afresh on every history request.
 */
export async function fillHistory(port: number, sqlitePath: string, count: number, payloadBytes: number) {
  await createChannels(port, [{ name: HISTORY_CHANNEL, ordinal: 0, userIds: ["1", "2"] }]);
  const db = new Database(sqlitePath);
  try {
    db.pragma("busy_timeout = 10000");
    const insert = db.prepare(
      `INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, custom_type, data, file, req_id, created_at)
       VALUES (?, ?, ?, 'MESG', ?, ?, NULL, NULL, NULL, NULL, ?)`,
    );
    const pad = "h".repeat(Math.max(0, payloadBytes - 12));
    const t0 = Date.now() - count * 1000;
    db.transaction(() => {
      for (let seq = 1; seq <= count; seq++) {
        insert.run(
          HISTORY_CHANNEL,
          seq,
          randomUUID(),
          seq % 2 === 0 ? "2" : "1",
          `${seq}|${pad}`,
          new Date(t0 + seq * 1000).toISOString(),
        );
      }
      db.prepare("UPDATE channels SET last_seq = ? WHERE channel_url = ?").run(count, HISTORY_CHANNEL);
    })();
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

export interface HistoryResult {
  requests: number;
  errors: number;
  seconds: number;
  cpuSeconds: number;
  p50: number;
  p99: number;
  max: number;
  firstError?: string;
}

/**
 * Sequential page reads (one in flight, keep-alive) of `limit` messages before a random seq, for
 * `durationS` seconds. Latency is request start → full body on the client.
 */
export async function readHistoryPages(o: {
  port: number;
  pid: number;
  count: number;
  limit: number;
  durationS: number;
  warmup: number;
}): Promise<HistoryResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let firstError: string | undefined;
  const get = (beforeSeq: number) =>
    new Promise<boolean>((resolve) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: o.port,
          agent,
          path: `/api/v1/chat/channels/${HISTORY_CHANNEL}/messages?before_seq=${beforeSeq}&limit=${o.limit}`,
          headers: { "X-Api-Key": DEV_API_KEY },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            if (res.statusCode !== 200) {
              firstError ??= `HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`;
              return resolve(false);
            }
            // Cheap sanity check on every page: it ends right below before_seq.
            const body = Buffer.concat(chunks).toString();
            const ok =
              body.includes(`"seq":${beforeSeq - 1}`) && body.includes(`"seq":${beforeSeq - o.limit}`);
            if (!ok) firstError ??= `page before ${beforeSeq} is not the expected ${o.limit} messages`;
            resolve(ok);
          });
        },
      );
      req.on("error", (e) => {
        firstError ??= e.message;
        resolve(false);
      });
      req.end();
    });
  const randomBefore = () => o.limit + 1 + Math.floor(Math.random() * (o.count - o.limit + 1));
  for (let i = 0; i < o.warmup; i++) await get(randomBefore());
  const lat: number[] = [];
  let errors = 0;
  const cpu0 = cpuSeconds(o.pid);
  const t0 = performance.now();
  const end = t0 + o.durationS * 1000;
  while (performance.now() < end) {
    const s = performance.now();
    const ok = await get(randomBefore());
    lat.push(performance.now() - s);
    if (!ok) errors++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(o.pid) - cpu0;
  agent.destroy();
  const sorted = sortedCopy(lat);
  const r: HistoryResult = {
    requests: lat.length,
    errors,
    seconds,
    cpuSeconds: cpu,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
  if (firstError) r.firstError = firstError;
  return r;
}
