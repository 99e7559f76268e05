import pg from "pg";

const JSON_OID = 114;
const JSONB_OID = 3802;

/** The `pg` pool the stores share the settings of (each store has its own pool). */
export function createPgPool(o: {
  url: string;
  max: number;
  connectTimeoutSeconds: number;
  applicationName: string;
  /** Already checked: letters, digits and `_`. */
  schema?: string;
}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.max,
    connectionTimeoutMillis: o.connectTimeoutSeconds * 1000,
    application_name: o.applicationName,
    ...(o.schema ? { options: `-c search_path=${o.schema}` } : {}),
    // JSON comes back as text, as on SQLite (the store parses it); BIGINT stays a string (Number()).
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === JSON_OID || oid === JSONB_OID
          ? (v: string) => v
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server closed (restart, pg_terminate_backend) is dropped by the pool
  // and replaced on next use; the event only needs a listener so it does not crash the process.
  pool.on("error", () => {});
  // A connection lost while a client is checked out but between queries (inside a kysely
  // transaction, say) is an 'error' event on that client, which the pool does not listen to then:
  // without this listener it is an uncaught exception. The next query on it fails (the store maps
  // that to STORE_UNAVAILABLE) and the pool drops the broken client when it is released.
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  return pool;
}
