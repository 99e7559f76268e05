import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { SignJWT } from "jose";
import WebSocket from "ws";
import { DEV_SECRETS, loadConfig } from "../src/config/index.ts";
import { type PodchatServer, type PodchatServerOptions, createPodchatServer } from "../src/server.ts";

export const API_KEY = DEV_SECRETS.apiKey;
export const JWT_SECRET = DEV_SECRETS.jwtSecret;

export interface TestServer {
  server: PodchatServer;
  url: string;
  wsUrl: string;
  port: number;
  /** Where `/metrics` listens when observability.metrics_listen is set. */
  metricsUrl?: string;
  dbPath: string;
  api(
    path: string,
    init?: RequestInit & { json?: unknown; token?: string; noKey?: boolean },
  ): Promise<Response>;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  overrides?: Record<string, unknown>;
  /** Reuse a database file (restart tests). */
  dbPath?: string;
  port?: number;
  extra?: Partial<PodchatServerOptions>;
}

/** A real podchat server on 127.0.0.1 with a real SQLite file, silent logs. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dbPath = options.dbPath ?? join(mkdtempSync(join(tmpdir(), "podchat-test-")), "chat.sqlite");
  const { config, sources } = loadConfig({
    env: { APP_ENV: "dev", ...options.env },
    overrides: deepMergeDefaults(
      {
        server: { host: "127.0.0.1", port: 0 },
        store: { sqlite: { path: dbPath } },
        uploads: { dir: join(dirname(dbPath), "uploads") },
        log: { level: "silent" },
      },
      options.overrides ?? {},
    ),
  });
  const server = await createPodchatServer({ config, sources, ...options.extra });
  const { port, metricsUrl } = await server.listen(options.port ?? 0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}`;
  return {
    server,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    ...(metricsUrl ? { metricsUrl } : {}),
    dbPath,
    api(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!init.noKey && !init.token) headers.set("X-Api-Key", API_KEY);
      if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set("Content-Type", "application/json");
        body = JSON.stringify(init.json);
      }
      return fetch(url + path, { ...init, headers, body: body ?? null });
    },
    close: () => server.close(),
  };
}

function deepMergeDefaults(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object" && !Array.isArray(cur)
        ? deepMergeDefaults(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export async function token(
  userId: string,
  opts: {
    secret?: string;
    expiresIn?: string | number;
    notBefore?: string | number;
    issuer?: string;
    audience?: string;
    claims?: Record<string, unknown>;
  } = {},
): Promise<string> {
  let jwt = new SignJWT({ ...opts.claims })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setIssuedAt();
  jwt = jwt.setExpirationTime(opts.expiresIn ?? "1h");
  if (opts.notBefore !== undefined) jwt = jwt.setNotBefore(opts.notBefore);
  if (opts.issuer) jwt = jwt.setIssuer(opts.issuer);
  if (opts.audience) jwt = jwt.setAudience(opts.audience);
  return jwt.sign(new TextEncoder().encode(opts.secret ?? JWT_SECRET));
}

export type Frame = Record<string, unknown> & { type: string };

/** A test socket that records every frame and lets a test await the next one matching. */
export class TestSocket {
  readonly frames: Frame[] = [];
  closeCode: number | null = null;
  closeReason = "";
  private waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void; from: number }> = [];
  private closeWaiters: Array<(code: number) => void> = [];
  private cursor = 0;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    ws.on("message", (data) => {
      const f = JSON.parse(data.toString()) as Frame;
      this.frames.push(f);
      for (const w of [...this.waiters]) {
        if (w.pred(f)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(f);
        }
      }
    });
    ws.on("close", (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      for (const w of this.closeWaiters) w(code);
    });
    ws.on("error", () => {});
  }

  static open(url: string, options?: WebSocket.ClientOptions): TestSocket {
    return new TestSocket(new WebSocket(url, options));
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The next frame (after those already consumed by `next`) matching `pred`. */
  next(pred: (f: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    for (let i = this.cursor; i < this.frames.length; i++) {
      const f = this.frames[i]!;
      if (pred(f)) {
        this.cursor = i + 1;
        return Promise.resolve(f);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`timed out waiting for a frame; got ${JSON.stringify(this.frames.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        from: this.cursor,
        resolve: (f) => {
          clearTimeout(timer);
          this.cursor = this.frames.length;
          resolve(f);
        },
      });
    });
  }

  type(type: string, timeoutMs?: number) {
    return this.next((f) => f.type === type, timeoutMs);
  }

  messages(): Frame[] {
    return this.frames.filter(
      (f) => typeof f.seq === "number" && ["MESG", "FILE", "IMAGE", "ADMM"].includes(f.type),
    );
  }

  /** Resolves once `n` message frames have arrived. */
  async waitMessages(n: number, timeoutMs = 10_000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages().length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} messages, got ${this.messages().length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.messages();
  }

  closed(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("socket did not close")), timeoutMs);
      this.closeWaiters.push((c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  }

  close() {
    this.ws.close();
  }
}

/** Opens a member socket with a fresh token and waits for CONNECTED. */
export async function connect(
  t: TestServer,
  channelUrl: string,
  userId: string,
  sinceSeq?: number,
): Promise<TestSocket> {
  const q = new URLSearchParams({ token: await token(userId) });
  if (sinceSeq !== undefined) q.set("since_seq", String(sinceSeq));
  const s = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/${channelUrl}?${q}`);
  await s.opened;
  await s.type("CONNECTED");
  return s;
}

export async function createChannel(
  t: TestServer,
  channelUrl: string,
  userIds: Array<string | number>,
  extra: Record<string, unknown> = {},
) {
  const res = await t.api("/api/v1/chat/channels", {
    method: "POST",
    json: { channel_url: channelUrl, name: channelUrl, user_ids: userIds, ...extra },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return res.json();
}
