import type Database from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";

/** Writers take the write lock when they begin, so a read-then-write never meets SQLITE_BUSY halfway. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** kysely prepares every query it runs; better-sqlite3 statements are reusable, so keep them by SQL. */
export function withStatementCache(db: Database.Database, max = 256) {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(text: string) {
      let st = cache.get(text);
      if (!st) {
        st = db.prepare(text);
        if (cache.size >= max) cache.clear();
        cache.set(text, st);
      }
      return st;
    },
    close() {
      db.close();
    },
  };
}
