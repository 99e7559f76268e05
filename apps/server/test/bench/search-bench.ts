/**
 * Search bench (issue #18): message search on a store of N messages (default 1,000,000), p50/p99.
 *
 *   node --import tsx test/bench/search-bench.ts [--messages N] [--no-sqlite] [--no-postgres]
 *
 * The rows are written around the store (bulk SQL, not appendMessage), then the migrations'
 * index is what the store searches: FTS5 trigram maintained by its triggers on SQLite (so the
 * fill also measures the index's write cost), pg_trgm GIN on PostgreSQL (built by the migration
 * before the fill, so it is maintained row by row too). 200 channels; the user "me" is in 20.
 * Text: random words of a Korean and English vocabulary, one word per message seeded rare.
 * Loopback only; not part of `pnpm test`. Figures vary with machine load.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { MessageStore } from "../../src/store/message-store.ts";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.ts";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const total = Number(option("--messages") ?? 1_000_000);
const pgUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const CHANNELS = 200;
const MINE = 20;

const WORDS = [
  "안녕하세요",
  "채팅방",
  "오늘",
  "내일",
  "회의",
  "사진",
  "공유",
  "감사합니다",
  "좋아요",
  "날씨",
  "점심",
  "저녁",
  "파티",
  "음악",
  "영화",
  "게임",
  "hello",
  "meeting",
  "tomorrow",
  "photo",
  "thanks",
  "music",
  "party",
  "lunch",
  "weekend",
  "project",
  "update",
  "review",
  "deploy",
  "coffee",
];
/** Deterministic text: message i of the fill. Every 1,000th holds "zebra"; every 5,000th "바나나". */
function text(i: number): string {
  let x = (i * 2654435761) >>> 0;
  const n = 4 + (x % 8);
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(WORDS[x % WORDS.length]!);
  }
  if (i % 1000 === 7) out.push("zebra");
  if (i % 5000 === 11) out.push("바나나");
  return out.join(" ");
}
const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
const urlOf = (c: number) => `ch_${c}`;

function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

async function timed(reps: number, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 10; i++) await fn(i);
  const lat: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    await fn(i);
    lat.push(performance.now() - s);
  }
  return { p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function createChannels(store: MessageStore) {
  for (let c = 0; c < CHANNELS; c++)
    await store.createChannel({
      channel_url: urlOf(c),
      name: urlOf(c),
      provider: "websocket",
      user_ids: c < MINE ? ["me", `u${c}`] : [`u${c}`],
    });
}

async function fillSqlite(path: string) {
  const raw = new Database(path);
  raw.pragma("journal_mode = WAL");
  const ins = raw.prepare(
    "INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, created_at) VALUES (?, ?, ?, 'MESG', ?, ?, ?)",
  );
  const seqs = new Array<number>(CHANNELS).fill(0);
  const batch = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const c = i % CHANNELS;
      ins.run(urlOf(c), ++seqs[c]!, `m${i}`, `u${c}`, text(i), at(i));
    }
  });
  for (let i = 0; i < total; i += 50_000) batch(i, Math.min(total, i + 50_000));
  const up = raw.prepare("UPDATE channels SET last_seq = ?, last_message_seq = ? WHERE channel_url = ?");
  for (let c = 0; c < CHANNELS; c++) up.run(seqs[c], seqs[c], urlOf(c));
  raw.close();
}

async function fillPostgres(schema: string) {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`SET search_path = "${schema}"`);
  for (let i = 0; i < total; i += 20_000) {
    const n = Math.min(20_000, total - i);
    const ids = Array.from({ length: n }, (_, k) => i + k);
    await c.query(
      `INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, created_at)
       SELECT 'ch_' || (x % ${CHANNELS}), x / ${CHANNELS} + 1, 'm' || x, 'MESG', 'u' || (x % ${CHANNELS}), t, a
       FROM unnest($1::bigint[], $2::text[], $3::text[]) AS r(x, t, a)`,
      [ids, ids.map(text), ids.map(at)],
    );
  }
  await c.query(
    `UPDATE channels SET last_seq = s, last_message_seq = s FROM (SELECT channel_url AS u, max(seq) AS s FROM messages GROUP BY 1) m WHERE channel_url = m.u`,
  );
  await c.query("ANALYZE");
  await c.end();
}

async function run(driver: string, store: MessageStore) {
  const rows: string[] = [];
  const row = (load: string, r: { p50: number; p99: number }) =>
    rows.push(
      `| ${driver} | ${total.toLocaleString("en")} | ${load} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`,
    );
  const ch = (i: number) => urlOf(i % MINE);
  row(
    "channel, rare word (zebra, ~1/1000)",
    await timed(200, (i) => store.searchMessages(ch(i), { query: "zebra", limit: 20 })),
  );
  row(
    "channel, common word (meeting)",
    await timed(200, (i) => store.searchMessages(ch(i), { query: "meeting", limit: 20 })),
  );
  row(
    "channel, two words (회의 사진: 2-char terms, LIKE window)",
    await timed(200, (i) => store.searchMessages(ch(i), { query: "회의 사진", limit: 20 })),
  );
  row(
    "channel, Korean 3 chars (바나나, ~1/5000)",
    await timed(200, (i) => store.searchMessages(ch(i), { query: "바나나", limit: 20 })),
  );
  row(
    "channel, no match (xylophone)",
    await timed(200, (i) => store.searchMessages(ch(i), { query: "xylophone", limit: 20 })),
  );
  row(
    "user's 20 channels, rare word (zebra)",
    await timed(100, () => store.searchUserMessages("me", { query: "zebra", limit: 20 })),
  );
  row(
    "user's 20 channels, 2-char (회의)",
    await timed(50, () => store.searchUserMessages("me", { query: "회의", limit: 20 })),
  );
  return rows;
}

const out: string[] = [];
if (!args.includes("--no-sqlite")) {
  const path = join(mkdtempSync(join(tmpdir(), "podchat-search-bench-")), "s.sqlite");
  const setup = createSqliteStore({ path });
  await setup.migrate();
  await createChannels(setup);
  await setup.close();
  const t0 = performance.now();
  await fillSqlite(path);
  console.error(
    `sqlite: ${total} rows with the FTS5 index in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const store = createSqliteStore({ path });
  await store.migrate();
  out.push(...(await run("sqlite", store)));
  await store.close();
}
if (!args.includes("--no-postgres")) {
  const schema = `podchat_search_bench_${randomBytes(4).toString("hex")}`;
  const store = createPostgresStore({ url: pgUrl, schema });
  try {
    await store.migrate();
    await createChannels(store);
    const t0 = performance.now();
    await fillPostgres(schema);
    console.error(
      `postgres: ${total} rows with the GIN index in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    out.push(...(await run("postgres", store)));
  } finally {
    await store.close();
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  }
}
console.log(`\nsearch bench — ${new Date().toISOString()}, node ${process.version}`);
console.log("| driver | messages | search | p50 ms | p99 ms |");
console.log("| --- | --- | --- | --- | --- |");
for (const r of out) console.log(r);
