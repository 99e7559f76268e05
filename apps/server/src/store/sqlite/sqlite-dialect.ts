import type Database from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";

/**
 * Writers take the write lock when they begin, so a read-then-write never meets SQLITE_BUSY
 * halfway. It also knows whether kysely holds the one connection (a transaction is open).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  held = false;
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
  override async acquireConnection(): Promise<DatabaseConnection> {
    const c = await super.acquireConnection();
    this.held = true;
    return c;
  }
  override async releaseConnection(): Promise<void> {
    this.held = false;
    await super.releaseConnection();
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig & { database: { prepare(sql: string): Database.Statement } };
  #driver: ImmediateSqliteDriver | undefined;
  constructor(config: SqliteDialectConfig & { database: { prepare(sql: string): Database.Statement } }) {
    super(config);
    this.#config = config;
  }
  override createDriver() {
    this.#driver = new ImmediateSqliteDriver(this.#config);
    return this.#driver;
  }
  /**
   * Runs a read at once, synchronously, when no kysely transaction holds the connection (so it
   * cannot see uncommitted rows); undefined when one does, and the caller queues through kysely.
   * Saves kysely's connection hand-over on the hot reads, as 0.2's synchronous store had it.
   */
  readNow(sql: string, params: readonly unknown[]): Record<string, unknown>[] | undefined {
    if (!this.#driver || this.#driver.held) return undefined;
    return this.#config.database.prepare(sql).all(params) as Record<string, unknown>[];
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
