/**
 * Store micro-bench: appends through the store's hot path (SQLite group commit, PostgreSQL one
 * statement per append), history pages, and the inbox queries, printed as one table.
 *
 *   node --import tsx test/bench/store-bench.ts [--baseline <git-ref>] [--no-sqlite] [--no-postgres] [--quick] [--members N] [--no-inbox] [--webhooks] [--feed]
 *
 * `--baseline` extracts apps/server/src/store of that commit into node_modules/.store-baseline
 * and measures it side by side with the working tree's store, in the same process, alternating.
 * Loopback only; PostgreSQL at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
 * in throwaway schemas dropped at the end. Figures vary with machine load: compare within a run.
 * `--webhooks` adds "new+webhooks": the working tree's store with one webhook endpoint that wants
 * message.sent, so every append also writes its outbox row in the same transaction.
 * `--feed` adds "new+feed": the events feed on (no endpoint), so every append also bumps the feed's
 * counter row and writes its event_log row in the same transaction.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import type { MessageStore } from "../../src/store/message-store.ts";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = flag("--quick");
const membersPerRoom = Number(option("--members") ?? 100);
const baselineRef = option("--baseline");
const pgUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const serverDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

type Open = (
  driver: "sqlite" | "postgres",
) => Promise<{ store: MessageStore; fill: Filler; done: () => Promise<void> }>;
/** Bulk rows written around the store (channels the user is not in), for the inbox load. */
type Filler = (channels: number) => Promise<void>;

interface Impl {
  name: string;
  open: Open;
  inbox: boolean;
}

const schemas: string[] = [];
async function implFrom(name: string, dir: string): Promise<Impl> {
  const sqliteMod = await import(join(dir, "sqlite", "sqlite-store.ts"));
  const pgMod = await import(join(dir, "postgres", "postgres-store.ts"));
  return {
    name,
    inbox: true,
    async open(driver) {
      if (driver === "sqlite") {
        const dirPath = mkdtempSync(join(tmpdir(), "podchat-store-bench-"));
        const path = join(dirPath, "s.sqlite");
        const store: MessageStore = sqliteMod.createSqliteStore({ path });
        await store.migrate();
        return {
          store,
          async fill(n) {
            const raw = new Database(path);
            raw.pragma("busy_timeout = 10000");
            const ins = raw.prepare(
              "INSERT INTO channels (channel_url, name, data, provider, created_at, last_activity_at) VALUES (?, ?, '{}', 'websocket', ?, ?)",
            );
            const mem = raw.prepare("INSERT INTO members (channel_url, user_id, joined_at) VALUES (?, ?, ?)");
            raw.transaction(() => {
              for (let i = 0; i < n; i++) {
                const at = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
                ins.run(`fill_${i}`, `fill ${i}`, at, at);
                mem.run(`fill_${i}`, `other_${i % 5000}`, at);
              }
            })();
            raw.close();
          },
          async done() {
            await store.close();
            rmSync(dirPath, { recursive: true, force: true });
          },
        };
      }
      const schema = `podchat_bench_${randomBytes(5).toString("hex")}`;
      schemas.push(schema);
      const store: MessageStore = pgMod.createPostgresStore({ url: pgUrl, schema, max: 10 });
      await store.migrate();
      return {
        store,
        async fill(n) {
          const c = new pg.Client({ connectionString: pgUrl });
          await c.connect();
          await c.query(`SET search_path TO ${schema}`);
          await c.query(
            `INSERT INTO channels (channel_url, name, data, provider, created_at, last_activity_at)
             SELECT 'fill_' || i, 'fill ' || i, '{}', 'websocket', t, t
             FROM generate_series(0, $1::int - 1) i, LATERAL (SELECT to_char(timestamp '2024-01-01' + i * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t) x`,
            [n],
          );
          await c.query(
            `INSERT INTO members (channel_url, user_id, joined_at) SELECT 'fill_' || i, 'other_' || (i % 5000), 'x' FROM generate_series(0, $1::int - 1) i`,
            [n],
          );
          await c.query("ANALYZE");
          await c.end();
        },
        done: () => store.close(),
      };
    },
  };
}

async function loadImpls(): Promise<Impl[]> {
  const impls = [await implFrom("new", join(serverDir, "src", "store"))];
  if (flag("--webhooks")) {
    const { createWebhookRecorder } = await import("../../src/webhooks/recorder.ts");
    const base = await implFrom("new+webhooks", join(serverDir, "src", "store"));
    const open = base.open;
    base.inbox = false;
    base.open = async (driver) => {
      const opened = await open(driver);
      const endpoint = {
        id: "bench",
        url: "http://127.0.0.1:9/unused",
        secret: "bench-secret-0123456789",
        events: ["message.sent"],
        active: true,
      };
      opened.store.recordChanges(createWebhookRecorder([endpoint], "dev"));
      return opened;
    };
    impls.push(base);
  }
  if (flag("--feed")) {
    const { createWebhookRecorder } = await import("../../src/webhooks/recorder.ts");
    const base = await implFrom("new+feed", join(serverDir, "src", "store"));
    const open = base.open;
    base.inbox = false;
    base.open = async (driver) => {
      const opened = await open(driver);
      opened.store.recordChanges(createWebhookRecorder([], "dev", undefined, true));
      return opened;
    };
    impls.push(base);
  }
  if (baselineRef) {
    const dest = join(serverDir, "node_modules", ".store-baseline", baselineRef);
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    const tar = execFileSync("git", ["archive", baselineRef, "src/store"], { cwd: serverDir });
    execFileSync("tar", ["-x", "-C", dest], { input: tar });
    const old = await implFrom(`old (${baselineRef})`, join(dest, "src", "store"));
    old.inbox = false;
    impls.unshift(old);
  }
  return impls;
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000; // ms
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

interface Row {
  driver: string;
  impl: string;
  load: string;
  figure: string;
  cpu: string;
  p50: string;
  p99: string;
}
const rows: Row[] = [];

/** Appends in waves of `wave` concurrent calls over `channels` channels of `members` members. */
async function appendLoad(
  store: MessageStore,
  total: number,
  wave: number,
  channels: number,
  members: number,
) {
  const users = Array.from({ length: members }, (_, i) => `u${i}`);
  for (let c = 0; c < channels; c++)
    await store.createChannel({
      channel_url: `room_${c}`,
      name: `room ${c}`,
      provider: "websocket",
      user_ids: users,
    });
  const lat: number[] = [];
  const c0 = cpu();
  const t0 = performance.now();
  for (let sent = 0; sent < total; sent += wave) {
    await Promise.all(
      Array.from({ length: Math.min(wave, total - sent) }, async (_, i) => {
        const n = sent + i;
        const s = performance.now();
        await store.appendMessage({
          channel_url: `room_${n % channels}`,
          type: "MESG",
          user_id: `u${n % 2}`,
          message: `message ${n} ${"x".repeat(160)}`,
          req_id: `r${n}`,
        });
        lat.push(performance.now() - s);
      }),
    );
  }
  const secs = (performance.now() - t0) / 1000;
  return { perSec: total / secs, cpuUs: ((cpu() - c0) * 1000) / total, p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function historyLoad(store: MessageStore, messages: number, reads: number) {
  await store.createChannel({
    channel_url: "hist",
    name: "hist",
    provider: "websocket",
    user_ids: ["1", "2"],
  });
  for (let sent = 0; sent < messages; sent += 500)
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        store.appendMessage({
          channel_url: "hist",
          type: "MESG",
          user_id: i % 2 ? "1" : "2",
          message: `h${sent + i} ${"y".repeat(180)}`,
        }),
      ),
    );
  const page = () =>
    store.getChannel("hist").then(() =>
      store.listMessages("hist", {
        beforeSeq: 100 + Math.floor(Math.random() * (messages - 200)),
        limit: 51,
        messagesOnly: true,
      }),
    );
  for (let i = 0; i < 300; i++) await page();
  const lat: number[] = [];
  const c0 = cpu();
  for (let i = 0; i < reads; i++) {
    const s = performance.now();
    await page();
    lat.push(performance.now() - s);
  }
  return { cpuUs: ((cpu() - c0) * 1000) / reads, p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function timed(reps: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await fn();
  const lat: number[] = [];
  const c0 = cpu();
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    await fn();
    lat.push(performance.now() - s);
  }
  return { cpuUs: ((cpu() - c0) * 1000) / reps, p50: pct(lat, 50), p99: pct(lat, 99) };
}

/** A user in `mine` channels (one message each, half of them unread) among `fill` others. */
async function inboxLoad(store: MessageStore, fill: Filler, mine: number, others: number) {
  await fill(others);
  for (let i = 0; i < mine; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, mine - i) }, async (_, k) => {
        const url = `mine_${i + k}`;
        await store.createChannel({
          channel_url: url,
          name: `mine ${i + k}`,
          provider: "websocket",
          user_ids: ["me", "you"],
        });
        await store.appendMessage({
          channel_url: url,
          type: "MESG",
          user_id: (i + k) % 2 ? "you" : "me",
          message: "hi",
        });
      }),
    );
  const deep = (await store.listUserChannels("me", { limit: mine / 2 })).nextCursor!;
  return {
    first: await timed(200, () => store.listUserChannels("me", { limit: 20 })),
    deep: await timed(200, () => store.listUserChannels("me", { limit: 20, cursor: deep })),
    unread: await timed(200, () => store.listUserChannels("me", { limit: 20, unreadOnly: true })),
    total: await timed(200, () => store.totalUnread("me")),
    urls: await timed(200, () => store.userChannelUrls("me")),
  };
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2) : "–");

async function main() {
  const impls = await loadImpls();
  const drivers: Array<"sqlite" | "postgres"> = flag("--no-sqlite") ? [] : ["sqlite"];
  if (!flag("--no-postgres")) {
    const probe = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
    try {
      await probe.connect();
      await probe.end();
      drivers.push("postgres");
    } catch (e) {
      console.error(`postgres skipped: ${(e as Error).message}`);
    }
  }
  const sizes = {
    sqlite: { appends: quick ? 4000 : 20000, history: quick ? 5000 : 20000, reads: quick ? 1000 : 5000 },
    postgres: { appends: quick ? 1000 : 5000, history: quick ? 2000 : 5000, reads: quick ? 500 : 2000 },
  };
  for (const driver of drivers) {
    const sz = sizes[driver];
    // Two rounds, alternating the implementations, so a burst of load on the machine hits both.
    for (let round = 1; round <= 2; round++) {
      for (const impl of impls) {
        const a = await impl.open(driver);
        try {
          const r = await appendLoad(a.store, sz.appends, 200, 20, membersPerRoom);
          rows.push({
            driver,
            impl: `${impl.name} #${round}`,
            load: `append (waves of 200, 20 rooms × ${membersPerRoom} members)`,
            figure: `${f1(r.perSec)} appends/s`,
            cpu: `${f1(r.cpuUs)} µs/append`,
            p50: f1(r.p50),
            p99: f1(r.p99),
          });
        } finally {
          await a.done();
        }
        const h = await impl.open(driver);
        try {
          const r = await historyLoad(h.store, sz.history, sz.reads);
          rows.push({
            driver,
            impl: `${impl.name} #${round}`,
            load: `history page (getChannel + 51 before a random seq of ${sz.history})`,
            figure: "",
            cpu: `${f1(r.cpuUs)} µs/page`,
            p50: f1(r.p50),
            p99: f1(r.p99),
          });
        } finally {
          await h.done();
        }
      }
    }
    for (const impl of impls.filter((i) => i.inbox && !flag("--no-inbox"))) {
      const b = await impl.open(driver);
      try {
        const others = quick ? 20000 : 100000;
        const r = await inboxLoad(b.store, b.fill, 1000, others);
        for (const [what, m] of Object.entries(r))
          rows.push({
            driver,
            impl: impl.name,
            load: `inbox ${what} (user in 1,000 of ${others + 1000} channels)`,
            figure: "",
            cpu: `${f1(m.cpuUs)} µs/call`,
            p50: f1(m.p50),
            p99: f1(m.p99),
          });
      } finally {
        await b.done();
      }
    }
  }
  console.log(
    `\nstore bench — ${new Date().toISOString()}, node ${process.version}${quick ? ", --quick" : ""}`,
  );
  console.log("| driver | store | load | throughput | client CPU | p50 ms | p99 ms |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows)
    console.log(`| ${r.driver} | ${r.impl} | ${r.load} | ${r.figure} | ${r.cpu} | ${r.p50} | ${r.p99} |`);
}

try {
  await main();
} finally {
  if (schemas.length > 0) {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await c.end();
  }
}
