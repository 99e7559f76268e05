import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeFlagStore } from "./flag-store.conformance.ts";
import { createSqliteFlagStore } from "./sqlite-flag-store.ts";

describeFlagStore("sqlite", async () => {
  const s = createSqliteFlagStore({ path: join(mkdtempSync(join(tmpdir(), "podchat-flags-")), "f.sqlite") });
  await s.migrate();
  return s;
});
