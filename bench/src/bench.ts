import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Fleet } from "./load/fleet.ts";
import type { ConnSpec } from "./load/messages.ts";
import { prepareClusterEnv } from "./loads/cluster-env.ts";
import { fillHistory, readHistoryPages } from "./loads/history.ts";
import { startWindowProfile } from "./window-profile.ts";
import { cpuSplit, detectPinning, type Pinning, pin, rssBytes } from "./proc.ts";
import { percentile, sortedCopy } from "./stats.ts";
import { socketIoTarget, wsTarget } from "./targets/baselines.ts";
import {
  podchatClusterTarget,
  podchatTarget,
  readCounter,
  startPodchatInstance,
  writeBenchConfig,
} from "./targets/podchat.ts";
import { onInterrupt } from "./targets/server-process.ts";
import type { Room, RunningTarget, Target } from "./targets/target.ts";

export const LOAD_IDS = ["a", "b", "c", "d", "e"] as const;
export type LoadId = (typeof LOAD_IDS)[number];
/** What a sample measured: the five loads, (e) split into its fan-out and latency phases. */
export type SampleLoad = "a" | "b" | "c" | "d" | "e-a" | "e-b";

export interface BenchOptions {
  loads: LoadId[];
  runs: number;
  /** Sockets for (a), (b) and (e). */
  connections: number;
  roomSize: number;
  /** Sockets for (c). */
  idleConnections: number;
  /** Offered deliveries per second in (a) and (e) fan-out. */
  fanoutRate: number;
  /** Offered deliveries per second in (b) and (e) latency. */
  latencyRate: number;
  payloadBytes: number;
  probes: number;
  sendersPerRoom: number;
  warmupS: number;
  durationS: number;
  idleSettleS: number;
  /** No frame for this long = the clients have received everything sent so far. */
  quietMs: number;
  historyMessages: number;
  historyPage: number;
  historyDurationS: number;
  redisUrl: string;
  pgUrl: string;
  /** Profile the podchat servers' measured windows in run 1 (V8 profiler over the inspector); skews that run. */
  cpuProfDir: string | null;
  pin: boolean;
  workers: number | null;
  log: (line: string) => void;
}

export const DEFAULT_OPTIONS: Omit<BenchOptions, "log"> = {
  loads: [...LOAD_IDS],
  runs: 3,
  connections: 10_000,
  roomSize: 100,
  idleConnections: 15_000,
  fanoutRate: 30_000,
  latencyRate: 10_000,
  payloadBytes: 200,
  probes: 100,
  sendersPerRoom: 2,
  warmupS: 3,
  durationS: 10,
  idleSettleS: 5,
  quietMs: 1000,
  historyMessages: 1_000_000,
  historyPage: 50,
  historyDurationS: 10,
  redisUrl: "redis://127.0.0.1:6379",
  pgUrl: "postgres://postgres@127.0.0.1:5432/test",
  cpuProfDir: null,
  pin: true,
  workers: null,
};

/** One measurement of one server on one load in one run. */
export interface Sample {
  load: SampleLoad;
  server: string;
  run: number;
  m: Record<string, number>;
  notes: string[];
}

export interface BenchResult {
  options: Omit<BenchOptions, "log">;
  pinning: Pinning;
  samples: Sample[];
  skipped: string[];
  startedAt: string;
  finishedAt: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

let roomCounter = 0;
function makeRooms(tag: string, connections: number, roomSize: number): Room[] {
  const count = Math.max(1, Math.ceil(connections / roomSize));
  const batch = `${tag}${(++roomCounter).toString(36)}${Date.now().toString(36)}`;
  // Numeric user ids, distinct across rooms (podchat keeps them numbers on the wire).
  return Array.from({ length: count }, (_, r) => ({
    name: `bench_${batch}_${r}`,
    ordinal: r,
    userIds: Array.from({ length: roomSize }, (_, j) => String(r * roomSize + j + 1)),
  }));
}

function socketsFor(
  t: RunningTarget,
  rooms: Room[],
  o: { probes: number; sendersPerRoom: number; idle?: boolean },
): ConnSpec[] {
  const probesPerRoom = Math.ceil(o.probes / rooms.length);
  const specs: ConnSpec[] = [];
  let probes = 0;
  for (const room of rooms) {
    const n = room.userIds.length;
    for (let j = 0; j < n; j++) {
      const probe = !o.idle && j < probesPerRoom && probes < o.probes;
      if (probe) probes++;
      specs.push({
        url: t.url(room, j),
        dialect: t.dialect,
        probe,
        sender: !o.idle && j >= n - o.sendersPerRoom,
      });
    }
  }
  return specs;
}

const pct = (cpuS: number, wallS: number) => `${((100 * cpuS) / wallS).toFixed(0)}%`;

async function deliveryCounter(t: RunningTarget): Promise<number> {
  if (t.dialect !== "podchat") return Number.NaN;
  try {
    return sum(await Promise.all(t.ports.map((p) => readCounter(p, "podchat_deliveries_total"))));
  } catch {
    return Number.NaN;
  }
}

/**
 * The message loads: connect, then for each phase offer a fixed rate, warm up, and measure
 * deliveries (counted by the clients) against the server's CPU time over the same window.
 */
async function runMessageLoads(
  fleet: Fleet,
  target: Target,
  phases: Array<{ load: SampleLoad; rate: number }>,
  run: number,
  o: BenchOptions,
  /** Also measure (c) on these sockets before any traffic (when both loads use the same count). */
  idleToo = false,
): Promise<Sample[]> {
  const rooms = makeRooms(target.label.startsWith("podchat") ? "p" : "b", o.connections, o.roomSize);
  o.log(`  ${target.label}: starting, ${rooms.length} rooms of ${o.roomSize}`);
  const t = await target.start(rooms);
  const samples: Sample[] = [];
  try {
    if (idleToo) await sleep(1000);
    const rss0 = sum(t.pids.map(rssBytes));
    // The ramp is what a reconnect storm after a deploy looks like: profiled as its own window.
    const rampProf =
      o.cpuProfDir && t.inspectorUrls?.length ? await startWindowProfile(t.inspectorUrls) : null;
    const t0 = performance.now();
    const c = await fleet.connect(socketsFor(t, rooms, o));
    const connectS = (performance.now() - t0) / 1000;
    o.log(
      `  ${t.label}: ${c.ok} sockets in ${connectS.toFixed(1)} s` +
        (c.failed ? `, ${c.failed} FAILED (${c.errors.join("; ")})` : ""),
    );
    if (c.ok === 0) throw new Error(`${t.label}: no socket connected: ${c.errors.join("; ")}`);
    // The connection ramp's presence fan-out (USER_JOINED to every member) must be received
    // before anything is measured.
    const quietS = await fleet.quiesce(o.quietMs, 90_000);
    if (quietS > 5) o.log(`  ${t.label}: ramp traffic drained after ${quietS.toFixed(1)} s`);
    if (rampProf && o.cpuProfDir) await rampProf.stop(o.cpuProfDir, `${t.label}-ramp-run${run}`);
    if (idleToo) {
      await sleep(o.idleSettleS * 1000);
      samples.push(idleSample(t, run, c, rss0, sum(t.pids.map(rssBytes)), 0, o));
    }
    for (const phase of phases) {
      await fleet.setRate(phase.rate / o.roomSize, o.payloadBytes);
      await sleep(o.warmupS * 1000);
      const srv0 = await deliveryCounter(t);
      const split0 = t.pids.map(cpuSplit);
      const w0 = performance.now();
      const prof = o.cpuProfDir && t.inspectorUrls?.length ? await startWindowProfile(t.inspectorUrls) : null;
      await fleet.mark();
      await sleep(o.durationS * 1000);
      const r = await fleet.collect();
      if (prof && o.cpuProfDir) await prof.stop(o.cpuProfDir, `${t.label}-${phase.load}-run${run}`);
      const split = t.pids.map(cpuSplit).reduce(
        (acc, s1, i) => ({
          user: acc.user + s1.user - split0[i]!.user,
          sys: acc.sys + s1.sys - split0[i]!.sys,
          main: acc.main + s1.main - split0[i]!.main,
        }),
        { user: 0, sys: 0, main: 0 },
      );
      const cpu = split.user + split.sys;
      const wall = (performance.now() - w0) / 1000;
      const srv = (await deliveryCounter(t)) - srv0;
      const lat = sortedCopy(r.latencies);
      const notes: string[] = [];
      if (c.failed) notes.push(`${c.failed} sockets failed to connect`);
      if (r.unexpectedCloses) notes.push(`${r.unexpectedCloses} sockets closed by the server`);
      const m: Record<string, number> = {
        deliveries: r.frames,
        seconds: r.seconds,
        cpuSeconds: cpu,
        perCpuS: cpu > 0 ? r.frames / cpu : Number.NaN,
        perS: r.frames / r.seconds,
        offeredPerS: phase.rate,
        sentPerS: (r.sent * o.roomSize) / r.seconds,
        cpuPct: (100 * cpu) / wall,
        p50: percentile(lat, 50),
        p99: percentile(lat, 99),
        maxLatency: lat.length ? lat[lat.length - 1]! : Number.NaN,
        probeSamples: lat.length,
        sockets: c.ok,
        connectS,
        serverDeliveries: srv,
        loadGenLoopP99: r.loopDelayP99,
        loadavg1: loadavg()[0]!,
      };
      if (m.perS! < 0.9 * phase.rate)
        notes.push(`delivered ${(m.perS! / 1000).toFixed(1)}k/s of ${phase.rate / 1000}k/s offered`);
      if (r.loopDelayP99 > 50)
        notes.push(
          `load generator lagging (event-loop p99 ${r.loopDelayP99.toFixed(0)} ms): latency inflated`,
        );
      samples.push({ load: phase.load, server: t.label, run, m, notes });
      // A backlog left by this phase (a starved server) must not be counted by the next one.
      await fleet.setRate(0, 0);
      const drainS = await fleet.quiesce(o.quietMs, 60_000);
      if (drainS > 3) notes.push(`backlog took ${drainS.toFixed(0)} s to drain after the window`);
      o.log(
        `  ${t.label} [${phase.load}] ${fmtK(m.perS!)} deliv/s, CPU ${m.cpuPct!.toFixed(0)}% ` +
          `(user ${pct(split.user, wall)}, sys ${pct(split.sys, wall)}, event-loop thread ${pct(split.main, wall)}), ` +
          `${fmtK(m.perCpuS!)} deliv/CPU-s, p50 ${m.p50!.toFixed(1)} ms p99 ${m.p99!.toFixed(1)} ms, ` +
          `loadgen lag p99 ${r.loopDelayP99.toFixed(0)} ms, loadavg ${m.loadavg1!.toFixed(1)}` +
          (Number.isFinite(srv) ? `, server-counted ${fmtK(srv / r.seconds)}/s` : "") +
          (notes.length ? ` — ${notes.join("; ")}` : ""),
      );
    }
    await fleet.setRate(0, 0);
  } finally {
    await fleet.disconnect();
    await t.stop();
  }
  return samples;
}

function idleSample(
  t: RunningTarget,
  run: number,
  c: { ok: number; failed: number; errors: string[] },
  rss0: number,
  rss1: number,
  closes: number,
  o: BenchOptions,
): Sample {
  const notes: string[] = [];
  if (c.failed) notes.push(`${c.failed} sockets failed (${c.errors[0] ?? ""})`);
  if (closes) notes.push(`${closes} closed by the server`);
  const m = { rssBefore: rss0, rssAfter: rss1, sockets: c.ok, perConnKiB: (rss1 - rss0) / c.ok / 1024 };
  o.log(
    `  ${t.label} [c] ${c.ok} idle sockets: RSS ${(rss0 / 2 ** 20).toFixed(0)} → ${(rss1 / 2 ** 20).toFixed(0)} MiB, ` +
      `${m.perConnKiB.toFixed(2)} KiB/socket` +
      (notes.length ? ` — ${notes.join("; ")}` : ""),
  );
  return { load: "c", server: t.label, run, m, notes };
}

async function runIdle(fleet: Fleet, target: Target, run: number, o: BenchOptions): Promise<Sample> {
  const rooms = makeRooms("i", o.idleConnections, o.roomSize);
  const t = await target.start(rooms);
  try {
    await sleep(1000);
    const rss0 = sum(t.pids.map(rssBytes));
    const c = await fleet.connect(socketsFor(t, rooms, { probes: 0, sendersPerRoom: 0, idle: true }));
    if (c.ok === 0) throw new Error(`${t.label}: no socket connected: ${c.errors.join("; ")}`);
    await fleet.quiesce(o.quietMs);
    await sleep(o.idleSettleS * 1000);
    const rss1 = sum(t.pids.map(rssBytes));
    await fleet.mark();
    const r = await fleet.collect();
    return idleSample(t, run, c, rss0, rss1, r.unexpectedCloses, o);
  } finally {
    await fleet.disconnect();
    await t.stop();
  }
}

export function fmtK(n: number): string {
  if (!Number.isFinite(n)) return "–";
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0);
}

export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const pinning = detectPinning(!o.pin);
  if (pinning.enabled) pin(process.pid, pinning.loadCore);
  o.log(`podchat bench: loads ${o.loads.join(",")}, ${o.runs} run(s), ${pinning.note}`);
  const work = mkdtempSync(join(tmpdir(), "podchat-bench-"));
  const configDir = writeBenchConfig(join(work, "config"));
  const sqliteDir = join(work, "sqlite");
  mkdirSync(sqliteDir, { recursive: true });
  const core = pinning.serverCore;
  const samples: Sample[] = [];
  const skipped: string[] = [];
  const has = (l: LoadId) => o.loads.includes(l);

  const biggest = Math.max(
    has("a") || has("b") || has("e") ? o.connections : 0,
    has("c") ? o.idleConnections : 0,
  );
  const workerCount = o.workers ?? Math.max(2, Math.ceil(biggest / 4000));
  const fleet = biggest > 0 ? await Fleet.start(workerCount, pinning.loadCore) : null;

  // (c) on the (a)/(b) sockets, before traffic, when both use the same number (saves server starts).
  const idleShared = has("c") && (has("a") || has("b")) && o.idleConnections === o.connections;
  const historyDb = join(sqliteDir, "history.sqlite");
  let historyReady = false;
  let cluster: Awaited<ReturnType<typeof prepareClusterEnv>> | null = null;
  if (has("e")) {
    try {
      cluster = await prepareClusterEnv(o.redisUrl, o.pgUrl);
      onInterrupt(cluster.cleanup);
    } catch (e) {
      const why = `(e) SKIPPED: ${(e as Error).message}`;
      skipped.push(why);
      o.log(`!!! ${why}`);
    }
  }

  try {
    for (let run = 1; run <= o.runs; run++) {
      o.log(`— run ${run}/${o.runs}`);
      const profileRun = o.cpuProfDir !== null && run === 1;
      const phases: Array<{ load: SampleLoad; rate: number }> = [];
      if (has("a")) phases.push({ load: "a", rate: o.fanoutRate });
      if (has("b")) phases.push({ load: "b", rate: o.latencyRate });
      if (phases.length > 0 && fleet) {
        const targets: Target[] = [
          podchatTarget({ configDir, sqliteDir, core, profile: profileRun }),
          wsTarget(core),
          socketIoTarget(core),
        ];
        for (const target of targets)
          samples.push(...(await runMessageLoads(fleet, target, phases, run, o, idleShared)));
      }
      if (has("c") && fleet && !idleShared) {
        for (const target of [
          podchatTarget({ configDir, sqliteDir, core }),
          wsTarget(core),
          socketIoTarget(core),
        ])
          samples.push(await runIdle(fleet, target, run, o));
      }
      if (has("d")) {
        const server = await startPodchatInstance(
          "podchat",
          { configDir, sqlitePath: historyDb, profile: profileRun },
          core,
        );
        try {
          if (!historyReady) {
            const t0 = performance.now();
            await fillHistory(server.port, historyDb, o.historyMessages, o.payloadBytes);
            historyReady = true;
            o.log(
              `  history: ${o.historyMessages} messages written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
            );
          }
          const prof =
            o.cpuProfDir && server.inspectorUrl ? await startWindowProfile([server.inspectorUrl]) : null;
          const r = await readHistoryPages({
            port: server.port,
            pid: server.pid,
            count: o.historyMessages,
            limit: o.historyPage,
            durationS: o.historyDurationS,
            warmup: 200,
          });
          if (prof && o.cpuProfDir) await prof.stop(o.cpuProfDir, `podchat-d-run${run}`);
          const notes = r.errors ? [`${r.errors} bad responses (${r.firstError ?? ""})`] : [];
          const m = {
            requests: r.requests,
            perS: r.requests / r.seconds,
            p50: r.p50,
            p99: r.p99,
            maxLatency: r.max,
            cpuMsPerReq: (1000 * r.cpuSeconds) / r.requests,
            errors: r.errors,
          };
          samples.push({ load: "d", server: "podchat", run, m, notes });
          o.log(
            `  podchat [d] ${r.requests} pages, ${m.perS.toFixed(0)}/s, p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms, ` +
              `${m.cpuMsPerReq.toFixed(2)} CPU-ms/page` +
              (notes.length ? ` — ${notes.join("; ")}` : ""),
          );
        } finally {
          await server.stop();
        }
      }
      if (cluster && fleet) {
        const phasesE: Array<{ load: SampleLoad; rate: number }> = [
          { load: "e-a", rate: o.fanoutRate },
          { load: "e-b", rate: o.latencyRate },
        ];
        const targets: Target[] = [
          podchatClusterTarget({
            configDir,
            core,
            databaseUrl: cluster.databaseUrl,
            redisUrl: cluster.redisUrl,
            profile: profileRun,
          }),
          wsTarget(core, 2, cluster.redisUrl),
        ];
        for (const target of targets)
          samples.push(...(await runMessageLoads(fleet, target, phasesE, run, o)));
      }
    }
  } finally {
    await fleet?.stop();
    await cluster
      ?.cleanup()
      .catch((e) => o.log(`could not drop the bench database: ${(e as Error).message}`));
    rmSync(work, { recursive: true, force: true });
  }
  const { log: _log, ...options } = o;
  return { options, pinning, samples, skipped, startedAt, finishedAt: new Date().toISOString() };
}
