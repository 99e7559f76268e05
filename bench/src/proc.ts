import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";

let ticks: number | undefined;

/** Kernel clock ticks per second (utime/stime unit in /proc/<pid>/stat). */
function clockTicks(): number {
  if (ticks === undefined) {
    const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    const n = Number(r.stdout?.trim());
    ticks = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticks;
}

/**
 * CPU seconds (user + system) the kernel has charged to a process, from /proc/<pid>/stat — the
 * server's own accounting, read from outside so podchat needs no side channel.
 */
export function cpuSeconds(pid: number): number {
  const t = statTimes(`/proc/${pid}/stat`);
  return t.user + t.sys;
}

function statTimes(path: string): { user: number; sys: number } {
  const stat = readFileSync(path, "utf8");
  // The command name (field 2) may contain spaces: fields are counted after its closing paren.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(rest[11]) / clockTicks(), sys: Number(rest[12]) / clockTicks() };
}

/**
 * Where a process's CPU went: user and system time of the whole process, and the main (event
 * loop) thread's share — the rest is V8's GC helpers and libuv's threadpool. For the bench log.
 */
export function cpuSplit(pid: number): { user: number; sys: number; main: number } {
  const all = statTimes(`/proc/${pid}/stat`);
  let main = Number.NaN;
  try {
    const m = statTimes(`/proc/${pid}/task/${pid}/stat`);
    main = m.user + m.sys;
  } catch {
    // no per-thread accounting here
  }
  return { ...all, main };
}

/** Resident set size of a process in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

export interface Pinning {
  enabled: boolean;
  serverCore: number | null;
  loadCore: number | null;
  note: string;
}

/** Server on core 0, load generator on core 1, when `taskset` exists and there are ≥ 2 cores. */
export function detectPinning(disabled = false): Pinning {
  const cores = cpus().length;
  if (disabled) return { enabled: false, serverCore: null, loadCore: null, note: "unpinned (--no-pin)" };
  if (cores < 2)
    return { enabled: false, serverCore: null, loadCore: null, note: `unpinned (${cores} core)` };
  const r = spawnSync("taskset", ["-p", String(process.pid)], { encoding: "utf8" });
  if (r.error || r.status !== 0)
    return { enabled: false, serverCore: null, loadCore: null, note: "unpinned (taskset not available)" };
  return {
    enabled: true,
    serverCore: 0,
    loadCore: 1,
    note: "pinned: server(s) taskset core 0, load generator core 1",
  };
}

/** Pins every thread of a running process to one core; returns false when that failed. */
export function pin(pid: number, core: number | null): boolean {
  if (core === null) return false;
  const r = spawnSync("taskset", ["-a", "-p", "-c", String(core), String(pid)], { encoding: "utf8" });
  return !r.error && r.status === 0;
}
