import { cpus, loadavg, release, totalmem } from "node:os";
import type { BenchResult, Sample, SampleLoad } from "./bench.ts";
import { fmtK } from "./bench.ts";
import { type Spread, spread } from "./stats.ts";

const LOAD_TITLES: Record<SampleLoad, string> = {
  a: "(a) fan-out",
  b: "(b) latency @ fixed rate",
  c: "(c) idle memory",
  d: "(d) history pages",
  "e-a": "(e) 2 instances/Redis: fan-out",
  "e-b": "(e) 2 instances/Redis: latency",
};

export interface TargetCheck {
  name: string;
  value: number;
  limit: string;
  pass: boolean;
  caveat: string;
}

interface Group {
  load: SampleLoad;
  server: string;
  samples: Sample[];
}

function groups(r: BenchResult): Group[] {
  const out: Group[] = [];
  for (const s of r.samples) {
    let g = out.find((x) => x.load === s.load && x.server === s.server);
    if (!g) {
      g = { load: s.load, server: s.server, samples: [] };
      out.push(g);
    }
    g.samples.push(s);
  }
  const order: SampleLoad[] = ["a", "b", "c", "d", "e-a", "e-b"];
  return out.sort((x, y) => order.indexOf(x.load) - order.indexOf(y.load));
}

const metric = (g: Group | undefined, key: string): Spread =>
  spread(g ? g.samples.map((s) => s.m[key] ?? Number.NaN) : []);

function mainKey(load: SampleLoad): { key: string; label: string; fmt: (n: number) => string } {
  switch (load) {
    case "c":
      return { key: "perConnKiB", label: "RSS KiB / idle socket", fmt: (n) => n.toFixed(2) };
    case "d":
      return { key: "p99", label: "page p99 ms", fmt: (n) => n.toFixed(2) };
    default:
      return { key: "perCpuS", label: "deliveries / server CPU-s", fmt: fmtK };
  }
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");
const range = (s: Spread, fmt: (n: number) => string) =>
  s.n === 0 ? "–" : s.n === 1 ? fmt(s.median) : `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]`;

function baselineFor(load: SampleLoad, server: string, kind: "ws" | "sio", all: Group[]): Group | undefined {
  if (!server.startsWith("podchat")) return undefined;
  const name = load.startsWith("e-")
    ? kind === "ws"
      ? "ws×2"
      : "socket.io×2"
    : kind === "ws"
      ? "ws"
      : "socket.io";
  return all.find((g) => g.load === load && g.server === name);
}

function ratio(g: Group, base: Group | undefined): number {
  if (!base) return Number.NaN;
  return metric(g, "perCpuS").median / metric(base, "perCpuS").median;
}

/** One markdown table: every load × server, median [min–max] over runs, with podchat's ratios. */
function resultTable(r: BenchResult): string {
  const all = groups(r);
  const rows: string[][] = [];
  for (const g of all) {
    const mk = mainKey(g.load);
    const msg = g.load !== "c" && g.load !== "d";
    const notes = [...new Set(g.samples.flatMap((s) => s.notes))];
    rows.push([
      LOAD_TITLES[g.load],
      g.server,
      mk.label,
      range(metric(g, mk.key), mk.fmt),
      msg ? f2(ratio(g, baselineFor(g.load, g.server, "ws", all))) : "",
      msg ? f2(ratio(g, baselineFor(g.load, g.server, "sio", all))) : "",
      msg
        ? `${fmtK(metric(g, "perS").median)}/s of ${fmtK(metric(g, "offeredPerS").median)}/s`
        : g.load === "d"
          ? `${metric(g, "perS").median.toFixed(0)} pages/s`
          : `${metric(g, "sockets").median} sockets`,
      msg
        ? f1(metric(g, "cpuPct").median)
        : g.load === "d"
          ? `${f2(metric(g, "cpuMsPerReq").median)} ms/page`
          : "",
      msg || g.load === "d" ? f2(metric(g, "p50").median) : "",
      msg ? range(metric(g, "p99"), f1) : g.load === "d" ? f2(metric(g, "maxLatency").median) : "",
      notes.join("; ").slice(0, 160),
    ]);
  }
  const head = [
    "load",
    "server",
    "main figure",
    "median [min–max]",
    "×ws",
    "×sio",
    "rate",
    "server CPU % / CPU per page",
    "p50 ms",
    "p99 ms (d: max)",
    "notes",
  ];
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The targets, computed from the medians. */
export function checkTargets(r: BenchResult): TargetCheck[] {
  const all = groups(r);
  const find = (load: SampleLoad, server: string) => all.find((g) => g.load === load && g.server === server);
  const caveat = (...gs: Array<Group | undefined>) =>
    [...new Set(gs.flatMap((g) => g?.samples.flatMap((s) => s.notes) ?? []))].join("; ");
  const out: TargetCheck[] = [];
  const ratioCheck = (load: SampleLoad, pod: string, base: string, min: number) => {
    const p = find(load, pod);
    const b = find(load, base);
    if (!p || !b) return;
    const v = ratio(p, b);
    out.push({
      name: `${LOAD_TITLES[load]}: ${pod} / ${base} deliveries per CPU-s`,
      value: v,
      limit: `≥ ${min}`,
      pass: v >= min,
      caveat: caveat(p, b),
    });
  };
  for (const load of ["a", "b"] as const) {
    ratioCheck(load, "podchat", "ws", 0.85);
    ratioCheck(load, "podchat", "socket.io", 1.1);
  }
  for (const load of ["e-a", "e-b"] as const) ratioCheck(load, "podchat×2", "ws×2", 0.85);
  const p99 = (load: SampleLoad, server: string, max: number) => {
    const g = find(load, server);
    if (!g) return;
    const v = metric(g, "p99").median;
    out.push({
      name: `${LOAD_TITLES[load]}: ${server} probe p99 ms`,
      value: v,
      limit: `≤ ${max}`,
      pass: v <= max,
      caveat: caveat(g),
    });
  };
  p99("b", "podchat", 30);
  p99("e-b", "podchat×2", 50);
  const idle = find("c", "podchat");
  if (idle) {
    const v = metric(idle, "perConnKiB").median;
    out.push({
      name: "(c) idle memory: podchat RSS KiB per socket",
      value: v,
      limit: "≤ 12",
      pass: v <= 12,
      caveat: caveat(idle),
    });
  }
  const hist = find("d", "podchat");
  if (hist) {
    const v = metric(hist, "p99").median;
    out.push({
      name: "(d) history: 50-message page p99 ms",
      value: v,
      limit: "≤ 5",
      pass: v <= 5,
      caveat: caveat(hist),
    });
  }
  return out;
}

function targetTable(checks: TargetCheck[]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(["target", "value (median)", "limit", "result"]),
    line(["---", "---", "---", "---"]),
    ...checks.map((c) =>
      line([
        c.name,
        f2(c.value),
        c.limit,
        (c.pass ? "PASS" : "FAIL") + (c.caveat ? ` (⚠ ${c.caveat.slice(0, 100)})` : ""),
      ]),
    ),
  ].join("\n");
}

function machineLine(versions: Record<string, string>): string {
  const cpu = cpus();
  return [
    `${cpu.length} × ${cpu[0]?.model ?? "cpu"}`,
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `Linux ${release()}`,
    `node ${process.version}`,
    ...Object.entries(versions).map(([k, v]) => `${k} ${v}`),
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  ].join(", ");
}

export function fullReport(r: BenchResult, versions: Record<string, string>, command: string): string {
  const o = r.options;
  const checks = checkTargets(r);
  return [
    `podchat bench — ${r.startedAt} → ${r.finishedAt}`,
    `machine: ${machineLine(versions)}`,
    `method: ${r.pinning.note}; CPU = utime+stime of the server process(es) from /proc/<pid>/stat; ` +
      `${o.runs} run(s), median [min–max]; ${o.warmupS} s warm-up + ${o.durationS} s measured per phase; ` +
      `(a) ${o.connections} sockets in rooms of ${o.roomSize}, ${fmtK(o.fanoutRate)} deliveries/s offered, ` +
      `${o.payloadBytes}-byte messages from ${o.sendersPerRoom} senders/room; (b) same sockets at ${fmtK(o.latencyRate)}/s, ` +
      `${o.probes} probe sockets; (c) ${o.idleConnections} idle authenticated sockets, RSS delta / sockets after ${o.idleSettleS} s; ` +
      `(d) ${o.historyPage}-message pages before a random seq of ${o.historyMessages} messages, one request in flight, ${o.historyDurationS} s; ` +
      `(e) (a)+(b) over 2 podchat instances (PostgreSQL + Redis) vs 2 bare ws instances over Redis`,
    `command: ${command}`,
    ...r.skipped.map((s) => `!!! ${s}`),
    "",
    resultTable(r),
    "",
    targetTable(checks),
    "",
    `targets: ${checks.filter((c) => c.pass).length} PASS, ${checks.filter((c) => !c.pass).length} FAIL`,
  ].join("\n");
}
