// The events feed beside webhooks on a real server (SQLite and PostgreSQL): the doorbell and the
// truth carry the same events (same id, same body), and the feed also has what no endpoint wants.
import { randomBytes } from "node:crypto";
import type { EventsPage } from "@podchat/protocol";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../hardening/support.ts";
import { createChannel, startServer } from "../harness.ts";
import { findPostgres, warnSkipped } from "../services.ts";
import { Receiver, SECRET, webhookOverrides } from "./receiver.ts";

const pg = await findPostgres();
if ("skip" in pg) warnSkipped("events feed on PostgreSQL", pg.skip);
const drivers = ["sqlite", ...("url" in pg ? ["postgres"] : [])];

const running: Array<{ close(): Promise<void> }> = [];
const schemas: string[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.close();
  if ("url" in pg && schemas.length > 0) {
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    for (const s of schemas.splice(0)) await sql.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await sql.end({ timeout: 5 });
  }
});

describe.each(drivers)("events feed with webhooks (%s)", (driver) => {
  it("numbers the same events the webhooks send, with the same id and body, plus those no endpoint wants", async () => {
    const rx = await new Receiver(SECRET).start();
    running.push(rx);
    const store: Record<string, unknown> = {};
    if (driver === "postgres" && "url" in pg) {
      const schema = `podchat_feedwh_${randomBytes(5).toString("hex")}`;
      schemas.push(schema);
      store.store = { driver: "postgres", postgres: { url: pg.url, schema, max_connections: 5 } };
    }
    const hooks = webhookOverrides(rx.url, { events: ["message.sent"] }) as {
      webhooks: Record<string, unknown>;
    };
    const t = await startServer({ overrides: { ...store, ...hooks, events: { feed: { enabled: true } } } });
    running.push(t);
    await createChannel(t, "feed_wh", ["1", "2"]);
    for (const m of ["a", "b", "c"]) {
      const res = await t.api("/api/v1/chat/channels/feed_wh/messages", {
        method: "POST",
        json: { user_id: "1", message: m },
      });
      expect(res.status).toBe(201);
    }
    await until(() => rx.events().length === 3, 10_000, "three webhooks");
    const page = (await (await t.api("/api/v1/events?after=0")).json()) as EventsPage;
    expect(page.events.map((e) => [e.position, e.type])).toEqual([
      [1, "channel.created"],
      [2, "message.sent"],
      [3, "message.sent"],
      [4, "message.sent"],
    ]);
    const sent = page.events.slice(1).map(({ position: _, ...event }) => event);
    expect(sent).toEqual(rx.events().map((r) => r.event));
  });
});
