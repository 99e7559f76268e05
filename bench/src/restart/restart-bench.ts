/**
 * Restart under load: N SDK clients (several load processes) on podchat (the built bundle), then a
 * restart. Measures the drain, when every client the restart closed is connected again and when
 * every client has resumed (received the message posted to its channel after the SIGTERM), and
 * the spread of the reconnect attempts (the SDK's 0..1 s drain jitter, then its backoff).
 *
 *   pnpm --filter @podchat/bench run restart -- --mode rolling --clients 10000
 *   pnpm --filter @podchat/bench run restart -- --mode single --clients 10000
 *
 * --mode single: one instance (SQLite): SIGTERM, wait for the exit, start again on the same port.
 * --mode rolling: two instances (PostgreSQL + Redis, $DATABASE_URL / $REDIS_URL or the local ones)
 *   behind two readiness-probing TCP balancers (bench/src/restart/balancer.ts); instance A gets
 *   SIGTERM, its clients reconnect through the balancers to B, then A starts again.
 * Other options: --clients N (10000), --workers N (4), --per-channel N (10), --timeout-s N (180).
 * Not part of `pnpm test`: it takes a minute or two and most of two cores.
 */
import { type ChildProcess, fork, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { parse as parseYaml, stringify } from "yaml";
import { cpuSeconds, rssBytes } from "../proc.ts";
import { freePort } from "../targets/server-process.ts";
import type { ClientRecord, FromWorker, ToWorker } from "./messages.ts";

const { values } = parseArgs({
  // `pnpm run restart -- …` passes the `--` on.
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    mode: { type: "string", default: "rolling" },
    clients: { type: "string", default: "10000" },
    workers: { type: "string", default: "4" },
    "per-channel": { type: "string", default: "10" },
    "timeout-s": { type: "string", default: "180" },
  },
});
const MODE = values.mode;
if (MODE !== "single" && MODE !== "rolling") throw new Error("--mode is single or rolling");
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

const pgUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const schema = `restart_bench_${process.pid}`;
const storeEnv =
  MODE === "rolling"
    ? {
        DATABASE_URL: pgUrl,
        DATABASE_SCHEMA: schema,
        REDIS_URL: process.env.REDIS_URL || "redis://127.0.0.1:6379",
        REDIS_PREFIX: `rb${process.pid}`,
      }
    : { DATABASE_URL: "", REDIS_URL: "", SQLITE_PATH: join(dir, "chat.sqlite") };

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});
function track(c: ChildProcess) {
  live.add(c);
  c.once("exit", () => live.delete(c));
  return c;
}

interface Instance {
  child: ChildProcess;
  port: number;
  readyAt: number;
}
function startServer(label: string, port: number): Promise<Instance> {
  const child = track(
    spawn(process.execPath, [join(serverDir, "dist/main.js")], {
      cwd: dir,
      env: {
        ...process.env,
        APP_ENV: "dev",
        CONFIG_DIR: dir,
        HOST: "127.0.0.1",
        PORT: String(port),
        UPLOADS_DIR: join(dir, "uploads"),
        LOG_LEVEL: "info",
        ...storeEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let out = "";
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("podchat listening")) resolve({ child, port, readyAt: Date.now() });
    });
    child.once("exit", (code) => reject(new Error(`${label} exited ${code}: ${out.slice(-500)}`)));
  });
}

function startBalancer(port: number, backends: number[]): Promise<ChildProcess> {
  const child = track(
    spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("./balancer.ts", import.meta.url)),
        String(port),
        ...backends.map(String),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    ),
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      if (String(d).includes("balancer listening")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`balancer exited ${code}`)));
  });
}

// Where clients and REST calls go: the instance itself, or the balancers.
let entries: string[];
let a: Instance;
let b: Instance | undefined;
if (MODE === "single") {
  a = await startServer("server A", await freePort());
  entries = [`http://127.0.0.1:${a.port}`];
} else {
  [a, b] = await Promise.all([
    startServer("server A", await freePort()),
    startServer("server B", await freePort()),
  ]);
  const lbPorts = [await freePort(), await freePort()];
  await Promise.all(lbPorts.map((p) => startBalancer(p, [a.port, b!.port])));
  entries = lbPorts.map((p) => `http://127.0.0.1:${p}`);
}
const base = entries[0]!;

async function api(path: string, body: unknown, tries = 5): Promise<void> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method: "POST",
      headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (e) {
    // A pooled keep-alive connection to a stopped server fails once; a new one reaches a live one.
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

console.log(
  `restart bench (${MODE}): ${CLIENTS} SDK clients in ${WORKERS} processes, ${channels.length} channels`,
);
await inBatches(channels, 25, (c) =>
  api("/api/v1/chat/channels", { channel_url: c, user_ids: users.filter((_, i) => channelOf(i) === c) }),
);

const workers = Array.from({ length: WORKERS }, () =>
  track(
    fork(fileURLToPath(new URL("./restart-worker.ts", import.meta.url)), [], {
      execArgv: ["--import", "tsx", "--max-old-space-size=1024"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  ),
);
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
  return { resumed: all.reduce((n, p) => n + p.resumed, 0) };
}

const rampStart = Date.now();
const ramp = await Promise.all(
  workers.map((w, k) =>
    ask(
      w,
      {
        type: "start",
        // Worker k's clients go through entry k (the balancers split the load between them).
        url: entries[k % entries.length]!,
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
console.log(
  `connected: ${CLIENTS} in ${(rampMs / 1000).toFixed(1)} s (${ramp.reduce((n, r) => n + r.rampRetries, 0)} first connects retried); server A RSS ${(rssBytes(a.child.pid!) / 2 ** 20).toFixed(0)} MiB`,
);
await sleep(1000);

// The restart.
for (const w of workers) w.send({ type: "mark" } satisfies ToWorker);
const load0 = loadavg()[0]!;
const cpu0 = new Map([...live].map((c) => [c.pid!, cpuSeconds(c.pid!)]));
const t0 = Date.now();
const aExit = new Promise<number>((r) => a.child.once("exit", () => r(Date.now())));
a.child.kill("SIGTERM");
let restarted: Instance;
let postStart: number;
if (MODE === "single") {
  await aExit;
  restarted = await startServer("server A (new)", a.port);
  postStart = Date.now();
} else {
  // The balancers stop sending A new sockets within one probe; the posts go to B meanwhile.
  postStart = Date.now();
}
// One message per channel while the clients come back: resuming means receiving it.
await inBatches(channels, 50, (c) =>
  api(`/api/v1/chat/channels/${c}/messages`, { user_id: memberOf(c), message: "after" }),
);
const postedAt = Date.now();
const aExitedAt = await aExit;
if (MODE === "rolling") restarted = await startServer("server A (new)", a.port);

let last = await progress();
while (last.resumed < CLIENTS && Date.now() - t0 < TIMEOUT_MS) {
  await sleep(250);
  last = await progress();
}
const recoveredAt = Date.now();
const cpuOf = (c: ChildProcess) => cpuSeconds(c.pid!) - (cpu0.get(c.pid!) ?? 0);
const serverCpu = (b ? cpuOf(b.child) : 0) + cpuOf(restarted!.child);
const workerCpu = workers.reduce((n, w) => n + cpuOf(w), 0);
const reports = await Promise.all(workers.map((w) => ask(w, { type: "report" }, "report")));
const records: ClientRecord[] = reports.flatMap((r) => r.clients);
const errors: Record<string, number> = {};
for (const r of reports) for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + n;

const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((x, y) => x - y);
  return sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
    : Number.NaN;
};
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const closed = records.filter((r) => r.closedAt !== null);
const back = closed.filter((r) => r.backAt !== null).map((r) => r.backAt! - t0);
const resumed = records.filter((r) => r.resumedAt !== null).map((r) => r.resumedAt! - t0);
const firstDelay = closed.filter((r) => r.attempts.length > 0).map((r) => r.attempts[0]! - r.closedAt!);
const attempts = closed.map((r) => r.attempts.length);
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

console.log(`\n=== restart under load (${MODE})`);
console.log(
  `clients                 ${CLIENTS} (${WORKERS} processes, ${channels.length} channels of ${PER_CHANNEL})`,
);
console.log(`drain (SIGTERM → exit)  ${s(aExitedAt - t0)}`);
if (MODE === "single") console.log(`downtime (→ listens)    ${s(restarted!.readyAt - t0)}`);
else console.log(`A back in the pool      ${s(restarted!.readyAt - t0)} (started after its exit)`);
console.log(`messages posted         ${channels.length} by ${s(postedAt - t0)} (from ${s(postStart - t0)})`);
console.log(`closed by the drain     ${closed.length}`);
console.log(
  `back (connected)        ${back.length}; p50 ${s(pct(back, 50))}, p90 ${s(pct(back, 90))}, p99 ${s(pct(back, 99))}, all ${s(Math.max(...back))}`,
);
console.log(
  `resumed (got msg 2)     ${resumed.length}/${CLIENTS}; p50 ${s(pct(resumed, 50))}, p99 ${s(pct(resumed, 99))}, all ${s(Math.max(...resumed))}`,
);
console.log(
  `server CPU              ${serverCpu.toFixed(1)} s (${MODE === "single" ? "new A" : "B + new A"}) until all resumed`,
);
console.log(
  `attempts per client     ${[1, 2, 3, 4, 5].map((n) => `${n}: ${attempts.filter((x) => x === n).length}`).join(", ")}, more: ${attempts.filter((x) => x > 5).length}`,
);
console.log(`client errors           ${JSON.stringify(errors)}`);
console.log(
  `load processes          ${workerCpu.toFixed(1)} CPU-s over ${s(recoveredAt - t0)}; event-loop delay p99 ${lag.map((l) => l.p99.toFixed(0)).join("/")} ms, max ${lag.map((l) => l.max.toFixed(0)).join("/")} ms`,
);
console.log(
  `machine load average    ${load0.toFixed(1)} at SIGTERM, ${loadavg()[0]!.toFixed(1)} after (2 cores, shared)`,
);
histogram(firstDelay, 100, "first reconnect attempt after the 1001 close (the SDK's drain jitter):");
histogram(back, 250, "connected again, time after SIGTERM:");

for (const w of workers) w.send({ type: "stop" } satisfies ToWorker);
await sleep(500);
for (const c of live) c.kill("SIGTERM");
await sleep(1000);
if (MODE === "rolling") {
  const sql = postgres(pgUrl, { max: 1, onnotice: () => {} });
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await sql.end();
}
process.exit(resumed.length === CLIENTS ? 0 : 1);
