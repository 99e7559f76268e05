import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeMessageStore } from "../message-store.conformance.ts";
import { createSqliteStore } from "./sqlite-store.ts";

let path = "";
describeMessageStore("sqlite", {
  async open() {
    path = join(mkdtempSync(join(tmpdir(), "podchat-store-")), "test.sqlite");
    const s = createSqliteStore({ path });
    await s.migrate();
    return s;
  },
  async reopen() {
    const s = createSqliteStore({ path });
    await s.migrate();
    return s;
  },
});
