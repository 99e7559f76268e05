import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, sql } from "kysely";
import type { StoreCapabilities, StoreDialect } from "../kysely/dialect.ts";
import { createKyselyStore } from "../kysely/kysely-store.ts";
import { createCodec } from "../kysely/rows.ts";
import type { StoreSchema } from "../kysely/schema.ts";
import type { MessageStore } from "../message-store.ts";
import { createGroupCommit } from "./group-commit.ts";
import { ImmediateSqliteDialect, withStatementCache } from "./sqlite-dialect.ts";

export interface SqliteStoreOptions {
  /** File path, or ":memory:". */
  path: string;
  /**
   * `normal` (default): in WAL mode a commit survives a crash of the process (kill -9); a power
   * loss may drop the last transactions. `full`: fsync on every commit, survives power loss too.
   */
  synchronous?: "normal" | "full";
}

const sqliteCapabilities: StoreCapabilities = {
  driver: "sqlite",
  types: {
    key: "text",
    json: "text",
    bigint: "integer",
    bool: "integer",
    // The rowid: new rows take max + 1 (no AUTOINCREMENT bookkeeping on the append path).
    serialKey: "integer primary key",
  },
  textKeepsNul: true,
  rowLocks: false,
  jsonParsed: false,
  withoutRowid: true,
  textSearch: "fts5",
  foreignKeys: false,
  async tableExists(db, name) {
    const r = await sql<{
      n: number;
    }>`select 1 as n from sqlite_master where type = 'table' and name = ${name}`.execute(db);
    return r.rows.length > 0;
  },
};

/** SQLite store (better-sqlite3, WAL): the kysely store with SQLite's group-commit appender. */
export function createSqliteStore(options: SqliteStoreOptions): MessageStore {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const raw = new Database(options.path);
  raw.pragma("journal_mode = WAL");
  raw.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
  raw.pragma("foreign_keys = ON");
  raw.pragma("busy_timeout = 5000");
  const kyselyDialect = new ImmediateSqliteDialect({ database: withStatementCache(raw) });
  const db = new Kysely<StoreSchema>({ dialect: kyselyDialect });
  const appender = createGroupCommit(
    raw,
    (fn) => db.connection().execute(async () => fn()),
    createCodec(sqliteCapabilities),
  );
  let open = true;
  const dialect: StoreDialect = {
    db,
    capabilities: sqliteCapabilities,
    appender,
    readNow: (text, params) => (open ? kyselyDialect.readNow(text, params) : undefined),
    migrationSchema: async () => undefined,
    async healthy() {
      if (!open) return false;
      try {
        raw.prepare("SELECT 1").get();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await appender.flush();
      open = false;
      await db.destroy();
    },
  };
  return createKyselyStore(dialect);
}
