/**
 * Shared pieces of the scale-out tests: PostgreSQL + Redis discovery, a fresh schema per file,
 * podchat instances sharing them, and a chat client that acknowledges, retries and reconnects the
 * way an SDK does (raw `ws`, so what the server sends is what the test sees).
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, afterEach, describe, it } from "vitest";
import WebSocket from "ws";
import { createRedisBus } from "../../src/bus/redis/redis-bus.ts";
import { createRedisPresence } from "../../src/presence/redis-presence.ts";
import { API_KEY, type TestServer, startServer, token } from "../harness.ts";
import { findPostgres, findRedis, warnSkipped } from "../services.ts";

export interface Services {
  pgUrl: string;
  redisUrl: string;
}

/**
 * PostgreSQL and Redis, or null after printing why the suite is skipped (under CI=true a missing
 * service throws instead). Call at module top level, then `describeScaleOut`.
 */
export async function findServices(suite: string): Promise<Services | null> {
  const [pg, redis] = await Promise.all([findPostgres(), findRedis()]);
  const reasons = [pg, redis].flatMap((f) => ("skip" in f ? [f.skip] : []));
  if ("skip" in pg || "skip" in redis) {
    warnSkipped(suite, reasons.join("; "));
    describe.skip(`${suite} (needs PostgreSQL and Redis)`, () => {
      it("needs PostgreSQL and Redis", () => {});
    });
    return null;
  }
  return { pgUrl: pg.url, redisUrl: redis.url };
}

/** A schema of its own in the shared database; `drop()` removes it with everything in it. */
export async function freshSchema(pgUrl: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `podchat_scale_${randomBytes(5).toString("hex")}`;
  return {
    name,
    async drop() {
      const sql = postgres(pgUrl, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
  };
}

/** A Redis key/topic namespace of its own, so parallel test files never see each other. */
export const freshPrefix = () => `podchat_scale_${randomBytes(5).toString("hex")}`;

export interface InstanceOptions {
  pgUrl: string;
  schema: string;
  redisUrl: string;
  prefix: string;
  /** Presence liveness TTL (ms); default the production default. */
  presenceTtlMs?: number;
  /** More config (e.g. `webhooks`), merged over the instance's. */
  overrides?: Record<string, unknown>;
}

/**
 * One podchat instance in this process: PostgreSQL store and flags in `schema`, Redis bus and
 * presence under `prefix`. Rate limits are raised: the tests measure fan-out, not the limiter.
 */
export async function startInstance(o: InstanceOptions): Promise<TestServer> {
  const bus = createRedisBus({ url: o.redisUrl, prefix: o.prefix });
  const presence = createRedisPresence({
    url: o.redisUrl,
    prefix: o.prefix,
    nodeId: bus.nodeId,
    ...(o.presenceTtlMs ? { ttlMs: o.presenceTtlMs, heartbeatMs: Math.round(o.presenceTtlMs / 4) } : {}),
  });
  await Promise.all([bus.ready(), presence.ready()]);
  return startServer({
    overrides: {
      store: { driver: "postgres", postgres: { url: o.pgUrl, schema: o.schema, max_connections: 5 } },
      bus: { driver: "redis", redis: { url: o.redisUrl } },
      limits: { messages_per_second: 10_000, message_burst: 10_000 },
      ...o.overrides,
    },
    extra: { bus, presence },
  });
}

/**
 * A scale-out file's schema and Redis prefix, and the way its tests open things on them: what a
 * test opens here is closed after it (first its clients and sockets, then its instances, then what
 * it passed to `afterTest`).
 */
export interface Cluster {
  readonly services: Services;
  /** The file's schema of its own (dropped after its last test). */
  readonly schema: string;
  /** The file's Redis namespace of its own. */
  readonly prefix: string;
  /** An instance on the file's schema and prefix and the found services; `options` override them. */
  instance(options?: Partial<InstanceOptions>): Promise<TestServer>;
  /** Closes `instance` now, during the test (it is not closed again after it). */
  stop(instance: TestServer): Promise<void>;
  /** `ChatClient.connect`; the client is closed after the test. */
  client(...args: Parameters<typeof ChatClient.connect>): Promise<ChatClient>;
  /** Closes `socket` after the test, with the clients. */
  closeAfterTest<S extends { close(): void }>(socket: S): S;
  /** Runs `fn` after the test, once its clients and instances are closed. */
  afterTest(fn: () => unknown): void;
}

/**
 * The preamble every scale-out suite shares: `describe(title)` with a fresh schema (dropped after the
 * file) and Redis prefix, and the after-each-test clean-up of what the tests open through the
 * `Cluster`. `services` is what `findServices` found; null declares nothing more (the suite was
 * already declared skipped, with its reason printed).
 */
export async function describeScaleOut(
  services: Services | null,
  title: string,
  body: (cluster: Cluster) => void,
): Promise<void> {
  if (!services) return;
  const schema = await freshSchema(services.pgUrl);
  const prefix = freshPrefix();
  afterAll(() => schema.drop());
  const sockets: Array<{ close(): void }> = [];
  const instances = new Set<TestServer>();
  const laterTeardown: Array<() => unknown> = [];
  const cluster: Cluster = {
    services,
    schema: schema.name,
    prefix,
    async instance(options = {}) {
      const t = await startInstance({ ...services, schema: schema.name, prefix, ...options });
      instances.add(t);
      return t;
    },
    async stop(instance) {
      instances.delete(instance);
      await instance.close();
    },
    async client(...args) {
      return cluster.closeAfterTest(await ChatClient.connect(...args));
    },
    closeAfterTest(socket) {
      sockets.push(socket);
      return socket;
    },
    afterTest(fn) {
      laterTeardown.push(fn);
    },
  };
  describe(title, () => {
    afterEach(async () => {
      for (const s of sockets.splice(0)) s.close();
      const open = [...instances];
      instances.clear();
      await Promise.all(open.map((i) => i.close()));
      for (const fn of laterTeardown.splice(0)) await fn();
    });
    body(cluster);
  });
}

export async function createChannel(baseUrl: string, channelUrl: string, userIds: string[]): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/chat/channels`, {
    method: "POST",
    headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
    body: JSON.stringify({ channel_url: channelUrl, name: channelUrl, user_ids: userIds }),
  });
  if (res.status !== 201) throw new Error(`create ${channelUrl}: ${res.status} ${await res.text()}`);
}

export async function adminToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/admin/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "admin" }),
  });
  if (res.status !== 200) throw new Error(`admin login: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Polls `check` until it returns a value other than undefined/false; fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
  everyMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export type Frame = Record<string, unknown> & { type: string };

export class SendError extends Error {
  constructor(
    readonly code: string,
    readonly retryAfterMs: number | undefined,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface Ack {
  req_id: string;
  seq: number;
  message_id: string;
  duplicate?: boolean;
}

const MESSAGE_TYPES = new Set(["MESG", "FILE", "IMAGE", "ADMM"]);

/**
 * A chat member's client. Records every message frame across its sockets (to check each seq
 * arrives once and in order), acknowledges sends by req_id, and — with several endpoints —
 * reconnects by itself to the next one with `since_seq` = the last seq it saw.
 */
export class ChatClient {
  /** Seq of every message frame received, in arrival order, across reconnects. */
  readonly seqs: number[] = [];
  readonly textBySeq = new Map<number, string>();
  readonly presence: Frame[] = [];
  readonly errors: Frame[] = [];
  /** Endpoint index of each socket this client opened. */
  readonly sockets: number[] = [];
  maxSeq = 0;
  /** Sends repeated because the socket was lost before their answer. */
  resentAfterClose = 0;
  private ws: WebSocket | null = null;
  private current: Promise<void>;
  private readonly pending = new Map<string, { resolve(a: Ack): void; reject(e: Error): void }>();
  private stopped = false;
  private endpoint = 0;

  private constructor(
    readonly endpoints: string[],
    readonly channelUrl: string,
    readonly userId: string,
    private readonly autoReconnect: boolean,
  ) {
    this.current = Promise.resolve();
  }

  /** Connects to `endpoints[0]` (then the next ones on failure) and waits for CONNECTED. */
  static async connect(
    endpoints: string | string[],
    channelUrl: string,
    userId: string,
    opts: { autoReconnect?: boolean } = {},
  ): Promise<ChatClient> {
    const list = Array.isArray(endpoints) ? endpoints : [endpoints];
    const c = new ChatClient(list, channelUrl, userId, opts.autoReconnect ?? list.length > 1);
    c.current = c.open(undefined);
    await c.current;
    return c;
  }

  /** Current socket's endpoint (ws base URL). */
  get at(): string {
    return this.endpoints[this.endpoint]!;
  }

  private async open(sinceSeq: number | undefined, deadlineMs = 20_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    let lastError: unknown;
    for (let attempt = 0; Date.now() < deadline && !this.stopped; attempt++) {
      const idx = (this.endpoint + (attempt === 0 ? 0 : 1)) % this.endpoints.length;
      this.endpoint = idx;
      try {
        await this.openOne(this.endpoints[idx]!, sinceSeq);
        this.sockets.push(idx);
        return;
      } catch (e) {
        lastError = e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`${this.userId} could not connect within ${deadlineMs} ms: ${String(lastError)}`);
  }

  private async openOne(base: string, sinceSeq: number | undefined): Promise<void> {
    const q = new URLSearchParams({ token: await token(this.userId) });
    if (sinceSeq !== undefined) q.set("since_seq", String(sinceSeq));
    const ws = new WebSocket(`${base}/api/v1/chat/ws/${this.channelUrl}?${q}`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error("no CONNECTED within 5 s"));
      }, 5000);
      ws.on("error", () => {});
      ws.once("close", (code) => {
        clearTimeout(timer);
        reject(new Error(`closed ${code} before CONNECTED`));
      });
      ws.on("message", (data) => {
        const f = JSON.parse(data.toString()) as Frame;
        if (f.type === "CONNECTED") {
          clearTimeout(timer);
          ws.removeAllListeners("close");
          this.ws = ws;
          ws.on("close", () => this.onClose(ws));
          resolve();
          return;
        }
        this.onFrame(f);
      });
    });
  }

  private onFrame(f: Frame) {
    if (MESSAGE_TYPES.has(f.type) && typeof f.seq === "number") {
      this.seqs.push(f.seq);
      this.textBySeq.set(f.seq, String(f.message));
      if (f.seq > this.maxSeq) this.maxSeq = f.seq;
    } else if (f.type === "ACK") {
      const p = this.pending.get(String(f.req_id));
      this.pending.delete(String(f.req_id));
      p?.resolve(f as unknown as Ack);
    } else if (f.type === "ERROR") {
      this.errors.push(f);
      if (typeof f.req_id === "string") {
        const p = this.pending.get(f.req_id);
        this.pending.delete(f.req_id);
        p?.reject(
          new SendError(
            String(f.code),
            typeof f.retry_after_ms === "number" ? f.retry_after_ms : undefined,
            String(f.message),
          ),
        );
      }
    } else if (f.type === "USER_JOINED" || f.type === "USER_LEFT") {
      this.presence.push(f);
    }
  }

  private onClose(ws: WebSocket) {
    if (this.ws !== ws) return;
    this.ws = null;
    for (const p of this.pending.values()) p.reject(new SendError("CLOSED", 0, "socket closed"));
    this.pending.clear();
    if (this.autoReconnect && !this.stopped) {
      this.current = this.open(this.maxSeq);
      this.current.catch(() => {});
    }
  }

  /** One attempt: resolves with the ACK, rejects with the ERROR (or CLOSED). */
  async sendOnce(text: string, reqId: string, timeoutMs = 10_000): Promise<Ack> {
    await this.current;
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) throw new SendError("CLOSED", 0, "not connected");
    return new Promise<Ack>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(reqId);
        reject(new SendError("TIMEOUT", 0, `no answer to ${reqId}`));
      }, timeoutMs);
      this.pending.set(reqId, {
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      ws.send(JSON.stringify({ type: "MESG", message: text, req_id: reqId }));
    });
  }

  /**
   * Sends until acknowledged, as the SDK does: after a retryable ERROR it waits `retry_after_ms`,
   * after a lost socket it waits for the reconnect; the same req_id makes a resend idempotent.
   */
  async sendReliably(text: string, reqId: string, deadlineMs = 30_000): Promise<Ack> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      try {
        return await this.sendOnce(text, reqId);
      } catch (e) {
        if (!(e instanceof SendError) || Date.now() > deadline) throw e;
        if (e.code !== "CLOSED" && e.retryAfterMs === undefined) throw e;
        if (e.code === "CLOSED") this.resentAfterClose++;
        await new Promise((r) => setTimeout(r, Math.max(20, e.retryAfterMs ?? 50)));
      }
    }
  }

  /** Resolves once `n` messages were received (or throws after `timeoutMs`). */
  waitSeqs(n: number, timeoutMs = 20_000): Promise<number[]> {
    return eventually(
      () => this.seqs.length >= n && this.seqs,
      `${this.userId} to receive ${n} messages (has ${this.seqs.length})`,
      timeoutMs,
    );
  }

  presenceOf(type: "USER_JOINED" | "USER_LEFT", userId: string): number {
    return this.presence.filter((f) => f.type === type && String(f.user_id) === userId).length;
  }

  /** Drops the socket the way a crash or network loss would (no close handshake). */
  kill() {
    this.ws?.terminate();
  }

  close() {
    this.stopped = true;
    this.ws?.close();
    this.ws = null;
  }
}

/** Runs `count` sends from `client` with at most `window` unacknowledged at a time. */
export async function sendMany(
  client: ChatClient,
  count: number,
  label: string,
  opts: { window?: number; gapMs?: number; acks?: Map<string, Ack> } = {},
): Promise<Map<string, Ack>> {
  const acks = opts.acks ?? new Map<string, Ack>();
  const window = opts.window ?? 16;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const reqId = `${label}-${i}`;
      acks.set(reqId, await client.sendReliably(reqId, reqId));
      if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, worker));
  return acks;
}

/** Every seq from 1 to `total`, once, in order: what each member must have received. */
export const oneTo = (total: number) => Array.from({ length: total }, (_, i) => i + 1);
