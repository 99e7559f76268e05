import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { pin } from "../proc.ts";

export interface ServerProcess {
  label: string;
  pid: number;
  port: number;
  child: ChildProcess;
  /** Last lines the process wrote (for error messages). */
  output(): string;
  /** The inspector's WebSocket URL when started with `inspect`. */
  inspectorUrl?: string;
  /** SIGTERM, wait for exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Servers still running when the bench dies (error, Ctrl-C) are killed with it, by their own pid.
const live = new Set<ChildProcess>();
let hooked = false;
function track(child: ChildProcess) {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const c of live) c.kill("SIGKILL");
  });
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.once(sig, () => {
      for (const c of live) c.kill("SIGKILL");
      const done = () => process.exit(130);
      setTimeout(done, 5000).unref();
      void Promise.allSettled([...cleanups].map((f) => f())).then(done);
    });
}

const cleanups = new Set<() => Promise<void>>();
/** Runs `fn` if the bench is interrupted (Ctrl-C) — e.g. dropping the throwaway database. */
export function onInterrupt(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Spawns a server, pins it to `core`, and waits until `readyPath` answers 200. */
export async function startServerProcess(o: {
  label: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  port: number;
  readyPath: string;
  core: number | null;
  timeoutMs?: number;
  /** Open the inspector on a free loopback port (for window profiles). */
  inspect?: boolean;
}): Promise<ServerProcess> {
  const args = o.inspect ? ["--inspect=127.0.0.1:0", ...o.args] : o.args;
  const child = spawn(process.execPath, args, {
    cwd: o.cwd,
    env: { ...process.env, ...o.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  track(child);
  let tail = "";
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${o.label}: spawn failed`);
  pin(pid, o.core);
  let exited: number | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = code ?? (signal ? 128 : 0);
      resolve();
    }),
  );
  const server: ServerProcess = {
    label: o.label,
    pid,
    port: o.port,
    child,
    output: () => tail,
    async stop(graceMs = 15_000) {
      if (exited !== null) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exit;
      clearTimeout(t);
    },
  };
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`${o.label} exited (${exited}) before ready:\n${tail}`);
    try {
      const r = await fetch(`http://127.0.0.1:${o.port}${o.readyPath}`);
      await r.arrayBuffer();
      if (r.status === 200) {
        if (o.inspect) {
          const url = /Debugger listening on (ws:\/\/\S+)/.exec(tail)?.[1];
          if (!url) throw new Error(`${o.label}: no inspector URL in its output:\n${tail}`);
          server.inspectorUrl = url;
        }
        return server;
      }
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await server.stop(1000);
  throw new Error(`${o.label} not ready after ${o.timeoutMs ?? 60_000} ms:\n${tail}`);
}
