/**
 * Restart under load: N SDK clients (several load processes) on one podchat server (the built
 * bundle, SQLite), then SIGTERM and a fresh start on the same port — what a single-instance deploy
 * does. Measures the drain, the downtime, when every client is connected again and when every one
 * has resumed (received the message posted to its channel after the restart), and the spread of
 * the reconnect attempts (the SDK's 0..1 s drain jitter, then its backoff).
 *
 *   pnpm --filter @podchat/bench restart -- --clients 10000 --workers 4
 *
 * Options: --clients N (10000), --workers N (4), --per-channel N (10 members per channel),
 * --timeout-s N (180). Not part of `pnpm test`: it takes a minute or two and most of two cores.
 */
import { spawn, spawnSync, fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse as parseYaml, stringify } from "yaml";
import { cpuSeconds, rssBytes } from "../proc.ts";
import { freePort } from "../targets/server-process.ts";
import type { ClientRecord, FromWorker, ToWorker } from "./messages.ts";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "10000" },
    workers: { type: "string", default: "4" },
    "per-channel": { type: "string", default: "10" },
    "timeout-s": { type: "string", default: "180" },
  },
});
const CLIENTS = Number(values.clients);
const WORKERS = Number(values.workers);
const PER_CHANNEL = Number(values["per-channel"]);
const TIMEOUT_MS = Number(values["timeout-s"]) * 1000;

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const serverDir = join(repo, "apps/server");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const API_KEY = "dev-api-key";
const SECRET = "dev-only-jwt-secret-change-me-0123456789";

// The production bundle, with the dev config except limits a single-IP load generator needs.
const built = spawnSync(process.execPath, [join(serverDir, "scripts/build.mjs")], { stdio: "inherit" });
if (built.status !== 0) throw new Error("server build failed");
const dir = mkdtempSync(join(tmpdir(), "podchat-restart-"));
const config = parseYaml(readFileSync(join(serverDir, "config/config.dev.yaml"), "utf8")) as Record<
  string,
  unknown
>;
config.limits = { max_connections_per_ip: 1_000_000 };
config.log = { level: "warn" };
writeFileSync(join(dir, "config.dev.yaml"), stringify(config));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

function startServer(label: string): Promise<{ child: ChildProcess; readyAt: number }> {
  const child = spawn(process.execPath, [join(serverDir, "dist/main.js")], {
    cwd: dir,
    env: {
      ...process.env,
      APP_ENV: "dev",
      CONFIG_DIR: dir,
      HOST: "127.0.0.1",
      PORT: String(port),
      SQLITE_PATH: join(dir, "chat.sqlite"),
      UPLOADS_DIR: join(dir, "uploads"),
      DATABASE_URL: "",
      REDIS_URL: "",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  let out = "";
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("podchat listening")) resolve({ child, readyAt: Date.now() });
    });
    child.once("exit", (code) => reject(new Error(`${label} exited ${code}: ${out.slice(-500)}`)));
  });
}

async function api(path: string, body: unknown, tries = 3): Promise<void> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method: "POST",
      headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (e) {
    // A pooled keep-alive connection to the stopped server fails once; a new one reaches B.
    if (tries > 1) return api(path, body, tries - 1);
    throw e;
  }
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

async function inBatches<T>(items: T[], width: number, fn: (t: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

const users = Array.from({ length: CLIENTS }, (_, i) => `u${i}`);
const channelOf = (i: number) => `rs-${Math.floor(i / PER_CHANNEL)}`;
const channels = [...new Set(users.map((_, i) => channelOf(i)))];
/** The first member of a channel (`rs-K` holds users K·PER_CHANNEL …). */
const memberOf = (c: string) => users[Number(c.slice(3)) * PER_CHANNEL]!;

console.log(`restart bench: ${CLIENTS} SDK clients in ${WORKERS} processes, ${channels.length} channels`);
let a = await startServer("server A");
await inBatches(channels, 25, (c) =>
  api("/api/v1/chat/channels", {
    channel_url: c,
    user_ids: users.filter((_, i) => channelOf(i) === c),
  }),
);

const workers = Array.from({ length: WORKERS }, () => {
  const w = fork(fileURLToPath(new URL("./restart-worker.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx", "--max-old-space-size=1024"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  live.add(w);
  return w;
});
function ask<T extends FromWorker["type"]>(w: ChildProcess, m: ToWorker, reply: T) {
  return new Promise<Extract<FromWorker, { type: T }>>((resolve) => {
    const on = (r: FromWorker) => {
      if (r.type !== reply) return;
      w.off("message", on);
      resolve(r as Extract<FromWorker, { type: T }>);
    };
    w.on("message", on);
    w.send(m);
  });
}
async function progress() {
  const all = await Promise.all(workers.map((w) => ask(w, { type: "progress" }, "progress")));
  const sum = (k: "connected" | "back" | "resumed" | "closed" | "errors") =>
    all.reduce((n, p) => n + p[k], 0);
  return {
    connected: sum("connected"),
    back: sum("back"),
    resumed: sum("resumed"),
    closed: sum("closed"),
    errors: sum("errors"),
  };
}

const rampStart = Date.now();
await Promise.all(
  workers.map((w, k) =>
    ask(
      w,
      {
        type: "start",
        url: base,
        secret: SECRET,
        clients: users.flatMap((u, i) => (i % WORKERS === k ? [[u, channelOf(i)] as [string, string]] : [])),
        resumeSeq: 2,
      },
      "ready",
    ),
  ),
);
const rampMs = Date.now() - rampStart;
await inBatches(channels, 50, (c) =>
  api(`/api/v1/chat/channels/${c}/messages`, { user_id: memberOf(c), message: "before" }),
);
const aRss = rssBytes(a.child.pid!);
console.log(
  `connected: ${CLIENTS} in ${(rampMs / 1000).toFixed(1)} s; server A RSS ${(aRss / 2 ** 20).toFixed(0)} MiB`,
);
await sleep(1000);

// The restart: SIGTERM, wait for the drain to end, start again on the same port.
for (const w of workers) w.send({ type: "mark" } satisfies ToWorker);
const load0 = loadavg()[0]!;
const workerCpu0 = workers.map((w) => cpuSeconds(w.pid!));
const t0 = Date.now();
const aExit = new Promise<number>((r) => a.child.once("exit", () => r(Date.now())));
a.child.kill("SIGTERM");
const aExitedAt = await aExit;
const b = await startServer("server B");
a = b;
const bCpu0 = cpuSeconds(b.child.pid!);
// One message per channel while the clients come back: resuming means receiving it.
const postStart = Date.now();
await inBatches(channels, 50, (c) =>
  api(`/api/v1/chat/channels/${c}/messages`, { user_id: memberOf(c), message: "after" }),
);
const postedAt = Date.now();

let last = await progress();
while (last.resumed < CLIENTS && Date.now() - t0 < TIMEOUT_MS) {
  await sleep(250);
  last = await progress();
}
const bCpu = cpuSeconds(b.child.pid!) - bCpu0;
const workerCpu = workers.reduce((n, w, k) => n + cpuSeconds(w.pid!) - workerCpu0[k]!, 0);
const recoveredAt = Date.now();
const reports = await Promise.all(workers.map((w) => ask(w, { type: "report" }, "report")));
const records: ClientRecord[] = reports.flatMap((r) => r.clients);
const errors: Record<string, number> = {};
for (const r of reports) for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + n;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : Number.NaN;
};
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const back = records.filter((r) => r.backAt !== null).map((r) => r.backAt! - t0);
const resumed = records.filter((r) => r.resumedAt !== null).map((r) => r.resumedAt! - t0);
const firstDelay = records
  .filter((r) => r.closedAt !== null && r.attempts.length > 0)
  .map((r) => r.attempts[0]! - r.closedAt!);
const attempts = records.map((r) => r.attempts.length);
const sinceB = back.map((x) => x - (b.readyAt - t0));
const lag = reports.map((r) => r.loopDelayMs);

function histogram(xs: number[], bucketMs: number, label: string) {
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(Math.floor(x / bucketMs), (counts.get(Math.floor(x / bucketMs)) ?? 0) + 1);
  const max = Math.max(...counts.values());
  console.log(label);
  for (const k of [...counts.keys()].sort((x, y) => x - y)) {
    const n = counts.get(k)!;
    const from = k * bucketMs;
    console.log(
      `  ${String(from).padStart(6)}–${String(from + bucketMs).padEnd(6)} ms ${String(n).padStart(6)} ${"#".repeat(Math.round((50 * n) / max))}`,
    );
  }
}

console.log("\n=== restart under load");
console.log(
  `clients                 ${CLIENTS} (${WORKERS} processes, ${channels.length} channels of ${PER_CHANNEL})`,
);
console.log(`drain (SIGTERM → exit)  ${s(aExitedAt - t0)}`);
console.log(`downtime (→ B listens)  ${s(b.readyAt - t0)}`);
console.log(`messages posted         ${channels.length} by ${s(postedAt - t0)} (from ${s(postStart - t0)})`);
console.log(`closed by the drain     ${records.filter((r) => r.closedAt !== null).length}`);
console.log(
  `back (connected)        ${back.length}; p50 ${s(pct(back, 50))}, p90 ${s(pct(back, 90))}, p99 ${s(pct(back, 99))}, all ${s(Math.max(...back))}`,
);
console.log(
  `back after B listens    p50 ${s(pct(sinceB, 50))}, p90 ${s(pct(sinceB, 90))}, all ${s(Math.max(...sinceB))}`,
);
console.log(
  `resumed (got msg 2)     ${resumed.length}; p50 ${s(pct(resumed, 50))}, p99 ${s(pct(resumed, 99))}, all ${s(Math.max(...resumed))}`,
);
console.log(
  `server B CPU            ${bCpu.toFixed(1)} s while they came back; RSS ${(rssBytes(b.child.pid!) / 2 ** 20).toFixed(0)} MiB`,
);
console.log(
  `attempts per client     ${[1, 2, 3, 4, 5].map((n) => `${n}: ${attempts.filter((a) => a === n).length}`).join(", ")}, more: ${attempts.filter((a) => a > 5).length}`,
);
console.log(`client errors           ${JSON.stringify(errors)}`);
console.log(
  `load processes          ${workerCpu.toFixed(1)} CPU-s over ${s(recoveredAt - t0)}; event-loop delay p99 ${lag.map((l) => l.p99.toFixed(0)).join("/")} ms, max ${lag.map((l) => l.max.toFixed(0)).join("/")} ms`,
);
console.log(
  `machine load average    ${load0.toFixed(1)} at SIGTERM, ${loadavg()[0]!.toFixed(1)} after (2 cores, shared)`,
);
histogram(firstDelay, 100, "first reconnect attempt after the 1001 close (the SDK's drain jitter):");
histogram(back, 500, "connected again, time after SIGTERM:");

for (const w of workers) w.send({ type: "stop" } satisfies ToWorker);
await sleep(500);
b.child.kill("SIGTERM");
await sleep(1000);
process.exit(resumed.length === CLIENTS ? 0 : 1);
