import { Kysely, sql } from "kysely";
import { ScopedPostgresDialect } from "./scoped-dialect.ts";
import type { StoreCapabilities, StoreDialect } from "../kysely/dialect.ts";
import { createKyselyStore } from "../kysely/kysely-store.ts";
import { createCodec } from "../kysely/rows.ts";
import type { StoreSchema } from "../kysely/schema.ts";
import type { MessageStore } from "../message-store.ts";
import { createPostgresAppender } from "./append.ts";
import { createPgPool } from "./pg-pool.ts";

export interface PostgresStoreOptions {
  /** Connection URL, e.g. `postgres://user:pass@host:5432/db`. */
  url: string;
  /**
   * Schema holding the tables; created by `migrate()` when missing. Default: the server's
   * search_path (usually `public`). Letters, digits and `_` only.
   */
  schema?: string;
  /** Pool size (connections). Default 10. */
  max?: number;
  /** Seconds to wait for a connection before the operation fails. Default 10. */
  connectTimeoutSeconds?: number;
  /** Shown in `pg_stat_activity`. Default `podchat`. */
  applicationName?: string;
}

const HEALTH_TIMEOUT_MS = 2000;

/**
 * Timestamps are TEXT holding the ISO-8601 string the caller gave, so they round-trip byte for
 * byte like on SQLite. Keys use the "C" collation so paging orders bytewise, as on SQLite,
 * whatever the database's locale.
 */
export const postgresCapabilities: StoreCapabilities = {
  driver: "postgres",
  types: {
    key: 'text collate "C"',
    json: "jsonb",
    bigint: "bigint",
    bool: "boolean",
    serialKey: "bigserial primary key",
  },
  textKeepsNul: false,
  rowLocks: true,
  jsonParsed: false,
  withoutRowid: false,
  textSearch: "pg_trgm",
  foreignKeys: true,
  async tableExists(db, name) {
    const r = await sql<{ t: string | null }>`select to_regclass(${name})::text as t`.execute(db);
    return r.rows[0]?.t != null;
  },
};

/**
 * PostgreSQL store: the kysely store over `pg` (kysely's PostgresDialect), with a one-statement
 * append (see append.ts). Several instances may share one database.
 */
export function createPostgresStore(options: PostgresStoreOptions): MessageStore {
  const schema = options.schema;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  }
  const pool = createPgPool({
    url: options.url,
    max: options.max ?? 10,
    connectTimeoutSeconds: options.connectTimeoutSeconds ?? 10,
    applicationName: options.applicationName ?? "podchat",
    ...(schema ? { schema } : {}),
  });
  const db = new Kysely<StoreSchema>({ dialect: new ScopedPostgresDialect({ pool }) });
  const appender = createPostgresAppender(pool, createCodec(postgresCapabilities));
  const dialect: StoreDialect = {
    db,
    capabilities: postgresCapabilities,
    appender,
    async readNamed(name, text, values) {
      return (await pool.query({ name, text, values: values as unknown[] })).rows;
    },
    async migrationSchema() {
      if (schema) {
        await sql`create schema if not exists ${sql.id(schema)}`.execute(db).catch(async (e: unknown) => {
          // Instances starting together may race on it; only a schema still missing is an error.
          const r = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(db);
          if (r.rows.length === 0) throw e;
        });
        return schema;
      }
      const r = await sql<{ s: string | null }>`select current_schema() as s`.execute(db);
      return r.rows[0]?.s ?? "public";
    },
    async healthy() {
      const ping = pool.query("SELECT 1").then(
        () => true,
        () => false,
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
      });
      try {
        return await Promise.race([ping, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await appender.flush();
      await db.destroy(); // ends the pool
    },
  };
  return createKyselyStore(dialect);
}
