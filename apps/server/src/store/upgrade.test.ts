import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { findPostgres, warnSkipped } from "../../test/services.ts";
import type { FlagStore } from "../flags/flag-store.ts";
import { createPostgresFlagStore } from "../flags/postgres-flag-store.ts";
import { createSqliteFlagStore } from "../flags/sqlite-flag-store.ts";
import {
  postgres02,
  postgres02Bookkeeping,
  postgresFlags02,
  sqlite02,
  sqlite02Bookkeeping,
  sqliteFlags02,
} from "./fixtures/schema-0.2.ts";
import { storeMigrations } from "./kysely/migrations.ts";
import type { MessageStore } from "./message-store.ts";
import { createPostgresStore, postgresCapabilities } from "./postgres/postgres-store.ts";
import { createSqliteStore } from "./sqlite/sqlite-store.ts";

/** Runs SQL written with `?` placeholders against a database made by the old migrator. */
interface Legacy {
  exec(sql: string, params?: unknown[]): Promise<void>;
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
  /** Builds the schema of the given 0.x versions exactly as 0.2's migrator did. */
  migrate(upTo: number): Promise<void>;
  open(): Promise<MessageStore>;
  /** 0.2's flag tables, as its flag store made them. */
  flags02(): Promise<void>;
  openFlags(): Promise<FlagStore>;
  close(): Promise<void>;
  truthy: unknown;
}

const T = (s: string) => `2023-01-01T00:${s}.000Z`;

/** 0.2 data: every table, edits and deletes in the log, an admin message with a req_id. */
async function seed02(db: Legacy) {
  const yes = db.truthy;
  await db.exec(
    "INSERT INTO channels (channel_url, name, custom_type, data, provider, created_at, last_seq, member_count, frozen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ["up_a", "Room A", "team", '{"pod_id":1}', "websocket", T("00:00"), 6, 3, yes],
  );
  await db.exec(
    "INSERT INTO channels (channel_url, name, custom_type, data, provider, created_at, last_seq, member_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ["up_b", "Room B", null, "{}", "sendbird", "2023-02-01T00:00:00.000Z", 0, 1],
  );
  for (const [url, u] of [
    ["up_a", "u1"],
    ["up_a", "u2"],
    ["up_a", "u3"],
    ["up_b", "u1"],
  ])
    await db.exec("INSERT INTO members (channel_url, user_id, joined_at) VALUES (?, ?, ?)", [
      url,
      u,
      T("00:00"),
    ]);
  const msg =
    "INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, custom_type, data, file, req_id, created_at, edited_at, deleted, target_seq, target_message_id) VALUES ('up_a', ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)";
  const no = yes === 1 ? 0 : false;
  await db.exec(msg, [
    1,
    "m1",
    "MESG",
    "u1",
    "hello",
    '{"k":1}',
    null,
    "r1",
    T("01:00"),
    null,
    no,
    null,
    null,
  ]);
  await db.exec(msg, [2, "m2", "ADMM", null, "notice", null, null, "adm1", T("02:00"), null, no, null, null]);
  await db.exec(msg, [3, "m3", "FILE", "u2", "", null, null, null, T("03:00"), null, yes, null, null]);
  await db.exec(msg, [4, "m4", "MESSAGE_DELETED", "u2", "", null, null, null, T("04:00"), null, no, 3, "m3"]);
  await db.exec(msg, [
    5,
    "m5",
    "MESG",
    "u3",
    "last",
    null,
    null,
    null,
    T("05:00"),
    T("06:00"),
    no,
    null,
    null,
  ]);
  await db.exec(msg, [
    6,
    "m6",
    "MESSAGE_UPDATED",
    "u3",
    "last",
    null,
    null,
    null,
    T("06:00"),
    null,
    no,
    5,
    "m5",
  ]);
  for (const [u, seq] of [
    ["u2", 2],
    ["u3", 5],
  ])
    await db.exec(
      "INSERT INTO read_marks (channel_url, user_id, last_read_seq, updated_at) VALUES ('up_a', ?, ?, ?)",
      [u, seq, T("07:00")],
    );
  await db.exec("INSERT INTO operators (channel_url, user_id) VALUES ('up_a', 'u1')");
  await db.exec(
    "INSERT INTO restrictions (channel_url, user_id, kind, until, created_at) VALUES ('up_a', 'u9', 'ban', NULL, ?), ('up_a', 'u2', 'mute', '2999-01-01T00:00:00.000Z', ?)",
    [T("08:00"), T("08:00")],
  );
  await db.exec(
    "INSERT INTO files (file_id, channel_url, user_id, name, size, mime_type, width, height, storage_key, thumbnail_key, created_at) VALUES ('f1', 'up_a', 'u2', 'a.pdf', 3, 'application/pdf', NULL, NULL, 'k1', NULL, ?)",
    [T("03:00")],
  );
}

async function check02(store: MessageStore) {
  expect(await store.getChannel("up_a")).toEqual({
    channel_url: "up_a",
    name: "Room A",
    custom_type: "team",
    data: { pod_id: 1 },
    provider: "websocket",
    created_at: T("00:00"),
    last_seq: 6,
    member_count: 3,
    last_activity_at: T("05:00"),
  });
  expect((await store.getChannel("up_b"))?.last_activity_at).toBe("2023-02-01T00:00:00.000Z");
  const log = await store.listMessages("up_a", { afterSeq: 0, limit: 10 });
  expect(log.map((m) => [m.seq, m.type, m.user_id, m.message, m.deleted, m.target_seq])).toEqual([
    [1, "MESG", "u1", "hello", false, null],
    [2, "ADMM", null, "notice", false, null],
    [3, "FILE", "u2", "", true, null],
    [4, "MESSAGE_DELETED", "u2", "", false, 3],
    [5, "MESG", "u3", "last", false, null],
    [6, "MESSAGE_UPDATED", "u3", "last", false, 5],
  ]);
  expect(log[0]).toMatchObject({ data: { k: 1 }, req_id: "r1", message_id: "m1" });
  expect(log[4]).toMatchObject({ edited_at: T("06:00") });
  // 0008 indexed the old messages (@since 0.5): live ones only, not the edit entry (seq 6).
  const found = async (q: string) =>
    (await store.searchMessages("up_a", { query: q, limit: 10 })).messages.map((m) => m.seq);
  expect(await found("hello")).toEqual([1]);
  expect(await found("las")).toEqual([5]);
  expect(await found("notice")).toEqual([2]);
  expect(await store.listPins("up_a")).toEqual([]);
  // The counters were filled from the 0.2 read marks with the same definition.
  const unread = async (u: string) => (await store.readMark("up_a", u)).unread_count;
  expect([await unread("u1"), await unread("u2"), await unread("u3")]).toEqual([2, 1, 0]);
  expect(await store.readState("up_a")).toEqual([
    { user_id: "u1", last_read_seq: 0 },
    { user_id: "u2", last_read_seq: 2 },
    { user_id: "u3", last_read_seq: 5 },
  ]);
  expect(await store.getModeration("up_a")).toEqual({
    frozen: true,
    operators: ["u1"],
    banned: [{ user_id: "u9", until: null }],
    muted: [{ user_id: "u2", until: "2999-01-01T00:00:00.000Z" }],
  });
  expect(await store.getFile("f1")).toMatchObject({ channel_url: "up_a", size: 3, storage_key: "k1" });
  expect(await store.totalUnread("u1")).toBe(2);
  const inbox = await store.listUserChannels("u1", { limit: 10 });
  expect(inbox.rows.map((r) => [r.channel.channel_url, r.unread_count, r.last_message?.seq ?? null])).toEqual(
    [
      ["up_b", 0, null],
      ["up_a", 2, 5],
    ],
  );

  // New writes carry on from the old data: seq, idempotency of old req_ids (also the admin's), counters.
  const again = await store.appendMessage({
    channel_url: "up_a",
    type: "MESG",
    user_id: "u1",
    message: "x",
    req_id: "r1",
  });
  expect(again).toMatchObject({ duplicate: true, message: { seq: 1, message_id: "m1" } });
  const admin = await store.appendMessage({
    channel_url: "up_a",
    type: "ADMM",
    user_id: null,
    message: "x",
    req_id: "adm1",
  });
  expect(admin).toMatchObject({ duplicate: true, message: { seq: 2 } });
  const next = await store.appendMessage({
    channel_url: "up_a",
    type: "MESG",
    user_id: "u1",
    message: "after upgrade",
    created_at: "2024-01-01T00:00:00.000Z",
  });
  expect(next.message.seq).toBe(7);
  expect([await unread("u1"), await unread("u2"), await unread("u3")]).toEqual([2, 2, 1]);
  expect((await store.listUserChannels("u1", { limit: 1 })).rows[0]?.channel.channel_url).toBe("up_a");
  await store.deleteMessage({ channel_url: "up_a", target_seq: 5, user_id: null });
  expect([await unread("u1"), await unread("u2"), await unread("u3")]).toEqual([1, 1, 1]);
}

function describeUpgrade(name: string, make: () => Promise<Legacy>) {
  describe(`upgrade from a 0.2 database made by the old migrator: ${name}`, () => {
    it("migrates in place, keeping every row, and the new features work on the old data", async () => {
      const db = await make();
      try {
        await db.migrate(2);
        await seed02(db);
        const store = await db.open();
        try {
          await check02(store);
          await store.migrate(); // again: nothing to do
        } finally {
          await store.close();
        }
        const names = (await db.rows("SELECT name FROM kysely_migration ORDER BY name")).map((r) => r.name);
        expect(names).toEqual(Object.keys(storeMigrations(postgresCapabilities)).sort());
        // The old bookkeeping stays as it was.
        expect(
          (await db.rows("SELECT version FROM schema_migrations ORDER BY version")).map((r) =>
            Number(r.version),
          ),
        ).toEqual([1, 2]);
        // The new req_id index holds for a user-less sender at the database level too.
        await expect(
          db.exec(
            "INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, req_id, created_at) VALUES ('up_a', 99, 'dup', 'ADMM', NULL, '', 'adm1', 'x')",
          ),
        ).rejects.toThrow(/unique/i);
      } finally {
        await db.close();
      }
    });

    it("keeps 0.2's flags, overrides and audit trail", async () => {
      const db = await make();
      try {
        await db.migrate(2);
        await db.flags02();
        await db.exec(
          "INSERT INTO flags (env, use_websocket, rollout_percent, user_groups, updated_at, updated_by) VALUES ('prod', ?, 12.5, ?, ?, 'alice')",
          [db.truthy, '["7"]', T("09:00")],
        );
        await db.exec(
          "INSERT INTO flag_overrides (channel_url, provider, updated_by, updated_at) VALUES ('up_a', 'sendbird', 'alice', ?)",
          [T("09:00")],
        );
        await db.exec(
          "INSERT INTO flag_audit (env, key, old_value, new_value, actor, at) VALUES ('prod', 'use_websocket', 'null', 'true', 'alice', ?)",
          [T("09:00")],
        );
        const flags = await db.openFlags();
        try {
          expect(await flags.get("prod")).toEqual({
            env: "prod",
            use_websocket: true,
            rollout_percent: 12.5,
            user_groups: ["7"],
            updated_at: T("09:00"),
            updated_by: "alice",
          });
          expect(await flags.getOverride("up_a")).toMatchObject({ provider: "sendbird" });
          await flags.set("prod", { rollout_percent: 50 }, "bob");
          expect(
            (await flags.audit({ env: "prod", limit: 10 })).map((e) => [e.key, e.old_value, e.new_value]),
          ).toEqual([
            ["rollout_percent", 12.5, 50],
            ["use_websocket", null, true],
          ]);
        } finally {
          await flags.close();
        }
      } finally {
        await db.close();
      }
    });

    it("migrates a 0.1 database (version 1 only) through 0.2's changes", async () => {
      const db = await make();
      try {
        await db.migrate(1);
        await db.exec(
          "INSERT INTO channels (channel_url, name, data, provider, created_at, last_seq, member_count) VALUES ('old', 'Old', '{}', 'websocket', ?, 1, 2)",
          [T("00:00")],
        );
        await db.exec(
          "INSERT INTO members (channel_url, user_id, joined_at) VALUES ('old', 'a', ?), ('old', 'b', ?)",
          [T("00:00"), T("00:00")],
        );
        await db.exec(
          "INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, created_at) VALUES ('old', 1, 'o1', 'MESG', 'a', 'hi', ?)",
          [T("01:00")],
        );
        const store = await db.open();
        try {
          expect(await store.listMessages("old", { limit: 10 })).toMatchObject([
            { seq: 1, deleted: false, edited_at: null },
          ]);
          expect((await store.readMark("old", "b")).unread_count).toBe(1);
          expect(await store.getModeration("old")).toMatchObject({ frozen: false });
          expect((await store.getChannel("old"))?.last_activity_at).toBe(T("01:00"));
          expect((await store.markRead("old", "b", 1)).unread_count).toBe(0);
        } finally {
          await store.close();
        }
      } finally {
        await db.close();
      }
    });
  });
}

describeUpgrade("sqlite", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "podchat-upgrade-")), "old.sqlite");
  const raw = new Database(path);
  raw.pragma("journal_mode = WAL");
  return {
    truthy: 1,
    async exec(sql, params = []) {
      raw.prepare(sql).run(...params);
    },
    async rows(sql) {
      return raw.prepare(sql).all() as Array<Record<string, unknown>>;
    },
    async migrate(upTo) {
      raw.exec(sqlite02Bookkeeping);
      for (const m of sqlite02.filter((x) => x.version <= upTo)) {
        raw.exec(m.sql);
        raw
          .prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
          .run(m.version, T("00:00"));
      }
    },
    async open() {
      const s = createSqliteStore({ path });
      await s.migrate();
      return s;
    },
    async flags02() {
      raw.exec(sqliteFlags02);
    },
    async openFlags() {
      const f = createSqliteFlagStore({ path });
      await f.migrate();
      return f;
    },
    async close() {
      raw.close();
    },
  };
});

const found = await findPostgres();
if ("skip" in found) {
  warnSkipped("postgres upgrade tests", found.skip);
  describe.skip("postgres upgrade (no PostgreSQL)", () => {
    it("needs PostgreSQL", () => {});
  });
} else {
  const schemas: string[] = [];
  const admin = new pg.Client({ connectionString: found.url });
  await admin.connect();
  afterAll(async () => {
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await admin.end();
  });
  describeUpgrade("postgres", async () => {
    const schema = `podchat_upgrade_${randomBytes(6).toString("hex")}`;
    schemas.push(schema);
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const client = new pg.Client({ connectionString: found.url, options: `-c search_path=${schema}` });
    await client.connect();
    const numbered = (sql: string) => {
      let i = 0;
      return sql.replace(/\?/g, () => `$${++i}`);
    };
    return {
      truthy: true,
      async exec(sql, params = []) {
        await client.query(numbered(sql), params);
      },
      async rows(sql) {
        return (await client.query(sql)).rows;
      },
      async migrate(upTo) {
        await client.query("BEGIN");
        await client.query(postgres02Bookkeeping);
        for (const m of postgres02.filter((x) => x.version <= upTo)) {
          await client.query(m.sql);
          await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [m.version]);
        }
        await client.query("COMMIT");
      },
      async open() {
        const s = createPostgresStore({ url: found.url, schema });
        await s.migrate();
        return s;
      },
      async flags02() {
        await client.query(postgresFlags02);
      },
      async openFlags() {
        const f = createPostgresFlagStore({ url: found.url, schema });
        await f.migrate();
        return f;
      },
      async close() {
        await client.end();
      },
    };
  });
}
