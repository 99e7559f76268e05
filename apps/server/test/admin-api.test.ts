import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, connect, createChannel, startServer, token } from "./harness.ts";

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

/** Reads server-sent events until `n` events named `event` arrived (bounded). */
async function readEvents(path: string, event: string, n: number, onOpen?: () => Promise<void>) {
  const controller = new AbortController();
  const res = await fetch(t.url + path, { signal: controller.signal });
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const out: unknown[] = [];
  let buf = "";
  let opened = false;
  const deadline = Date.now() + 10_000;
  while (out.length < n && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i = buf.indexOf("\n\n");
    while (i >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const name = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!opened && onOpen) {
        opened = true;
        await onOpen();
      }
      if (name === event && data) out.push(JSON.parse(data));
      i = buf.indexOf("\n\n");
    }
  }
  controller.abort();
  return out;
}

describe("admin sign-in and access", () => {
  it("issues an admin token for the configured credential only", async () => {
    const bad = await t.api("/api/v1/admin/login", {
      method: "POST",
      json: { username: "admin", password: "nope" },
      noKey: true,
    });
    expect(bad.status).toBe(401);
    expect((await bad.json()).error.code).toBe("UNAUTHORIZED");
    const invalid = await t.api("/api/v1/admin/login", {
      method: "POST",
      json: { username: "" },
      noKey: true,
    });
    expect(invalid.status).toBe(400);
  });

  it("refuses every admin API to anonymous callers, members and API-key backends", async () => {
    const member = await token("1");
    for (const [method, path] of [
      ["GET", "/api/v1/admin/overview"],
      ["GET", "/api/v1/admin/channels"],
      ["GET", "/api/v1/admin/flags"],
      ["PUT", "/api/v1/admin/flags/dev"],
      ["GET", "/api/v1/admin/flags/audit"],
      ["POST", "/api/v1/admin/tokens"],
      ["POST", "/api/v1/admin/channels/x/migrate"],
      ["GET", "/api/v1/admin/stream"],
    ] as const) {
      expect((await t.api(path, { method, noKey: true })).status, `${method} ${path} anonymous`).toBe(401);
      expect((await t.api(path, { method, token: member })).status, `${method} ${path} member`).toBe(403);
      expect((await t.api(path, { method })).status, `${method} ${path} api key`).toBe(403);
    }
    expect((await t.api("/api/v1/admin/stream?access_token=garbage", { noKey: true })).status).toBe(401);
  });
});

describe("admin data", () => {
  it("shows the overview with this instance and totals, also live over SSE", async () => {
    await createChannel(t, "ov_room", ["1"]);
    const s = await connect(t, "ov_room", "1");
    const ov = await (await t.api("/api/v1/admin/overview", { token: admin })).json();
    expect(ov.instances).toHaveLength(1);
    expect(ov.instances[0]).toMatchObject({ env: "dev", connections: 1, channels: 1 });
    expect(ov.totals).toMatchObject({ connections: 1, active_channels: 1 });
    expect(ov.totals.channels.websocket).toBeGreaterThanOrEqual(1);
    const events = await readEvents(`/api/v1/admin/stream?access_token=${admin}`, "overview", 2);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ totals: { connections: 1 } });
    s.close();
  });

  it("lists channels with online counts and shows a channel with members, online marks and the tail", async () => {
    await createChannel(t, "detail_room", ["1", "2"]);
    const s = await connect(t, "detail_room", "2");
    s.send({ type: "MESG", message: "tail me", req_id: "t1" });
    await s.type("ACK");
    const list = await (await t.api("/api/v1/admin/channels?q=detail_", { token: admin })).json();
    expect(list.channels).toEqual([
      expect.objectContaining({
        channel_url: "detail_room",
        provider: "websocket",
        member_count: 2,
        online_count: 1,
        last_seq: 1,
      }),
    ]);
    expect(list.channels[0].last_message.message).toBe("tail me");
    const detail = await (await t.api("/api/v1/admin/channels/detail_room", { token: admin })).json();
    expect(detail.members).toEqual([
      { user_id: 1, online: false },
      { user_id: 2, online: true },
    ]);
    expect(detail.tail.map((m: { message: string }) => m.message)).toEqual(["tail me"]);
    expect((await t.api("/api/v1/admin/channels/missing_room", { token: admin })).status).toBe(404);
    s.close();
  });

  it("streams a channel's messages and presence live", async () => {
    await createChannel(t, "live_room", ["1"]);
    const events = await readEvents(
      `/api/v1/admin/channels/live_room/stream?access_token=${admin}`,
      "message",
      2,
      async () => {
        await t.api("/api/v1/chat/channels/live_room/messages", { method: "POST", json: { message: "one" } });
        await t.api("/api/v1/chat/channels/live_room/messages", { method: "POST", json: { message: "two" } });
      },
    );
    expect(events.map((e) => (e as { message: string }).message)).toEqual(["one", "two"]);
  });

  it("describes flags per environment with the live traffic, and refuses invalid changes", async () => {
    const flags = await (await t.api("/api/v1/admin/flags", { token: admin })).json();
    expect(flags.environments.map((e: { env: string }) => e.env)).toEqual(["dev", "stg", "prod"]);
    expect(flags.environments[0]).toMatchObject({
      env: "dev",
      current: true,
      source: "yaml",
      pinned: false,
      use_websocket: true,
    });
    expect(flags.traffic.websocket.channels).toBeGreaterThan(0);
    expect(flags.traffic.sendbird.connections).toBeNull();
    const bad = await t.api("/api/v1/admin/flags/dev", {
      method: "PUT",
      token: admin,
      json: { rollout_percent: 140 },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.field).toBe("rollout_percent");
    expect((await t.api("/api/v1/admin/flags/qa", { method: "PUT", token: admin, json: {} })).status).toBe(
      400,
    );
    const rollout = await (
      await t.api("/api/v1/admin/flags/prod", { method: "PUT", token: admin, json: { rollout_percent: 25 } })
    ).json();
    expect(rollout).toMatchObject({ env: "prod", rollout_percent: 25, updated_by: "admin:admin" });
  });

  it("refuses to toggle a flag pinned by USE_WEBSOCKET_CHAT", async () => {
    const pinned = await startServer({ env: { USE_WEBSOCKET_CHAT: "false" } });
    try {
      const login = await pinned.api("/api/v1/admin/login", {
        method: "POST",
        json: { username: "admin", password: "admin" },
        noKey: true,
      });
      const tok = ((await login.json()) as { token: string }).token;
      const res = await pinned.api("/api/v1/admin/flags/dev", {
        method: "PUT",
        token: tok,
        json: { use_websocket: true },
      });
      expect(res.status).toBe(409);
      expect((await res.json()).error.code).toBe("FLAG_PINNED");
      const flags = await (await pinned.api("/api/v1/admin/flags", { token: tok })).json();
      expect(flags.environments[0]).toMatchObject({
        env: "dev",
        pinned: true,
        source: "env",
        use_websocket: false,
      });
    } finally {
      await pinned.close();
    }
  });

  it("mints a user token that opens a member socket", async () => {
    await createChannel(t, "play_room", ["42"]);
    const res = await t.api("/api/v1/admin/tokens", {
      method: "POST",
      token: admin,
      json: { user_id: "42", ttl_s: 60 },
    });
    expect(res.status).toBe(201);
    const { token: userToken } = (await res.json()) as { token: string };
    const hist = await t.api("/api/v1/chat/channels/play_room/messages", { token: userToken });
    expect(hist.status).toBe(200);
    expect((await t.api("/api/v1/chat/channels", { token: userToken })).status).toBe(403);
  });
});
