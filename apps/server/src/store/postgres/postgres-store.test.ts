import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { findPostgres, freePort, warnSkipped } from "../../../test/services.ts";
import { describeMessageStore } from "../message-store.conformance.ts";
import { type MessageStore, StoreError } from "../message-store.ts";
import { storeMigrations } from "../kysely/migrations.ts";
import { createPostgresStore, postgresCapabilities } from "./postgres-store.ts";

const found = await findPostgres();

if ("skip" in found) {
  warnSkipped("postgres store tests", found.skip);
  describe.skip("postgres store (no PostgreSQL)", () => {
    it("needs PostgreSQL", () => {});
  });
} else {
  const url = found.url;
  const admin = postgres(url, { max: 2, onnotice: () => {} });
  const schemas = new Set<string>();
  const freshSchema = () => {
    const s = `podchat_test_${randomBytes(6).toString("hex")}`;
    schemas.add(s);
    return s;
  };
  const dropSchemas = async () => {
    for (const s of schemas) {
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      schemas.delete(s);
    }
  };
  afterEach(dropSchemas);
  afterAll(async () => {
    await dropSchemas();
    await admin.end({ timeout: 5 });
  });

  const waitForHealthy = async (s: MessageStore) => {
    const deadline = Date.now() + 5000;
    while (!(await s.healthy())) {
      if (Date.now() > deadline) throw new Error("store did not become healthy within 5 s");
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  let current = "";
  describeMessageStore("postgres", {
    async open() {
      current = freshSchema();
      const s = createPostgresStore({ url, schema: current });
      await s.migrate();
      return s;
    },
    async reopen() {
      const s = createPostgresStore({ url, schema: current });
      await s.migrate();
      return s;
    },
  });

  describe("postgres store: several instances", () => {
    const opened: MessageStore[] = [];
    const open = (schema: string, max?: number) => {
      const s = createPostgresStore({ url, schema, ...(max ? { max } : {}) });
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it("migrates once when instances start together", async () => {
      const schema = freshSchema();
      const stores = [open(schema, 2), open(schema, 2), open(schema, 2), open(schema, 2)];
      await Promise.all(stores.map((s) => s.migrate()));
      const rows = await admin.unsafe(`SELECT name FROM "${schema}".kysely_migration ORDER BY name`);
      expect(rows.map((r) => r.name)).toEqual(Object.keys(storeMigrations(postgresCapabilities)).sort());
      expect(await stores[0]!.healthy()).toBe(true);
    });

    it("keeps seq gap-free for 200 concurrent appends from two instances", async () => {
      const schema = freshSchema();
      const a = open(schema, 8);
      const b = open(schema, 8);
      await Promise.all([a.migrate(), b.migrate()]);
      await a.createChannel({
        channel_url: "busy",
        name: "busy",
        provider: "websocket",
        user_ids: ["1", "2"],
      });
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          (i % 2 === 0 ? a : b).appendMessage({
            channel_url: "busy",
            type: "MESG",
            user_id: String(1 + (i % 2)),
            message: `m${i}`,
          }),
        ),
      );
      const seqs = results.map((r) => r.message.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect((await b.getChannel("busy"))?.last_seq).toBe(200);
      const stored = await a.listMessages("busy", { afterSeq: 0, limit: 500 });
      expect(stored.map((m) => m.seq)).toEqual(seqs);
      expect(new Set(stored.map((m) => m.message)).size).toBe(200);
    });

    it("stores a req_id raced from two instances once, without a seq gap", async () => {
      const schema = freshSchema();
      const a = open(schema, 4);
      const b = open(schema, 4);
      await a.migrate();
      await b.migrate();
      await a.createChannel({ channel_url: "race", name: "race", provider: "websocket", user_ids: ["1"] });
      const sends = Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).appendMessage({
          channel_url: "race",
          type: "MESG",
          user_id: i < 10 ? null : "1",
          message: "same",
          req_id: "r1",
        }),
      );
      const results = await Promise.all(sends);
      // One original for the user-less sender, one for user "1".
      expect(results.filter((r) => !r.duplicate)).toHaveLength(2);
      expect(new Set(results.map((r) => r.message.message_id)).size).toBe(2);
      const next = await a.appendMessage({
        channel_url: "race",
        type: "MESG",
        user_id: "1",
        message: "after",
      });
      expect(next.message.seq).toBe(3);
    });

    it("fails with a retryable STORE_UNAVAILABLE when the database is unreachable", async () => {
      const port = await freePort();
      const s = createPostgresStore({
        url: `postgres://postgres@127.0.0.1:${port}/test`,
        connectTimeoutSeconds: 2,
      });
      opened.push(s);
      const err = await s.migrate().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe("STORE_UNAVAILABLE");
      expect((err as StoreError).retryable).toBe(true);
      await expect(
        s.appendMessage({ channel_url: "x", type: "MESG", user_id: "1", message: "y" }),
      ).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
      expect(await s.healthy()).toBe(false);
    });

    it("recovers when the server drops its connections, without unhandled rejections", async () => {
      const schema = freshSchema();
      const applicationName = `podchat_test_${randomBytes(4).toString("hex")}`;
      const s = createPostgresStore({ url, schema, max: 3, applicationName });
      opened.push(s);
      await s.migrate();
      await s.createChannel({ channel_url: "c", name: "c", provider: "websocket", user_ids: ["1"] });
      await Promise.all([s.getChannel("c"), s.getChannel("c"), s.getChannel("c")]);
      const killed = await admin`
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ${applicationName}`;
      expect(killed.length).toBeGreaterThan(0);
      // A call may meet a dead connection (retryable error) or a fresh one; either way it settles.
      const first = await s.getChannel("c").catch((e: unknown) => e);
      if (first instanceof Error) expect(first).toMatchObject({ code: "STORE_UNAVAILABLE" });
      await waitForHealthy(s);
      const appended = await s.appendMessage({
        channel_url: "c",
        type: "MESG",
        user_id: "1",
        message: "back",
      });
      expect(appended.message.seq).toBe(1);
    });

    it("rejects operations after close and reports unhealthy", async () => {
      const s = open(freshSchema());
      await s.migrate();
      await s.close();
      expect(await s.healthy()).toBe(false);
      await expect(s.getChannel("x")).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
    });
  });
}
