// Integration harness: a real podchat server (in-process or as a child process) on 127.0.0.1 with a
// temp SQLite file, HS256 tokens, a cuttable TCP proxy, and the SDK wired to `ws`.
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { MessageFrame } from "@podchat/protocol";
import { createPodchatServer, loadConfig, type PodchatServer } from "@podchat/server";
import { WebSocket } from "ws";
import {
  type ClientOptions,
  createClient,
  type PodchatChannel,
  type PodchatClient,
} from "../../src/index.ts";
import type { ChannelStatus, WebSocketConstructor } from "../../src/types.ts";

const devConfig = loadConfig({ env: { APP_ENV: "dev" } }).config;
/** The dev config's own secrets, read from the server's config rather than copied. */
export const JWT_SECRET = devConfig.auth.jwt.secret ?? "";
export const API_KEY = devConfig.auth.api_keys[0] ?? "";

const serverDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../apps/server");

export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), "podchat-sdk-it-")), "chat.sqlite");
}

export interface RunningServer {
  server: PodchatServer;
  port: number;
  url: string;
  dbPath: string;
}

/** A real server in this process. Limits default high enough that pacing is not the SDK's problem. */
export async function startServer(
  opts: { port?: number; dbPath?: string; limits?: Record<string, unknown>; uploads?: boolean } = {},
): Promise<RunningServer> {
  const dbPath = opts.dbPath ?? tempDbPath();
  // Uploads (protocol 0.2) go to a temp folder next to the database, never into the repo.
  const uploads = opts.uploads ? { uploads: { dir: join(dirname(dbPath), "uploads") } } : {};
  const { config, sources } = loadConfig({
    env: { APP_ENV: "dev" },
    overrides: {
      server: { host: "127.0.0.1", port: 0 },
      store: { sqlite: { path: dbPath } },
      log: { level: "silent" },
      limits: { messages_per_second: 10_000, message_burst: 10_000, ...opts.limits },
      ...uploads,
    },
  });
  const server = await createPodchatServer({ config, sources });
  const { port } = await server.listen(opts.port ?? 0, "127.0.0.1");
  return { server, port, url: `http://127.0.0.1:${port}`, dbPath };
}

/** A free ephemeral port on 127.0.0.1 (for a child server that must be given one). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** `node --import tsx apps/server/src/main.ts`, as `pnpm start` runs it, with PORT and SQLITE_PATH. */
export async function startChildServer(port: number, dbPath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: {
      PATH: process.env["PATH"] ?? "",
      APP_ENV: "dev",
      HOST: "127.0.0.1",
      PORT: String(port),
      SQLITE_PATH: dbPath,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${stderr}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    { timeoutMs: 20_000, what: "child server /healthz" },
  );
  return child;
}

export async function killChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(signal);
  await exited;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

/** An HS256 JWT with `sub` = userId, signed with the dev secret; `ttlS` seconds of validity. */
export function mintToken(userId: string, ttlS = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify({ sub: userId, iat: now, exp: now + ttlS }));
  const sig = createHmac("sha256", JWT_SECRET).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

export async function createChannel(baseUrl: string, channelUrl: string, userIds: string[]): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/chat/channels`, {
    method: "POST",
    headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
    body: JSON.stringify({ channel_url: channelUrl, name: channelUrl, user_ids: userIds }),
  });
  if (res.status !== 201) throw new Error(`create channel: ${res.status} ${await res.text()}`);
}

/** Polls `cond` every `intervalMs` until it is truthy; throws after `timeoutMs`. */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 10, what = "condition" } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A TCP proxy on 127.0.0.1 in front of the server. `cut()` destroys every connection through it
 * (the SDK sees an abrupt 1006, the server a reset); `down()` also refuses new ones until `up()`.
 */
export class TcpProxy {
  readonly pairs = new Set<[Socket, Socket]>();
  private refusing = false;
  private server: Server | undefined;
  port = 0;
  accepted = 0;

  constructor(private readonly targetPort: () => number) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      this.accepted++;
      const upstream = createConnection({ host: "127.0.0.1", port: this.targetPort() });
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on("error", end).on("close", end);
      upstream.on("error", end).on("close", end);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Abruptly breaks every open connection. Returns how many were cut. */
  cut(): number {
    const n = this.pairs.size;
    for (const [a, b] of [...this.pairs]) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    this.pairs.clear();
    return n;
  }

  down(): void {
    this.refusing = true;
    this.cut();
  }

  up(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** `ws`'s WebSocket, counting the sockets the SDK opens. */
export function countingWebSocket(): {
  Ctor: WebSocketConstructor;
  opened: () => number;
  /** The most sockets that were open (constructed, not yet closed) at the same time. */
  maxOpen: () => number;
  urls: string[];
} {
  let opened = 0;
  let open = 0;
  let max = 0;
  const urls: string[] = [];
  class Counting extends WebSocket {
    constructor(url: string) {
      super(url);
      opened++;
      urls.push(url);
      max = Math.max(max, ++open);
      this.once("close", () => open--);
    }
  }
  return {
    Ctor: Counting as unknown as WebSocketConstructor,
    opened: () => opened,
    maxOpen: () => max,
    urls,
  };
}

/** Fast reconnects so tests spend their time on traffic, not on backoff. */
export const fastReconnect = { minDelayMs: 20, maxDelayMs: 250, factor: 2 };

/** A client wired to `ws`, plus a recorder of its channel's events. */
export function sdkClient(url: string, userId: string, extra: Partial<ClientOptions> = {}): PodchatClient {
  return createClient({
    url,
    getToken: async () => mintToken(userId),
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnect: fastReconnect,
    heartbeatMs: 2_000,
    ...extra,
  });
}

export interface Recorder {
  messages: MessageFrame[];
  statuses: ChannelStatus[];
  errors: Error[];
  gaps: Array<{ fromSeq: number; toSeq: number }>;
  /** Resolves when the channel reaches `status` (now or later). */
  reached(status: ChannelStatus, timeoutMs?: number): Promise<void>;
  /** Resolves once `n` messages have been delivered. */
  received(n: number, timeoutMs?: number): Promise<void>;
}

export function record(channel: PodchatChannel): Recorder {
  const rec: Recorder = {
    messages: [],
    statuses: [],
    errors: [],
    gaps: [],
    async reached(status, timeoutMs = 15_000) {
      await waitFor(() => channel.status === status, { timeoutMs, what: `status ${status}` });
    },
    async received(n, timeoutMs = 30_000) {
      await waitFor(() => rec.messages.length >= n, {
        timeoutMs,
        what: `${n} messages (have ${rec.messages.length})`,
      });
    },
  };
  channel.on("message", (m) => rec.messages.push(m));
  channel.on("status", (s) => rec.statuses.push(s));
  channel.on("error", (e) => rec.errors.push(e));
  channel.on("gap", (g) => rec.gaps.push(g));
  return rec;
}

/** Seqs `from..to` inclusive. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A small seeded PRNG so a failing chaos run can be replayed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
