// GET /api/v1/admin/audit (filters, newest first, cursor pages), /audit/export (JSON lines), and
// the retention prune, on a real server with SQLite.
import type { AuditLogEntry, AuditLogPage } from "@podchat/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { token } from "../harness.ts";
import { type AuditServer, startAuditServer } from "./support.ts";

let t: AuditServer;
let admin: string;
const C = "/api/v1/chat/channels";

beforeAll(async () => {
  t = await startAuditServer();
  admin = await t.adminToken();
  // 1 sign-in, then per channel: create, 3 bans on one user each, a delete of room_b.
  for (const url of ["room_a", "room_b"]) {
    expect(
      (await t.key(C, { method: "POST", json: { channel_url: url, name: url, user_ids: ["1", "2", "3"] } }))
        .status,
    ).toBe(201);
  }
  for (const u of ["1", "2", "3"]) {
    expect((await t.key(`${C}/room_a/bans`, { method: "POST", json: { user_ids: [u] } })).status).toBe(200);
  }
  expect((await t.api(`${C}/room_b`, { method: "DELETE", token: admin })).status).toBe(204);
});
afterAll(async () => {
  await t?.close();
});

async function list(
  qs: string,
  as = admin,
): Promise<{ status: number; body: AuditLogPage & { error?: { code: string; field?: string } } }> {
  const res = await t.api(`/api/v1/admin/audit${qs}`, { token: as });
  return { status: res.status, body: (await res.json()) as AuditLogPage };
}

describe("GET /api/v1/admin/audit", () => {
  it("lists every entry newest first", async () => {
    const { status, body } = await list("");
    expect(status).toBe(200);
    expect(body.entries.map((e) => e.action)).toEqual([
      "channel.delete",
      "moderation.ban",
      "moderation.ban",
      "moderation.ban",
      "channel.create",
      "channel.create",
      "admin.login",
    ]);
    expect(body.next_cursor).toBeNull();
    const ids = body.entries.map((e) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it("filters by action (exact and prefix), actor, channel, user and time", async () => {
    const actions = async (qs: string) => (await list(qs)).body.entries.map((e) => e.action);
    expect(await actions("?action=channel.create")).toEqual(["channel.create", "channel.create"]);
    expect(await actions("?action=channel.*")).toEqual([
      "channel.delete",
      "channel.create",
      "channel.create",
    ]);
    expect(await actions("?actor=admin")).toEqual(["channel.delete", "admin.login"]);
    expect(await actions("?channel_url=room_b")).toEqual(["channel.delete", "channel.create"]);
    const byUser = (await list("?user_id=2")).body.entries;
    expect(byUser.map((e) => [e.action, e.target])).toEqual([
      ["moderation.ban", { channel_url: "room_a", user_id: "2" }],
    ]);
    const all = (await list("")).body.entries;
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect(await actions(`?since=${encodeURIComponent(future)}`)).toEqual([]);
    expect(await actions(`?until=${encodeURIComponent(all.at(-1)!.at)}`)).toEqual([]);
    // `since` without milliseconds still compares as a time.
    const since = new Date(Date.parse(all.at(-1)!.at) - 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    expect((await actions(`?since=${since}`)).length).toBe(all.length);
    expect(await actions("?action=channel.create&channel_url=room_a")).toEqual(["channel.create"]);
  });

  it("pages back with next_cursor, each entry once", async () => {
    const seen: AuditLogEntry[] = [];
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const { body } = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(body.entries.length).toBeLessThanOrEqual(3);
      seen.push(...body.entries);
      cursor = body.next_cursor;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.map((e) => e.id)).toEqual((await list("")).body.entries.map((e) => e.id));
  });

  it("refuses bad filters with a 400 naming the field, and non-admins", async () => {
    const bad = await list("?since=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "VALIDATION_FAILED", field: "since" });
    expect((await list("?limit=lots")).status).toBe(400);
    expect((await list("", await token("1"))).status).toBe(403);
    expect((await t.key("/api/v1/admin/audit")).status).toBe(403);
    expect((await fetch(`${t.url}/api/v1/admin/audit`)).status).toBe(401);
  });
});

describe("GET /api/v1/admin/audit/export", () => {
  it("streams the filtered entries as JSON lines, newest first", async () => {
    const res = await t.api("/api/v1/admin/audit/export?action=moderation.ban", { token: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get("content-disposition")).toMatch(/attachment/);
    const text = await res.text();
    expect(text.endsWith("\n")).toBe(true);
    const lines = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditLogEntry);
    expect(lines).toEqual((await list("?action=moderation.ban")).body.entries);
    expect(lines).toHaveLength(3);
  });

  it("exports more than one store page and takes ?access_token= for a download link", async () => {
    for (let i = 0; i < 3; i++)
      await t.server.store.appendAudit({
        id: `0000000000000000bulk${i}`,
        at: "2020-01-01T00:00:00.000Z",
        actor_kind: "admin",
        actor_id: "seed",
        action: "seed.entry",
        channel_url: null,
        user_id: null,
        request_id: "r",
        node_id: "n",
        ip: null,
      });
    const res = await fetch(`${t.url}/api/v1/admin/audit/export?access_token=${admin}&actor=seed`);
    expect(res.status).toBe(200);
    expect(
      (await res.text())
        .trimEnd()
        .split("\n")
        .map((l) => (JSON.parse(l) as AuditLogEntry).id),
    ).toEqual(["0000000000000000bulk2", "0000000000000000bulk1", "0000000000000000bulk0"]);
    expect((await fetch(`${t.url}/api/v1/admin/audit/export`)).status).toBe(401);
  });
});

describe("retention", () => {
  it("prunes entries older than audit.retention_days, and keeps everything with 0", async () => {
    // The seeded 2020 entries are past the 90-day default.
    expect(await t.server.audit.prune()).toBe(3);
    expect((await list("?actor=seed")).body.entries).toEqual([]);
    const keep = await startAuditServer({ overrides: { audit: { retention_days: 0 } } });
    try {
      await keep.server.store.appendAudit({
        id: "0000000000000000old",
        at: "2001-01-01T00:00:00.000Z",
        actor_kind: "admin",
        actor_id: "seed",
        action: "seed.entry",
        channel_url: null,
        user_id: null,
        request_id: "r",
        node_id: "n",
        ip: null,
      });
      expect(await keep.server.audit.prune()).toBe(0);
      expect(await keep.server.store.listAudit({ limit: 10, actor_id: "seed" })).toHaveLength(1);
    } finally {
      await keep.close();
    }
  });
});
