import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { MessageFrame } from "@podchat/protocol";
import { afterEach } from "vitest";
import { createLogger } from "../../src/observability/logger.ts";
import {
  API_KEY,
  type Frame,
  type StartOptions,
  type TestServer,
  type TestSocket,
  startServer,
} from "../harness.ts";

export const serverDir = join(import.meta.dirname, "..", "..");

/** Everything a logger wrote, line by line (pino writes one JSON object per line). */
export class LogCapture extends Writable {
  private buf = "";
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.buf += chunk.toString();
    let i = this.buf.indexOf("\n");
    while (i >= 0) {
      this.lines.push(this.buf.slice(0, i));
      this.buf = this.buf.slice(i + 1);
      i = this.buf.indexOf("\n");
    }
    done();
  }
  text(): string {
    return this.lines.join("\n") + this.buf;
  }
  records(): Array<Record<string, unknown>> {
    return this.lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
}

/** A real in-process server whose pino output goes to a capture instead of stdout. */
export async function startLoggedServer(
  level: string,
  options: StartOptions = {},
): Promise<{ t: TestServer; logs: LogCapture }> {
  const logs = new LogCapture();
  const logger = createLogger(level, { env: "test" }, logs);
  const t = await startServer({ ...options, extra: { ...options.extra, logger } });
  return { t, logs };
}

/**
 * In-process servers that each live for one test. Call at the top level of a test file; the
 * function it returns starts a server (see `startServer`) that is closed after the test.
 */
export function serverPerTest(): (options?: StartOptions) => Promise<TestServer> {
  const started: TestServer[] = [];
  afterEach(async () => {
    for (const t of started.splice(0)) await t.close();
  });
  return async (options) => {
    const t = await startServer(options);
    started.push(t);
    return t;
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `podchat-${prefix}-`));
}

/**
 * A config directory holding one `config.dev.yaml` (with the dev secrets) plus `extraYaml`, for
 * child processes that need limits the environment cannot set.
 */
export function devConfigDir(extraYaml: string): string {
  const dir = tempDir("cfg");
  writeFileSync(
    join(dir, "config.dev.yaml"),
    `auth:
  jwt:
    secret: dev-only-jwt-secret-change-me-0123456789
  api_keys: [dev-api-key]
  admin: { username: admin, password: admin }
store:
  driver: sqlite
bus:
  driver: memory
${extraYaml}
`,
  );
  return dir;
}

export interface ServerProcess {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `src/main.ts` and resolves once it logs that it listens (bounded). */
export function startProcess(env: Record<string, string>, timeoutMs = 20_000): Promise<ServerProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { ...process.env, APP_ENV: "dev", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.once("exit", (code, signal) => r({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), timeoutMs);
    const onData = () => {
      if (out.includes("podchat listening")) {
        clearTimeout(timer);
        proc.stdout!.off("data", onData);
        resolve({ proc, output: () => out, exited });
      }
    };
    proc.stdout!.on("data", onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${out}`));
    });
  });
}

/** Config YAML raising the message rate limits so far that a burst never meets them. */
export const RATE_LIMITS_OFF_YAML = "limits: { messages_per_second: 100000, message_burst: 100000 }";

/** A `src/main.ts` child server's port, SQLite file and config, fixed across its restarts. */
export interface ChildServer {
  port: number;
  dbPath: string;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** `ws://127.0.0.1:<port>` */
  wsBase: string;
  /** Starts the process (again after a kill or an exit: same port, file and config). */
  start(): Promise<ServerProcess>;
  /** POSTs the channel with these members (API key); checking the answer is the test's part. */
  createChannel(channelUrl: string, userIds: string[]): Promise<Response>;
}

/**
 * Child servers that each live for one test. Call at the top level of a test file; the function it
 * returns prepares one: a free port, an SQLite file in a temp dir named after `name`, a config dir
 * with the dev secrets plus `extraYaml`. The process it started last is SIGKILLed after the test.
 */
export function childServerPerTest(): (name: string, extraYaml: string) => Promise<ChildServer> {
  let running: ServerProcess | null = null;
  afterEach(() => {
    running?.proc.kill("SIGKILL");
    running = null;
  });
  return async (name, extraYaml) => {
    const port = await freePort();
    const dbPath = join(tempDir(name), "chat.sqlite");
    const env = { PORT: String(port), SQLITE_PATH: dbPath, CONFIG_DIR: devConfigDir(extraYaml) };
    const base = `http://127.0.0.1:${port}`;
    return {
      port,
      dbPath,
      base,
      wsBase: `ws://127.0.0.1:${port}`,
      async start() {
        running = await startProcess(env);
        return running;
      },
      createChannel: (channelUrl, userIds) =>
        fetch(`${base}/api/v1/chat/channels`, {
          method: "POST",
          headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
          body: JSON.stringify({ channel_url: channelUrl, user_ids: userIds }),
        }),
    };
  };
}

/** Resolves when `pred` holds, polling every 10 ms; throws after `timeoutMs`. */
export async function until(pred: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The channel's whole history over REST (API key), paging forward. */
export async function history(base: string, channelUrl: string, apiKey: string) {
  const out: Array<Record<string, unknown> & { seq: number }> = [];
  let after = 0;
  for (;;) {
    const res = await fetch(
      `${base}/api/v1/chat/channels/${channelUrl}/messages?after_seq=${after}&limit=200`,
      {
        headers: { "X-Api-Key": apiKey },
      },
    );
    if (res.status !== 200) throw new Error(`history: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { messages: Array<Record<string, unknown> & { seq: number }> };
    out.push(...page.messages);
    if (page.messages.length < 200) return out;
    after = page.messages.at(-1)!.seq;
  }
}

/** Asserts-friendly: the seqs are exactly 1..n and every message matches the protocol's schema. */
export function historyProblems(msgs: Array<Record<string, unknown> & { seq: number }>): string[] {
  const problems: string[] = [];
  msgs.forEach((m, i) => {
    if (m.seq !== i + 1) problems.push(`position ${i} has seq ${m.seq}`);
    const r = MessageFrame.safeParse(m);
    if (!r.success) problems.push(`seq ${m.seq} is not a valid message: ${r.error.issues[0]?.message}`);
  });
  return problems;
}

/** p-th percentile (0..100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Sends a MESG and resolves with the time until the same socket sees it come back (ms). */
export async function roundTrip(s: TestSocket, text: string, timeoutMs = 5000): Promise<number> {
  const t0 = performance.now();
  s.send({ type: "MESG", message: text });
  await s.next((f) => f.message === text && typeof f.seq === "number", timeoutMs);
  return performance.now() - t0;
}

/** Waits for a frame matching `pred` among those received since index `from` (event-driven). */
export function awaitFrame(
  s: TestSocket,
  pred: (f: Frame) => boolean,
  from = 0,
  timeoutMs = 5000,
): Promise<Frame> {
  const found = s.frames.slice(from).find(pred);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const onMessage = () => {
      const f = s.frames.slice(from).find(pred);
      if (f) {
        cleanup();
        resolve(f);
      }
    };
    const onClose = (code: number) => {
      cleanup();
      reject(
        new Error(
          `socket closed with ${code} while waiting; last frames ${JSON.stringify(s.frames.slice(-3))}`,
        ),
      );
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out; frames since: ${JSON.stringify(s.frames.slice(from)).slice(0, 500)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      s.ws.off("message", onMessage);
      s.ws.off("close", onClose);
    };
    s.ws.on("message", onMessage);
    s.ws.on("close", onClose);
  });
}
