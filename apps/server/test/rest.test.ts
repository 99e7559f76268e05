import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, connect, createChannel, startServer, token } from "./harness.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(async () => {
  await t.close();
});

const json = async (res: Response) => ({ status: res.status, body: await res.json() });

describe("channels REST", () => {
  it("creates a group channel the seed's way and reads its metadata", async () => {
    const created = await json(
      await t.api("/api/v1/chat/channels", {
        method: "POST",
        json: {
          channel_url: "pod_123_chat",
          name: "파티 채팅방",
          user_ids: ["1", "2", "3"],
          data: { pod_id: 123 },
        },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      channel_url: "pod_123_chat",
      name: "파티 채팅방",
      data: { pod_id: 123 },
      provider: "websocket",
      member_count: 3,
      members: [1, 2, 3],
      last_seq: 0,
    });
    const meta = await json(await t.api("/api/v1/chat/channels/pod_123_chat"));
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({
      channel_url: "pod_123_chat",
      members: [1, 2, 3],
      last_seq: 0,
      last_message: null,
    });
    expect(Date.parse(meta.body.created_at)).not.toBeNaN();
  });

  it("refuses a duplicate channel_url with 409 and invalid bodies with 400 naming the field", async () => {
    await createChannel(t, "dupe", ["1"]);
    const dup = await json(
      await t.api("/api/v1/chat/channels", { method: "POST", json: { channel_url: "dupe", user_ids: [] } }),
    );
    expect(dup).toMatchObject({ status: 409, body: { error: { code: "CHANNEL_EXISTS" } } });
    const bad = await json(
      await t.api("/api/v1/chat/channels", {
        method: "POST",
        json: { channel_url: "has space", user_ids: [] },
      }),
    );
    expect(bad).toMatchObject({
      status: 400,
      body: { error: { code: "VALIDATION_FAILED", field: "channel_url" } },
    });
    const badIds = await json(
      await t.api("/api/v1/chat/channels", { method: "POST", json: { channel_url: "ok", user_ids: [{}] } }),
    );
    expect(badIds.body.error.field).toBe("user_ids.0");
    const notJson = await json(
      await t.api("/api/v1/chat/channels", {
        method: "POST",
        body: "{",
        headers: { "Content-Type": "application/json" },
      }),
    );
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: "VALIDATION_FAILED" } } });
    const huge = await t.api("/api/v1/chat/channels", {
      method: "POST",
      json: { channel_url: "big", user_ids: [], data: { x: "a".repeat(300_000) } },
    });
    expect(huge.status).toBe(413);
    expect((await t.api("/api/v1/chat/channels/ok")).status).toBe(404);
  });

  it("lists channels with cursor paging and search", async () => {
    for (const u of ["list_a", "list_b", "list_c"]) await createChannel(t, u, ["1"]);
    const p1 = await json(await t.api("/api/v1/chat/channels?q=list_&limit=2"));
    expect(p1.body.channels.map((c: { channel_url: string }) => c.channel_url)).toEqual(["list_a", "list_b"]);
    const p2 = await json(await t.api(`/api/v1/chat/channels?q=list_&limit=2&cursor=${p1.body.next_cursor}`));
    expect(p2.body.channels.map((c: { channel_url: string }) => c.channel_url)).toEqual(["list_c"]);
    expect(p2.body.next_cursor).toBeNull();
    expect((await t.api("/api/v1/chat/channels?limit=0")).status).toBe(400);
  });

  it("updates, manages members and deletes", async () => {
    await createChannel(t, "manage", ["1"]);
    const up = await json(
      await t.api("/api/v1/chat/channels/manage", {
        method: "PUT",
        json: { name: "Renamed", data: { a: 1 } },
      }),
    );
    expect(up.body).toMatchObject({ name: "Renamed", data: { a: 1 } });
    const added = await json(
      await t.api("/api/v1/chat/channels/manage/members", { method: "POST", json: { user_ids: ["2", 3] } }),
    );
    expect(added.body.members).toEqual([1, 2, 3]);
    const removed = await json(await t.api("/api/v1/chat/channels/manage/members/2", { method: "DELETE" }));
    expect(removed.body.members).toEqual([1, 3]);
    expect((await json(await t.api("/api/v1/chat/channels/manage/members"))).body.members).toEqual([1, 3]);
    const del = await t.api("/api/v1/chat/channels/manage", { method: "DELETE" });
    expect(del.status).toBe(204);
    expect((await t.api("/api/v1/chat/channels/manage")).status).toBe(404);
    expect((await t.api("/api/v1/chat/channels/manage", { method: "DELETE" })).status).toBe(404);
  });

  it("sends an admin message that members receive live, and a server-side message for a member", async () => {
    await createChannel(t, "admin_msg", ["1", "2"]);
    const s = await connect(t, "admin_msg", "1");
    const sent = await json(
      await t.api("/api/v1/chat/channels/admin_msg/messages", {
        method: "POST",
        json: { message: "Welcome!" },
      }),
    );
    expect(sent).toMatchObject({ status: 201, body: { type: "ADMM", message: "Welcome!", seq: 1 } });
    expect(await s.type("ADMM")).toMatchObject({ message: "Welcome!", seq: 1 });
    const asMember = await json(
      await t.api("/api/v1/chat/channels/admin_msg/messages", {
        method: "POST",
        json: { user_id: 2, message: "from backend", req_id: "b1" },
      }),
    );
    expect(asMember.body).toMatchObject({ type: "MESG", user_id: 2, seq: 2 });
    const again = await json(
      await t.api("/api/v1/chat/channels/admin_msg/messages", {
        method: "POST",
        json: { user_id: 2, message: "from backend", req_id: "b1" },
      }),
    );
    expect(again).toMatchObject({ status: 200, body: { seq: 2, message_id: asMember.body.message_id } });
    const outsider = await json(
      await t.api("/api/v1/chat/channels/admin_msg/messages", {
        method: "POST",
        json: { user_id: 9, message: "x" },
      }),
    );
    expect(outsider).toMatchObject({ status: 403, body: { error: { code: "NOT_MEMBER" } } });
    s.close();
  });

  it("pages history by seq in both directions", async () => {
    await createChannel(t, "hist", ["1"]);
    for (let i = 1; i <= 12; i++) {
      await t.api("/api/v1/chat/channels/hist/messages", {
        method: "POST",
        json: { user_id: "1", message: `m${i}` },
      });
    }
    const newest = (await json(await t.api("/api/v1/chat/channels/hist/messages?limit=5"))).body;
    expect(newest.messages.map((m: { seq: number }) => m.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(newest).toMatchObject({ has_more: true, prev_before_seq: 8 });
    const older = (
      await json(
        await t.api(`/api/v1/chat/channels/hist/messages?limit=5&before_seq=${newest.prev_before_seq}`),
      )
    ).body;
    expect(older.messages.map((m: { seq: number }) => m.seq)).toEqual([3, 4, 5, 6, 7]);
    const oldest = (await json(await t.api("/api/v1/chat/channels/hist/messages?limit=5&before_seq=3"))).body;
    expect(oldest).toMatchObject({ has_more: false, prev_before_seq: null });
    expect(oldest.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2]);
    const forward = (await json(await t.api("/api/v1/chat/channels/hist/messages?limit=5&after_seq=9"))).body;
    expect(forward.messages.map((m: { seq: number }) => m.seq)).toEqual([10, 11, 12]);
    expect(forward).toMatchObject({ has_more: false, next_after_seq: 12 });
    expect((await t.api("/api/v1/chat/channels/hist/messages?limit=5&after_seq=1&before_seq=4")).status).toBe(
      400,
    );
    expect((await t.api("/api/v1/chat/channels/hist/messages?limit=abc")).status).toBe(400);
  });
});

describe("REST auth", () => {
  it("refuses missing and wrong API keys", async () => {
    const none = await json(await t.api("/api/v1/chat/channels", { noKey: true }));
    expect(none).toMatchObject({ status: 401, body: { error: { code: "UNAUTHORIZED" } } });
    const wrong = await t.api("/api/v1/chat/channels", {
      noKey: true,
      headers: { "X-Api-Key": "not-the-key" },
    });
    expect(wrong.status).toBe(401);
    const badBearer = await t.api("/api/v1/chat/channels", {
      noKey: true,
      headers: { Authorization: "Bearer x.y.z" },
    });
    expect(badBearer.status).toBe(401);
  });

  it("lets a member token read its channel and send as itself, nothing more", async () => {
    await createChannel(t, "member_only", ["1", "2"]);
    const one = await token("1");
    const outsider = await token("7");
    expect((await t.api("/api/v1/chat/channels/member_only/messages", { token: one })).status).toBe(200);
    expect((await t.api("/api/v1/chat/channels/member_only/messages", { token: outsider })).status).toBe(403);
    expect((await t.api("/api/v1/chat/channels", { token: one })).status).toBe(403);
    expect((await t.api("/api/v1/chat/channels/member_only", { method: "DELETE", token: one })).status).toBe(
      403,
    );
    const own = await json(
      await t.api("/api/v1/chat/channels/member_only/messages", {
        method: "POST",
        token: one,
        json: { message: "mine" },
      }),
    );
    expect(own.body).toMatchObject({ user_id: 1, message: "mine" });
    const spoof = await t.api("/api/v1/chat/channels/member_only/messages", {
      method: "POST",
      token: one,
      json: { user_id: 2, message: "x" },
    });
    expect(spoof.status).toBe(403);
    const transport = await json(await t.api("/api/v1/chat/channels/member_only/transport", { token: one }));
    expect(transport.body).toEqual({
      channel_url: "member_only",
      provider: "websocket",
      websocket: { url: `${t.wsUrl}/api/v1/chat/ws/member_only` },
    });
  });
});

describe("service endpoints", () => {
  it("serves health, readiness, metrics and an OpenAPI document made from the schemas", async () => {
    expect(await (await t.api("/healthz")).json()).toEqual({ status: "ok" });
    expect((await t.api("/readyz")).status).toBe(200);
    const metrics = await (await t.api("/metrics")).text();
    expect(metrics).toMatch(/podchat_connections/);
    expect(metrics).toMatch(/podchat_messages_in_total/);
    const doc = await (await t.api("/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/api/v1/chat/channels/{channel_url}/messages");
    expect(doc.components.schemas.CreateChannelBody.properties.channel_url.pattern).toBe("^[A-Za-z0-9_.-]+$");
    expect(doc.components.schemas.CreateChannelBody.required).toContain("user_ids");
    const notFound = await json(await t.api("/nope"));
    expect(notFound).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } });
  });
});
