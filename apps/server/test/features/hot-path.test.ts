import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { MessageStore } from "../../src/store/message-store.ts";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import { type TestServer, connect, createChannel, startServer } from "../harness.ts";

let t: TestServer | null = null;
afterAll(() => t?.close());

it("a plain MESG send costs one store call (the append): moderation is cached in the room until a MODERATION event", async () => {
  const inner = createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "podchat-hot-")), "s.sqlite") });
  await inner.migrate();
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function"
        ? (...args: unknown[]) => {
            calls.push(String(prop));
            return v.apply(target, args);
          }
        : v;
    },
  }) as MessageStore;
  t = await startServer({ extra: { store } });
  await createChannel(t, "hot", ["1", "2"]);
  const a = await connect(t, "hot", "1");
  a.send({ type: "MESG", message: "warm", req_id: "w" });
  await a.next((f) => f.type === "ACK");
  calls.length = 0;
  for (let i = 0; i < 30; i++) a.send({ type: "MESG", message: `m${i}`, req_id: `r${i}` });
  await a.next((f) => f.type === "ACK" && f.req_id === "r29");
  expect(calls.filter((c) => c !== "appendMessage")).toEqual([]);
  expect(calls.filter((c) => c === "appendMessage")).toHaveLength(30);
  // A moderation change drops the cache once; the next send re-reads it, the ones after do not.
  await t.api("/api/v1/chat/channels/hot/mutes", { method: "POST", json: { user_ids: ["2"] } });
  await a.type("MODERATION");
  calls.length = 0;
  for (let i = 0; i < 5; i++) a.send({ type: "MESG", message: `n${i}`, req_id: `n${i}` });
  await a.next((f) => f.type === "ACK" && f.req_id === "n4");
  expect(calls.filter((c) => c === "getModeration")).toHaveLength(1);
  a.close();
});
