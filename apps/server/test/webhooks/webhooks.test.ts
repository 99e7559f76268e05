import { randomBytes } from "node:crypto";
import {
  WEBHOOK_EVENT_TYPES,
  type WebhookDelivery,
  WebhookEvent,
  type WebhookEndpointView,
} from "@podchat/protocol";
import Database from "better-sqlite3";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { verifyWebhook } from "../../src/webhooks/signature.ts";
import { until } from "../hardening/support.ts";
import {
  type StartOptions,
  type TestServer,
  connect,
  createChannel,
  startServer,
  token,
} from "../harness.ts";
import { findPostgres, warnSkipped } from "../services.ts";
import { Receiver, SECRET, webhookOverrides } from "./receiver.ts";

const pg = await findPostgres();
if ("skip" in pg) warnSkipped("webhooks on PostgreSQL", pg.skip);

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

async function receiver(): Promise<Receiver> {
  const r = await new Receiver(SECRET).start();
  running.push(r);
  return r;
}

type Driver = "sqlite" | "postgres";

async function server(driver: Driver, overrides: Record<string, unknown>, opts: StartOptions = {}) {
  const store: Record<string, unknown> = {};
  if (driver === "postgres") {
    if (!("url" in pg)) throw new Error("no PostgreSQL");
    const schema = `podchat_wh_${randomBytes(5).toString("hex")}`;
    schemas.push(schema);
    store.store = { driver: "postgres", postgres: { url: pg.url, schema, max_connections: 5 } };
  }
  const t = await startServer({ ...opts, overrides: { ...store, ...overrides, ...opts.overrides } });
  running.push(t);
  return t;
}

async function adminToken(t: TestServer): Promise<string> {
  const res = await t.api("/api/v1/admin/login", {
    method: "POST",
    json: { username: "admin", password: "admin" },
    noKey: true,
  });
  return ((await res.json()) as { token: string }).token;
}

async function ok(res: Response | Promise<Response>, status = 200) {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${await r.text()}`);
  return r.status === 204 ? null : ((await r.json()) as Record<string, unknown>);
}

const drivers: Driver[] = ["url" in pg ? "postgres" : null, "sqlite"].filter(Boolean) as Driver[];

describe.each(drivers)("webhooks (%s)", (driver) => {
  it("delivers every event type, signed and verifiable, with the documented envelope", async () => {
    const rx = await receiver();
    const t = await server(driver, webhookOverrides(rx.url));
    const url = "wh_all";
    const base = `/api/v1/chat/channels/${url}`;
    await createChannel(t, url, ["1", "2"], { custom_type: "pod", data: { pod_id: 123 } });
    await ok(t.api(base, { method: "PATCH", json: { name: "renamed" } }));
    await ok(t.api(`${base}/members`, { method: "POST", json: { user_ids: ["3", "4"] } }));
    const sent = await ok(
      t.api(`${base}/messages`, { method: "POST", json: { user_id: "1", message: "hi" } }),
      201,
    );
    await ok(
      t.api(`${base}/messages/${sent!.seq}`, { method: "PATCH", json: { message: "hi!", user_id: "1" } }),
    );
    await ok(t.api(`${base}/pins/${sent!.seq}`, { method: "POST" }), 201);
    await ok(t.api(`${base}/pins/${sent!.seq}`, { method: "DELETE" }), 204);
    const second = await ok(
      t.api(`${base}/messages`, { method: "POST", json: { user_id: "2", message: "bye" } }),
      201,
    );
    await ok(t.api(`${base}/messages/${second!.seq}`, { method: "DELETE" }), 204);
    await ok(t.api(`${base}/read`, { method: "POST", json: { seq: 3 }, token: await token("2") }));
    await ok(t.api(`${base}/operators`, { method: "POST", json: { user_ids: ["2"] } }));
    await ok(t.api(`${base}/operators/2`, { method: "DELETE" }));
    await ok(t.api(`${base}/bans`, { method: "POST", json: { user_ids: ["4"], seconds: 600 } }));
    await ok(t.api(`${base}/bans/4`, { method: "DELETE" }));
    await ok(t.api(`${base}/mutes`, { method: "POST", json: { user_ids: ["3"] } }));
    await ok(t.api(`${base}/mutes/3`, { method: "DELETE" }));
    await ok(t.api(`${base}/freeze`, { method: "PUT", json: { frozen: true } }));
    await ok(t.api(`${base}/freeze`, { method: "PUT", json: { frozen: false } }));
    await ok(t.api(`${base}/members/4`, { method: "DELETE" }));
    await ok(t.api(base, { method: "DELETE" }), 204);

    await until(() => rx.events().length >= WEBHOOK_EVENT_TYPES.length + 1, 10_000, "every event");
    const got = rx.events();
    // In the order of the changes (one channel: per-channel order).
    expect(got.map((r) => r.event.type)).toEqual([
      "channel.created",
      "channel.updated",
      "member.added",
      "message.sent",
      "message.updated",
      "message.pinned",
      "message.unpinned",
      "message.sent",
      "message.deleted",
      "read.updated",
      "moderation.operators_added",
      "moderation.operators_removed",
      "moderation.banned",
      "moderation.unbanned",
      "moderation.muted",
      "moderation.unmuted",
      "moderation.frozen",
      "moderation.unfrozen",
      "member.removed",
      "channel.deleted",
    ]);
    expect(new Set(got.map((r) => r.event.type))).toEqual(new Set(WEBHOOK_EVENT_TYPES));
    for (const r of got) {
      expect(r.verified, `${r.event.type} signature`).toBe(true);
      expect(verifyWebhook(SECRET, r, r.body)).toBe(true);
      expect(verifyWebhook("another-secret-0123456789", r, r.body)).toBe(false);
      expect(r.contentType).toBe("application/json");
      expect(r.id).toBe(r.event.id);
      expect(r.event.environment).toBe("dev");
      expect(r.event.channel_url).toBe(url);
      const parsed = WebhookEvent.safeParse(r.event);
      expect(parsed.success, `${r.event.type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
    expect(new Set(got.map((r) => r.id)).size).toBe(got.length);
    // biome-ignore lint/suspicious/noExplicitAny: payload fields are checked by the assertions below
    const by = (type: string) => got.find((r) => r.event.type === type)!.event.data as Record<string, any>;
    expect(by("channel.created").channel).toMatchObject({
      channel_url: url,
      custom_type: "pod",
      data: { pod_id: 123 },
    });
    expect(by("channel.created").user_ids).toEqual([1, 2]);
    expect(by("channel.updated")).toMatchObject({ channel: { name: "renamed" }, changed: ["name"] });
    expect(by("member.added")).toEqual({ user_ids: [3, 4], member_count: 4 });
    expect(by("message.sent").message).toMatchObject({ type: "MESG", user_id: 1, message: "hi", seq: 1 });
    expect(by("message.updated")).toMatchObject({ message: { seq: 1, message: "hi!" }, user_id: 1 });
    expect(by("message.deleted")).toMatchObject({
      message: { seq: 3, deleted: true, message: "" },
      user_id: null,
    });
    expect(by("read.updated")).toMatchObject({ user_id: 2, last_read_seq: 3 });
    expect(by("moderation.banned").user_ids).toEqual([4]);
    expect(typeof by("moderation.banned").until).toBe("string");
    expect(by("moderation.muted")).toEqual({ user_ids: [3], until: null });
    expect(by("member.removed")).toEqual({ user_ids: [4], member_count: 3 });
    expect(by("channel.deleted").channel).toMatchObject({ channel_url: url, name: "renamed" });
  }, 30_000);

  it("retries a failing receiver with the same id and body until it answers 2xx (at least once)", async () => {
    const rx = await receiver();
    rx.behaviour = (_r, nth) => (nth <= 3 ? 503 : 200);
    const t = await server(driver, webhookOverrides(rx.url, { events: ["message.sent"] }));
    await createChannel(t, "wh_retry", ["1"]);
    await ok(
      t.api("/api/v1/chat/channels/wh_retry/messages", {
        method: "POST",
        json: { user_id: "1", message: "x" },
      }),
      201,
    );
    await until(() => rx.requests.length >= 4, 10_000, "4 attempts");
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.requests).toHaveLength(4);
    expect(new Set(rx.requests.map((r) => r.id)).size).toBe(1);
    expect(new Set(rx.requests.map((r) => r.body)).size).toBe(1);
    expect(rx.requests.every((r) => r.verified)).toBe(true);
    const admin = await adminToken(t);
    const list = await ok(t.api("/api/v1/admin/webhooks/deliveries", { token: admin }));
    expect(list!.deliveries).toMatchObject([
      { state: "delivered", attempts: 4, last_status: 200, type: "message.sent" },
    ]);
  }, 20_000);

  it("turns a dead receiver's event into a dead letter after the cap; the admin redelivers it", async () => {
    const rx = await receiver();
    rx.behaviour = () => 500;
    const t = await server(driver, webhookOverrides(rx.url, { max_attempts: 3, events: ["message.*"] }));
    await createChannel(t, "wh_dead", ["1"]);
    await ok(
      t.api("/api/v1/chat/channels/wh_dead/messages", {
        method: "POST",
        json: { user_id: "1", message: "lost?" },
      }),
      201,
    );
    const admin = await adminToken(t);
    const dead = async () =>
      (await ok(t.api("/api/v1/admin/webhooks/dead-letters", { token: admin })))!
        .deliveries as WebhookDelivery[];
    await until(async () => (await dead()).length === 1, 10_000, "a dead letter");
    expect(rx.requests).toHaveLength(3);
    const [letter] = await dead();
    expect(letter).toMatchObject({
      endpoint_id: "backend",
      state: "dead",
      attempts: 3,
      last_status: 500,
      type: "message.sent",
    });
    expect(letter!.last_error).toContain("HTTP 500");

    const endpoints = (await ok(t.api("/api/v1/admin/webhooks/endpoints", { token: admin })))!
      .endpoints as WebhookEndpointView[];
    expect(endpoints).toEqual([
      expect.objectContaining({
        id: "backend",
        url: rx.url,
        active: true,
        dead: 1,
        pending: 0,
        events: ["message.*"],
      }),
    ]);
    expect(JSON.stringify(endpoints)).not.toContain(SECRET);
    // Admin only.
    expect((await t.api("/api/v1/admin/webhooks/dead-letters", { noKey: true })).status).toBe(401);
    expect((await t.api("/api/v1/admin/webhooks/dead-letters")).status).toBe(403);
    expect(
      (await t.api("/api/v1/admin/webhooks/dead-letters/abc/redeliver", { method: "POST", token: admin }))
        .status,
    ).toBe(400);
    expect(
      (await t.api("/api/v1/admin/webhooks/dead-letters/999999/redeliver", { method: "POST", token: admin }))
        .status,
    ).toBe(404);
    expect(
      (await t.api("/api/v1/admin/webhooks/endpoints/nope/redeliver", { method: "POST", token: admin }))
        .status,
    ).toBe(404);

    rx.behaviour = () => 200;
    const again = await ok(
      t.api(`/api/v1/admin/webhooks/dead-letters/${letter!.id}/redeliver`, { method: "POST", token: admin }),
    );
    expect(again).toMatchObject({ state: "pending", attempts: 0 });
    await until(() => rx.requests.length === 4, 10_000, "the redelivery");
    expect(rx.requests[3]!.id).toBe(rx.requests[0]!.id);
    expect(rx.requests[3]!.verified).toBe(true);
    await until(
      async () =>
        (await ok(t.api(`/api/v1/admin/webhooks/deliveries/${letter!.id}`, { token: admin })))!.state ===
        "delivered",
    );
    expect(await dead()).toEqual([]);
    // Redelivering a delivered one is refused.
    expect(
      (
        await t.api(`/api/v1/admin/webhooks/dead-letters/${letter!.id}/redeliver`, {
          method: "POST",
          token: admin,
        })
      ).status,
    ).toBe(409);

    // 410 Gone: the endpoint says stop — dead at once; then "redeliver all" of the endpoint.
    rx.behaviour = () => 410;
    await ok(
      t.api("/api/v1/chat/channels/wh_dead/messages", {
        method: "POST",
        json: { user_id: "1", message: "a" },
      }),
      201,
    );
    await until(async () => (await dead()).length === 1, 10_000, "410 dead letter");
    expect(rx.requests).toHaveLength(5);
    rx.behaviour = () => 200;
    expect(
      await ok(t.api("/api/v1/admin/webhooks/endpoints/backend/redeliver", { method: "POST", token: admin })),
    ).toEqual({ redelivered: 1 });
    await until(() => rx.requests.length === 6, 10_000, "redeliver all");
    expect(rx.requests[5]!.id).toBe(rx.requests[4]!.id);
  }, 30_000);

  it("keeps acknowledging sends while the receiver hangs; delivers once it answers", async () => {
    const rx = await receiver();
    rx.behaviour = () => "hang";
    const t = await server(
      driver,
      webhookOverrides(rx.url, { timeout_ms: 60_000, events: ["message.sent"] }),
      {
        overrides: { limits: { messages_per_second: 100000, message_burst: 100000 } },
      },
    );
    await createChannel(t, "wh_hang_a", ["1"]);
    await createChannel(t, "wh_hang_b", ["1"]);
    await ok(
      t.api("/api/v1/chat/channels/wh_hang_a/messages", {
        method: "POST",
        json: { user_id: "1", message: "first" },
      }),
      201,
    );
    await until(() => rx.requests.length >= 1, 10_000, "a hanging request");
    const s = await connect(t, "wh_hang_b", "1");
    const acks = new Set<string>();
    s.ws.on("message", (d) => {
      const f = JSON.parse(d.toString()) as { type: string; req_id?: string };
      if (f.type === "ACK" && f.req_id) acks.add(f.req_id);
    });
    for (let i = 0; i < 100; i++) s.send({ type: "MESG", message: `m${i}`, req_id: `r${i}` });
    await until(() => acks.size === 100, 10_000, "100 ACKs");
    // Every send was acknowledged while the receiver still held its requests unanswered.
    expect(rx.hangingCount).toBeGreaterThan(0);
    expect(rx.events("message.sent").length).toBeLessThan(101);
    s.close();
    rx.behaviour = () => 200;
    rx.releaseHanging(200);
    await until(() => rx.events("message.sent").length === 101, 20_000, "everything after the hang");
  }, 40_000);

  it("sends at once after a local change, not at the next poll", async () => {
    const rx = await receiver();
    const t = await server(driver, webhookOverrides(rx.url, { poll_ms: 600_000, events: ["message.sent"] }));
    await createChannel(t, "wh_wake", ["1"]);
    await ok(
      t.api("/api/v1/chat/channels/wh_wake/messages", {
        method: "POST",
        json: { user_id: "1", message: "now" },
      }),
      201,
    );
    // Far sooner than the 10-minute poll: the commit woke the dispatcher.
    await until(() => rx.events().length === 1, 10_000, "the event");
  });

  it("delivers one channel's events in order, the next only after the previous is delivered", async () => {
    const rx = await receiver();
    // Every third request fails once: retries must not let a later event overtake.
    const failed = new Set<string>();
    rx.behaviour = (r, nth) => {
      if (nth % 3 === 0 && !failed.has(r.id)) {
        failed.add(r.id);
        return 503;
      }
      return 200;
    };
    const t = await server(
      driver,
      webhookOverrides(rx.url, { events: ["message.sent"], per_endpoint_concurrency: 8 }),
      {
        overrides: { limits: { messages_per_second: 100000, message_burst: 100000 } },
      },
    );
    await createChannel(t, "wh_order_a", ["1"]);
    await createChannel(t, "wh_order_b", ["1"]);
    const a = await connect(t, "wh_order_a", "1");
    const b = await connect(t, "wh_order_b", "1");
    for (let i = 0; i < 30; i++) {
      a.send({ type: "MESG", message: `a${i}`, req_id: `a${i}` });
      b.send({ type: "MESG", message: `b${i}`, req_id: `b${i}` });
    }
    await until(() => rx.events().length === 60, 20_000, "60 events");
    await until(() => rx.requests.length === 60 + failed.size, 5000, "retries settled");
    for (const ch of ["wh_order_a", "wh_order_b"]) {
      const attempts = rx.requests.filter((r) => r.event.channel_url === ch);
      const seqs = attempts.map((r) => (r.event.data.message as { seq: number }).seq);
      // Each attempt of a channel is for the same or the next seq: never ahead of an undelivered one.
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]! - seqs[i - 1]!).toBeGreaterThanOrEqual(0);
      expect([...new Set(seqs)]).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }
    a.close();
    b.close();
  }, 40_000);
});

describe("webhooks cost nothing where no endpoint wants the change", () => {
  const outboxRows = (dbPath: string) => {
    const db = new Database(dbPath, { readonly: true });
    try {
      return db.prepare("SELECT type, endpoint_id FROM webhook_outbox").all() as Array<{ type: string }>;
    } finally {
      db.close();
    }
  };

  async function activity(t: TestServer) {
    await createChannel(t, "wh_quiet", ["1", "2"]);
    await ok(
      t.api("/api/v1/chat/channels/wh_quiet/messages", {
        method: "POST",
        json: { user_id: "1", message: "x" },
      }),
      201,
    );
    await ok(t.api("/api/v1/chat/channels/wh_quiet/members", { method: "POST", json: { user_ids: ["3"] } }));
    await ok(
      t.api("/api/v1/chat/channels/wh_quiet/read", {
        method: "POST",
        json: { seq: 1 },
        token: await token("2"),
      }),
    );
    await t.server.store.flush();
  }

  it("writes no outbox row without endpoints, for an endpoint of another environment, or for unsubscribed types", async () => {
    const none = await server("sqlite", {});
    await activity(none);
    expect(outboxRows(none.dbPath)).toEqual([]);

    const prodOnly = await server("sqlite", {
      webhooks: {
        endpoints: [{ id: "prod", url: "https://example.invalid/h", secret: SECRET, environments: ["prod"] }],
      },
    });
    await activity(prodOnly);
    expect(outboxRows(prodOnly.dbPath)).toEqual([]);
    const admin = await adminToken(prodOnly);
    const eps = (await ok(prodOnly.api("/api/v1/admin/webhooks/endpoints", { token: admin })))!.endpoints;
    expect(eps).toMatchObject([{ id: "prod", active: false, environments: ["prod"], secret: "whse…cdef" }]);

    const rx = await receiver();
    const onlyMembers = await server("sqlite", webhookOverrides(rx.url, { events: ["member.added"] }));
    await activity(onlyMembers);
    expect(outboxRows(onlyMembers.dbPath).map((r) => r.type)).toEqual(["member.added"]);
  }, 30_000);
});
