/**
 * Discovery of the external services integration tests need (PostgreSQL, Redis).
 *
 * A missing service skips its suites with a loud warning; under `CI=true` it is a failure
 * instead, so CI always runs everything.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import postgres from "postgres";

export type Found = { url: string } | { skip: string };

const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
const PROBE_TIMEOUT_MS = 3000;

/** True when missing services must fail the run rather than skip. */
export const isCI = process.env.CI === "true";

function missing(service: string, reason: string): Found {
  const message = `${service} not available: ${reason}`;
  if (isCI) throw new Error(`CI=true requires ${message}`);
  return { skip: message };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** `DATABASE_URL`, else the local test database; probed with `SELECT 1`. */
export async function findPostgres(): Promise<Found> {
  const url = process.env.DATABASE_URL || DEFAULT_POSTGRES_URL;
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await withTimeout(
      sql`SELECT 1`.then(() => undefined),
      PROBE_TIMEOUT_MS,
      "postgres probe",
    );
    return { url };
  } catch (e) {
    return missing("PostgreSQL", `${redact(url)}: ${(e as Error).message}`);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** `REDIS_URL`, else the local Redis; probed with `PING`. */
export async function findRedis(): Promise<Found> {
  const url = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  try {
    await pingRedis(url);
    return { url };
  } catch (e) {
    return missing("Redis", `${redact(url)}: ${(e as Error).message}`);
  }
}

/** Prints why a suite does not run; call it next to `describe.skip`. */
export function warnSkipped(suite: string, reason: string): void {
  console.warn(`\n*** SKIPPED ${suite}: ${reason} (set CI=true to make this a failure) ***\n`);
}

async function pingRedis(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: Error | undefined;
  client.on("error", (e: Error) => {
    lastError = e;
  });
  try {
    await withTimeout(
      client.connect().then(() => client.ping()),
      timeoutMs,
      "redis probe",
    );
  } catch (e) {
    throw lastError ?? e;
  } finally {
    client.disconnect();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

/** Whether a `redis-server` binary is on the PATH (needed by `startRedisServer`). */
export function findRedisServerBinary(): { path: string } | { skip: string } {
  const r = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const path = r.stdout.trim();
  if (r.status === 0 && path) return { path };
  const reason = "redis-server binary not found on PATH";
  if (isCI) throw new Error(`CI=true requires ${reason}`);
  return { skip: reason };
}

/** A free TCP port on 127.0.0.1 (bound and released, so it is free at the time of the call). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === "object") resolve(addr.port);
        else reject(new Error("no port"));
      });
    });
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL, like a crash) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  start(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

/**
 * A private, throw-away redis-server on a free loopback port (no persistence), for fault tests
 * that stop and restart Redis. Call `stop()` when done.
 */
export async function startRedisServer(): Promise<PrivateRedis> {
  const bin = findRedisServerBinary();
  if ("skip" in bin) throw new Error(bin.skip);
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;

  async function start(): Promise<void> {
    if (proc) return;
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    proc = child;
    live.add(child);
    child.once("exit", () => {
      live.delete(child);
      if (proc === child) proc = undefined;
    });
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        await pingRedis(url, 500);
        return;
      } catch (e) {
        if (!proc || Date.now() > deadline) {
          await stop();
          throw new Error(`redis-server on port ${port} did not start: ${(e as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async function stop(): Promise<void> {
    const child = proc;
    if (!child) return;
    proc = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGKILL");
    });
  }

  await start();
  return { url, port, stop, start };
}
