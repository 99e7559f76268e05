import { Kysely, sql } from "kysely";
import { ScopedPostgresDialect } from "../store/postgres/scoped-dialect.ts";
import { createPgPool } from "../store/postgres/pg-pool.ts";
import type { FlagStore } from "./flag-store.ts";
import { createKyselyFlagStore, type FlagCapabilities, type FlagSchema } from "./kysely-flag-store.ts";

const postgresFlagCapabilities: FlagCapabilities = {
  types: { bool: "boolean", real: "numeric", json: "jsonb", id: "bigserial" },
  autoIncrement: false,
  rowLocks: true,
};

/** Flags in PostgreSQL (shared by every instance of an environment). */
export function createPostgresFlagStore(options: { url: string; schema?: string }): FlagStore {
  const schema = options.schema;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  }
  const pool = createPgPool({
    url: options.url,
    max: 2,
    connectTimeoutSeconds: 10,
    applicationName: "podchat-flags",
    ...(schema ? { schema } : {}),
  });
  const db = new Kysely<FlagSchema>({ dialect: new ScopedPostgresDialect({ pool }) });
  return createKyselyFlagStore({
    db,
    caps: postgresFlagCapabilities,
    async migrationSchema() {
      if (schema) {
        await sql`create schema if not exists ${sql.id(schema)}`.execute(db).catch(async (e: unknown) => {
          const r = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(db);
          if (r.rows.length === 0) throw e;
        });
        return schema;
      }
      const r = await sql<{ s: string | null }>`select current_schema() as s`.execute(db);
      return r.rows[0]?.s ?? "public";
    },
    close: () => db.destroy(),
  });
}
