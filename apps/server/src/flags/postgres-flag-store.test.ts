import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, it } from "vitest";
import { findPostgres } from "../../test/services.ts";
import { describeFlagStore } from "./flag-store.conformance.ts";
import { createPostgresFlagStore } from "./postgres-flag-store.ts";

const found = await findPostgres();
if ("skip" in found) {
  console.warn(`SKIPPED FlagStore conformance: postgres — ${found.skip}`);
  describe.skip(`FlagStore conformance: postgres (${found.skip})`, () => it("needs PostgreSQL", () => {}));
} else {
  const schemas: string[] = [];
  describeFlagStore("postgres", async () => {
    const schema = `podchat_flags_${randomBytes(4).toString("hex")}`;
    schemas.push(schema);
    const s = createPostgresFlagStore({ url: found.url, schema });
    await s.migrate();
    return s;
  });
  afterAll(async () => {
    const sql = postgres(found.url, { max: 1, onnotice: () => {} });
    for (const s of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await sql.end();
  });
}
