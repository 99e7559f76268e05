import Database from "better-sqlite3";
import { Kysely } from "kysely";
import { ImmediateSqliteDialect, withStatementCache } from "../store/sqlite/sqlite-dialect.ts";
import type { FlagStore } from "./flag-store.ts";
import { createKyselyFlagStore, type FlagCapabilities, type FlagSchema } from "./kysely-flag-store.ts";

const sqliteFlagCapabilities: FlagCapabilities = {
  types: { bool: "integer", real: "real", json: "text", id: "integer" },
  autoIncrement: true,
  rowLocks: false,
};

/** Flags in the same SQLite file as the messages (its own connection and tables). */
export function createSqliteFlagStore(options: { path: string }): FlagStore {
  const raw = new Database(options.path);
  raw.pragma("journal_mode = WAL");
  raw.pragma("busy_timeout = 5000");
  const db = new Kysely<FlagSchema>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(raw) }),
  });
  return createKyselyFlagStore({
    db,
    caps: sqliteFlagCapabilities,
    migrationSchema: async () => undefined,
    close: () => db.destroy(),
  });
}
