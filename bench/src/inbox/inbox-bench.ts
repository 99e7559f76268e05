/**
 * The user connection against per-channel sockets, and the inbox page on a big store.
 *
 *   pnpm --filter @podchat/bench inbox [-- --users 50 --channels 100 --messages 1000 --store-channels 100000 --mine 1000]
 *
 * Part 1 (sockets): `--users` users, each a member of the same `--channels` channels. One podchat
 * server (SQLite, the dev config with the bench's raised limits) per mode, in one run:
 *   - "user socket": each user opens ONE socket (/api/v1/chat/ws) and subscribes to every channel;
 *   - "per-channel": each user opens one socket PER channel (/api/v1/chat/ws/{channel}), the seed's way.
 * Measured: server RSS per user once connected (RSS after − RSS before, / users), and server CPU per
 * delivery while `--messages` messages are posted over REST round-robin over the channels (each
 * delivered to every user; the REST ingest is in both modes alike).
 *
 * Part 2 (inbox page): a server whose SQLite store holds `--store-channels` channels, of which the
 * user is in `--mine` (each with one message; half unread); REST reads of the inbox, one at a time
 * over keep-alive: the first page, a deep page (cursor), unread only, and the badge (/unread).
 *
 * Not part of `pnpm test`: a few minutes and most of two cores. Figures are for comparing within
 * one run (the machine is shared): the table prints ratios.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import WebSocket from "ws";
import { cpuSeconds, rssBytes } from "../proc.ts";
import { percentile, sortedCopy } from "../stats.ts";
import {
  createChannels,
  DEV_API_KEY,
  startPodchatInstance,
  tokenFor,
  writeBenchConfig,
} from "../targets/podchat.ts";
import type { ServerProcess } from "../targets/server-process.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    users: { type: "string", default: "50" },
    channels: { type: "string", default: "100" },
    messages: { type: "string", default: "1000" },
    "store-channels": { type: "string", default: "100000" },
    mine: { type: "string", default: "1000" },
    requests: { type: "string", default: "300" },
    "no-sockets": { type: "boolean", default: false },
    "no-inbox": { type: "boolean", default: false },
  },
});
const USERS = Number(values.users);
const CHANNELS = Number(values.channels);
const MESSAGES = Number(values.messages);
const STORE_CHANNELS = Number(values["store-channels"]);
const MINE = Number(values.mine);
const REQUESTS = Number(values.requests);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const work = mkdtempSync(join(tmpdir(), "podchat-inbox-bench-"));
const configDir = writeBenchConfig(join(work, "config"));
const users = Array.from({ length: USERS }, (_, i) => `u${i}`);
const channelUrls = Array.from({ length: CHANNELS }, (_, i) => `inbox_bench_${i}`);

type Mode = "user socket" | "per-channel";

interface SocketResult {
  mode: Mode;
  sockets: number;
  rssPerUserKb: number;
  deliveries: number;
  cpuUsPerDelivery: number;
  connectS: number;
}

/** Opens `ws` and resolves once `ready(frame)` says so; rejects on close or after 60 s. */
function open(url: string, onFrame: (data: string) => void, ready: (data: string) => boolean) {
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error(`no ready frame from ${url}`)), 60_000);
    ws.on("message", (raw) => {
      const data = raw.toString();
      onFrame(data);
      if (ready(data)) {
        clearTimeout(timer);
        resolve(ws);
      }
    });
    ws.once("close", (code, reason) => {
      clearTimeout(timer);
      reject(new Error(`closed ${code} ${reason.toString()} before ready: ${url}`));
    });
    ws.once("error", () => {});
  });
}

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function post(port: number, channelUrl: string, text: string) {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/chat/channels/${channelUrl}/messages`, {
    method: "POST",
    headers: { "X-Api-Key": DEV_API_KEY, "Content-Type": "application/json" },
    body: JSON.stringify({ user_id: "sender", message: text }),
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`post: HTTP ${r.status} ${await r.text()}`);
}

async function socketsMode(mode: Mode): Promise<SocketResult> {
  const server = await startPodchatInstance(
    `podchat (${mode})`,
    { configDir, sqlitePath: join(work, `${mode.replace(/\W/g, "")}-${randomUUID()}.sqlite`) },
    null,
  );
  const sockets: WebSocket[] = [];
  try {
    await createChannels(
      server.port,
      channelUrls.map((name, ordinal) => ({ name, ordinal, userIds: [...users, "sender"] })),
    );
    await sleep(2000);
    const rssBefore = rssBytes(server.pid);
    let deliveries = 0;
    const count = (data: string) => {
      if (data.includes('"type":"MESG"')) deliveries++;
    };
    const connectStart = Date.now();
    const base = `ws://127.0.0.1:${server.port}/api/v1/chat/ws`;
    if (mode === "user socket") {
      await pool(users, 10, async (user) => {
        let subscribed = 0;
        let allSubscribed!: () => void;
        let refused!: (e: Error) => void;
        const done = new Promise<void>((resolve, reject) => {
          allSubscribed = resolve;
          refused = reject;
        });
        const ws = await open(
          `${base}?token=${encodeURIComponent(tokenOf(user))}`,
          (data) => {
            count(data);
            if (data.includes('"type":"SUBSCRIBED"') && ++subscribed === CHANNELS) allSubscribed();
            else if (data.includes('"type":"ERROR"')) refused(new Error(`${user}: ${data}`));
          },
          (data) => data.includes('"type":"READY"'),
        );
        sockets.push(ws);
        for (const url of channelUrls) ws.send(JSON.stringify({ type: "SUBSCRIBE", channel_url: url }));
        await done;
      });
    } else {
      const pairs = users.flatMap((user) => channelUrls.map((url) => ({ user, url })));
      await pool(pairs, 50, async ({ user, url }) => {
        sockets.push(
          await open(
            `${base}/${encodeURIComponent(url)}?token=${encodeURIComponent(tokenOf(user))}`,
            count,
            (data) => data.includes('"type":"CONNECTED"'),
          ),
        );
      });
    }
    const connectS = (Date.now() - connectStart) / 1000;
    await sleep(3000);
    const rssAfter = rssBytes(server.pid);

    deliveries = 0;
    const expected = MESSAGES * USERS;
    const cpu0 = cpuSeconds(server.pid);
    await pool(
      Array.from({ length: MESSAGES }, (_, i) => i),
      8,
      (i) => post(server.port, channelUrls[i % CHANNELS]!, `m${i}`),
    );
    const deadline = Date.now() + 60_000;
    while (deliveries < expected && Date.now() < deadline) await sleep(20);
    const cpu = cpuSeconds(server.pid) - cpu0;
    if (deliveries !== expected)
      throw new Error(`${mode}: ${deliveries} of ${expected} deliveries arrived within 60 s`);
    return {
      mode,
      sockets: sockets.length,
      rssPerUserKb: (rssAfter - rssBefore) / 1024 / USERS,
      deliveries,
      cpuUsPerDelivery: (cpu * 1e6) / deliveries,
      connectS,
    };
  } finally {
    for (const s of sockets) s.terminate();
    await server.stop(3000);
  }
}

// Tokens are minted up front (createChannels does it for every member), so this is a cache read.
const minted = new Map<string, string>();
function tokenOf(user: string): string {
  const t = minted.get(user);
  if (!t) throw new Error(`no token for ${user}`);
  return t;
}

interface PageResult {
  what: string;
  p50: number;
  p99: number;
  max: number;
  bytes: number;
}

/** Sequential GETs over one keep-alive connection; latency is request start → full body. */
async function timedGets(
  port: number,
  path: string,
  n: number,
  auth: string,
): Promise<PageResult & { body: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let body = "";
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const req = request(
        { host: "127.0.0.1", port, agent, path, headers: { authorization: `Bearer ${auth}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            body = Buffer.concat(chunks).toString();
            if (res.statusCode !== 200)
              reject(new Error(`GET ${path}: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
            else {
              times.push(performance.now() - t0);
              resolve();
            }
          });
        },
      );
      req.on("error", reject);
      req.end();
    });
  for (let i = 0; i < Math.min(20, n); i++) await once();
  times.length = 0;
  for (let i = 0; i < n; i++) await once();
  agent.destroy();
  const sorted = sortedCopy(times);
  return {
    what: path,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1)!,
    bytes: body.length,
    body,
  };
}

async function inboxPages(): Promise<PageResult[]> {
  const sqlitePath = join(work, `inbox-${randomUUID()}.sqlite`);
  const server: ServerProcess = await startPodchatInstance(
    "podchat (inbox)",
    { configDir, sqlitePath },
    null,
  );
  try {
    // The user's channels through the API (so every counter is the server's own)...
    const mine = Array.from({ length: MINE }, (_, i) => `mine_${i}`);
    await pool(mine, 8, async (url) => {
      const r = await fetch(`http://127.0.0.1:${server.port}/api/v1/chat/channels`, {
        method: "POST",
        headers: { "X-Api-Key": DEV_API_KEY, "Content-Type": "application/json" },
        body: JSON.stringify({ channel_url: url, name: url, user_ids: ["me", "you"] }),
      });
      if (r.status !== 201) throw new Error(`create ${url}: HTTP ${r.status}`);
    });
    await pool(mine, 8, async (url) => {
      const i = Number(url.slice(5));
      const r = await fetch(`http://127.0.0.1:${server.port}/api/v1/chat/channels/${url}/messages`, {
        method: "POST",
        headers: { "X-Api-Key": DEV_API_KEY, "Content-Type": "application/json" },
        body: JSON.stringify({ user_id: i % 2 ? "you" : "me", message: `hello ${i}` }),
      });
      if (r.status !== 201 && r.status !== 200) throw new Error(`post ${url}: HTTP ${r.status}`);
    });
    // ...and the rest of the store written beside it (other users' channels), in one transaction.
    const others = STORE_CHANNELS - MINE;
    const db = new Database(sqlitePath);
    try {
      db.pragma("busy_timeout = 10000");
      const ins = db.prepare(
        "INSERT INTO channels (channel_url, name, data, provider, created_at, last_activity_at) VALUES (?, ?, '{}', 'websocket', ?, ?)",
      );
      const mem = db.prepare("INSERT INTO members (channel_url, user_id, joined_at) VALUES (?, ?, ?)");
      db.transaction(() => {
        for (let i = 0; i < others; i++) {
          const at = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
          ins.run(`other_${i}`, `other ${i}`, at, at);
          mem.run(`other_${i}`, `someone_${i % 5000}`, at);
          mem.run(`other_${i}`, `someone_${(i + 1) % 5000}`, at);
        }
      })();
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.exec("ANALYZE");
    } finally {
      db.close();
    }
    const token = await tokenFor("me");
    const base = "/api/v1/chat/users/me";
    const first = await timedGets(server.port, `${base}/channels?limit=20`, REQUESTS, token);
    const firstBody = JSON.parse(first.body) as { channels: unknown[]; total_unread: number };
    if (firstBody.channels.length !== 20) throw new Error("first page is not 20 rows");
    if (firstBody.total_unread !== MINE / 2)
      throw new Error(`total_unread ${firstBody.total_unread}, want ${MINE / 2}`);
    // A cursor half-way down the list.
    const half = await timedGets(server.port, `${base}/channels?limit=${Math.min(100, MINE / 2)}`, 1, token);
    let cursor = (JSON.parse(half.body) as { next_cursor: string | null }).next_cursor;
    for (let i = 100; cursor && i < MINE / 2; i += 100) {
      const next = await timedGets(
        server.port,
        `${base}/channels?limit=100&cursor=${encodeURIComponent(cursor)}`,
        1,
        token,
      );
      cursor = (JSON.parse(next.body) as { next_cursor: string | null }).next_cursor;
    }
    if (!cursor) throw new Error("no cursor half-way down the list");
    const deep = await timedGets(
      server.port,
      `${base}/channels?limit=20&cursor=${encodeURIComponent(cursor)}`,
      REQUESTS,
      token,
    );
    const unread = await timedGets(
      server.port,
      `${base}/channels?limit=20&unread_only=true`,
      REQUESTS,
      token,
    );
    const badge = await timedGets(server.port, `${base}/unread`, REQUESTS, token);
    return [
      { ...first, what: "first page (20 rows)" },
      { ...deep, what: `page ${MINE / 40 + 1} (20 rows, by cursor)` },
      { ...unread, what: "unread only (20 rows)" },
      { ...badge, what: "total unread (badge)" },
    ];
  } finally {
    await server.stop(3000);
  }
}

const f = (n: number, d = 1) => n.toFixed(d);

async function main() {
  console.log(
    `inbox bench: ${USERS} users × ${CHANNELS} channels, ${MESSAGES} messages; inbox of ${MINE} channels on a store of ${STORE_CHANNELS}`,
  );
  for (const u of [...users, "sender", "me"]) minted.set(u, await tokenFor(u));
  if (!values["no-sockets"]) {
    const results: SocketResult[] = [];
    for (const mode of ["user socket", "per-channel"] as Mode[]) {
      const r = await socketsMode(mode);
      console.log(`  ${mode}: ${r.sockets} sockets connected in ${f(r.connectS)} s`);
      results.push(r);
    }
    const [one, many] = results as [SocketResult, SocketResult];
    console.log(`\n| mode | sockets | server RSS per user | server CPU per delivery |`);
    console.log(`|---|---:|---:|---:|`);
    for (const r of results)
      console.log(`| ${r.mode} | ${r.sockets} | ${f(r.rssPerUserKb)} KB | ${f(r.cpuUsPerDelivery, 2)} µs |`);
    console.log(
      `| ratio user / per-channel | | ${f(one.rssPerUserKb / many.rssPerUserKb, 3)} | ${f(one.cpuUsPerDelivery / many.cpuUsPerDelivery, 2)} |`,
    );
  }
  if (!values["no-inbox"]) {
    const pages = await inboxPages();
    console.log(
      `\n| inbox read (user in ${MINE} of ${STORE_CHANNELS} channels, SQLite, over HTTP) | p50 | p99 | max | body |`,
    );
    console.log(`|---|---:|---:|---:|---:|`);
    for (const p of pages)
      console.log(`| ${p.what} | ${f(p.p50, 2)} ms | ${f(p.p99, 2)} ms | ${f(p.max, 2)} ms | ${p.bytes} B |`);
  }
}

main()
  .then(() => rmSync(work, { recursive: true, force: true }))
  .catch((e) => {
    console.error(e);
    rmSync(work, { recursive: true, force: true });
    process.exit(1);
  });
