// Test support: a fresh store per call on SQLite (a temp file) and, when PostgreSQL is reachable, on
// PostgreSQL (a throwaway schema, dropped after the file's tests).
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll } from "vitest";
import { findPostgres, warnSkipped } from "../../test/services.ts";
import type { MessageStore } from "./message-store.ts";
import { createPostgresStore } from "./postgres/postgres-store.ts";
import { createSqliteStore } from "./sqlite/sqlite-store.ts";

/** `{ sqlite, postgres? }` openers; a missing PostgreSQL is said loudly under `what`. */
export async function storeOpeners(
  what: string,
  prefix: string,
  postgresPool = 3,
): Promise<Record<string, () => MessageStore>> {
  const pg = await findPostgres();
  if ("skip" in pg) warnSkipped(`${what} on PostgreSQL`, pg.skip);
  const opens: Record<string, () => MessageStore> = {
    sqlite: () =>
      createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), `podchat-${prefix}-`)), "s.sqlite") }),
  };
  if ("url" in pg) {
    const schemas: string[] = [];
    afterAll(async () => {
      const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
      for (const s of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await sql.end({ timeout: 5 });
    });
    opens.postgres = () => {
      const schema = `podchat_${prefix}_${randomBytes(5).toString("hex")}`;
      schemas.push(schema);
      return createPostgresStore({ url: pg.url, schema, max: postgresPool });
    };
  }
  return opens;
}
