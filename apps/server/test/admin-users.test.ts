import { AdminUserView } from "@podchat/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, type TestSocket, connect, createChannel, startServer, token } from "./harness.ts";
import { subscribe, userSocket } from "./inbox/support.ts";

let t: TestServer;
let admin: string;
beforeAll(async () => {
  t = await startServer();
  const res = await t.api("/api/v1/admin/login", {
    method: "POST",
    json: { username: "admin", password: "admin" },
    noKey: true,
  });
  admin = ((await res.json()) as { token: string }).token;
});
afterAll(async () => {
  await t.close();
});

/** The admin's view of a user, checked against the protocol schema. */
async function view(userId: string, qs = ""): Promise<AdminUserView> {
  const res = await t.api(`/api/v1/admin/users/${encodeURIComponent(userId)}${qs}`, { token: admin });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  const parsed = AdminUserView.safeParse(body);
  expect(parsed.success, JSON.stringify(parsed.error)).toBe(true);
  return parsed.data!;
}

async function send(channelUrl: string, userId: string, message: string) {
  const res = await t.api(`/api/v1/chat/channels/${channelUrl}/messages`, {
    method: "POST",
    json: { user_id: userId, message },
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** Polls the view until `done` holds (a closed socket leaves the hub when the server sees the close). */
async function viewUntil(userId: string, done: (v: AdminUserView) => boolean): Promise<AdminUserView> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await view(userId);
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("GET /api/v1/admin/users/{user_id}", () => {
  it("lists the user's channels with unread counts and both kinds of live socket", async () => {
    await createChannel(t, "uv_alpha", ["alice", "bob"], { name: "Alpha room" });
    await createChannel(t, "uv_beta", ["alice", "bob"]);
    await createChannel(t, "uv_other", ["bob"]);
    const sockets: TestSocket[] = [];
    const perChannel = await connect(t, "uv_alpha", "alice");
    sockets.push(perChannel);
    const user = await userSocket(t, "alice");
    sockets.push(user.s);
    expect((await subscribe(user.s, "uv_beta")).type).toBe("SUBSCRIBED");

    const before = await view("alice");
    expect(before.user_id).toBe("alice");
    expect(before.channels.map((c) => c.channel_url).sort()).toEqual(["uv_alpha", "uv_beta"]);
    expect(before.total_unread).toBe(0);
    expect(before.next_cursor).toBeNull();
    expect(before.node_id).toBeTruthy();
    expect(before.sockets).toHaveLength(2);
    const [first, second] = before.sockets;
    expect(first).toMatchObject({ kind: "channel", channel_urls: ["uv_alpha"], watching: 0 });
    expect(second).toMatchObject({
      kind: "user",
      connection_id: user.ready.connection_id,
      channel_urls: ["uv_beta"],
      watching: 2,
    });
    for (const s of before.sockets) {
      expect(s.remote_address).toBe("127.0.0.1");
      expect(Date.parse(s.connected_at)).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(first!.connection_id).not.toBe(second!.connection_id);

    // bob writes 3 in alpha and 1 in beta; alice's own message counts for nobody's unread of hers.
    for (const m of ["a1", "a2", "a3"]) await send("uv_alpha", "bob", m);
    await send("uv_beta", "bob", "b1");
    await send("uv_beta", "alice", "b2 from alice");
    const after = await view("alice");
    const byUrl = new Map(after.channels.map((c) => [c.channel_url, c]));
    expect(byUrl.get("uv_alpha")).toMatchObject({
      name: "Alpha room",
      provider: "websocket",
      unread_count: 3,
      last_message: expect.objectContaining({ message: "a3", seq: 3 }),
    });
    expect(byUrl.get("uv_beta")).toMatchObject({
      unread_count: 1,
      last_message: expect.objectContaining({ message: "b2 from alice" }),
    });
    expect(after.total_unread).toBe(4);
    // Newest activity first: beta had the last message.
    expect(after.channels.map((c) => c.channel_url)).toEqual(["uv_beta", "uv_alpha"]);
    expect(Date.parse(after.channels[0]!.last_activity_at)).toBeGreaterThanOrEqual(
      Date.parse(after.channels[1]!.last_activity_at),
    );

    // A read mark lowers the counts the admin sees.
    const read = await t.api("/api/v1/chat/channels/uv_alpha/read", {
      method: "POST",
      token: await token("alice"),
      json: { seq: 2 },
    });
    expect(read.status, await read.clone().text()).toBeLessThan(300);
    const marked = await view("alice");
    expect(marked.channels.find((c) => c.channel_url === "uv_alpha")?.unread_count).toBe(1);
    expect(marked.total_unread).toBe(2);

    // bob's view is his own: three channels, no sockets.
    const bob = await view("bob");
    expect(bob.channels).toHaveLength(3);
    expect(bob.sockets).toEqual([]);

    perChannel.close();
    const oneLeft = await viewUntil("alice", (v) => v.sockets.length === 1);
    expect(oneLeft.sockets.map((s) => s.kind)).toEqual(["user"]);
    user.s.close();
    expect((await viewUntil("alice", (v) => v.sockets.length === 0)).sockets).toEqual([]);
  });

  it("pages the channels like the inbox: same order and cursors, total on every page", async () => {
    for (let i = 0; i < 5; i++) {
      await createChannel(t, `uv_page_${i}`, ["pager", "bob"]);
      await send(`uv_page_${i}`, "bob", `m${i}`);
    }
    const seen: string[] = [];
    const inboxSeen: string[] = [];
    let cursor: string | null = null;
    let inboxCursor: string | null = null;
    const sizes: number[] = [];
    do {
      const qs: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page: AdminUserView = await view("pager", qs);
      expect(page.total_unread).toBe(5);
      sizes.push(page.channels.length);
      seen.push(...page.channels.map((c) => c.channel_url));
      cursor = page.next_cursor;

      const iqs: string = `?limit=2${inboxCursor ? `&cursor=${encodeURIComponent(inboxCursor)}` : ""}`;
      const inbox = await (await t.api(`/api/v1/chat/users/pager/channels${iqs}`)).json();
      inboxSeen.push(...inbox.channels.map((c: { channel_url: string }) => c.channel_url));
      inboxCursor = inbox.next_cursor;
    } while (cursor !== null && sizes.length < 10);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(["uv_page_4", "uv_page_3", "uv_page_2", "uv_page_1", "uv_page_0"]);
    expect(seen).toEqual(inboxSeen);
  });

  it("shows an empty view for a user podchat does not know", async () => {
    const v = await view("nobody_here");
    expect(v).toMatchObject({
      user_id: "nobody_here",
      channels: [],
      next_cursor: null,
      total_unread: 0,
      sockets: [],
    });
    // Numeric ids keep the seed's JSON type.
    expect((await view("4242")).user_id).toBe(4242);
  });

  it("refuses bad user ids, cursors and limits with VALIDATION_FAILED", async () => {
    for (const [path, field] of [
      [`/api/v1/admin/users/${"x".repeat(65)}`, "user_id"],
      ["/api/v1/admin/users/bad%01id", "user_id"],
      ["/api/v1/admin/users/tab%09id", "user_id"],
      ["/api/v1/admin/users/alice?limit=0", "limit"],
      ["/api/v1/admin/users/alice?limit=101", "limit"],
      ["/api/v1/admin/users/alice?cursor=not-a-cursor", undefined],
    ] as const) {
      const res = await t.api(path, { token: admin });
      const body = await res.json();
      expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(400);
      expect(body.error.code, path).toBe("VALIDATION_FAILED");
      if (field) expect(body.error.field, path).toBe(field);
    }
  });

  it("is for admins only", async () => {
    const path = "/api/v1/admin/users/alice";
    expect((await t.api(path, { noKey: true })).status).toBe(401);
    expect((await t.api(path, { token: await token("alice") })).status).toBe(403);
    expect((await t.api(path)).status).toBe(403);
  });
});
