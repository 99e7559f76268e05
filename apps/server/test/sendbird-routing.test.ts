import { type SendbirdEmulator, startSendbirdEmulator } from "@podchat/sendbird-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type TestServer, TestSocket, connect, startServer, token } from "./harness.ts";

let emulator: SendbirdEmulator;
let t: TestServer;

async function start(env: Record<string, string> = {}) {
  return startServer({
    env,
    overrides: { sendbird: { app_id: "local", api_token: "emulator-token", base_url: emulator.url } },
  });
}

async function adminToken(s: TestServer) {
  const res = await s.api("/api/v1/admin/login", {
    method: "POST",
    json: { username: "admin", password: "admin" },
    noKey: true,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

beforeEach(async () => {
  emulator = await startSendbirdEmulator({ apiToken: "emulator-token" });
  t = await start();
});
afterEach(async () => {
  await t.close();
  await emulator.close();
});

describe("ChatService routing by the flag", () => {
  it("creates on Sendbird while the flag says so, records where the channel lives, and routes to it", async () => {
    const admin = await adminToken(t);
    const flip = await t.api("/api/v1/admin/flags/dev", {
      method: "PUT",
      token: admin,
      json: { use_websocket: false },
    });
    expect(flip.status).toBe(200);
    expect(await flip.json()).toMatchObject({ env: "dev", use_websocket: false, source: "runtime" });

    const chat = t.server.chat;
    const created = await chat.createGroupChannel({
      channelUrl: "pod_123_chat",
      name: "파티 채팅방",
      userIds: ["1", "2", "3"],
      data: { pod_id: 123 },
    });
    expect(created.provider).toBe("sendbird");
    expect(emulator.state.channels.get("pod_123_chat")?.members).toEqual(["1", "2", "3"]);
    expect((await t.server.store.getChannel("pod_123_chat"))?.provider).toBe("sendbird");

    await chat.sendMessage("pod_123_chat", { userId: 1, message: "안녕하세요!" });
    expect(emulator.state.messages.get("pod_123_chat")?.map((m) => m.message)).toEqual(["안녕하세요!"]);
    expect((await chat.listMessages("pod_123_chat")).messages.map((m) => m.message)).toEqual(["안녕하세요!"]);
    expect(await chat.isMember("pod_123_chat", "2")).toBe(true);
    expect(await chat.isMember("pod_123_chat", "9")).toBe(false);

    // Discovery tells a member's app to use Sendbird; the socket endpoint refuses with 4409.
    const transport = await (
      await t.api("/api/v1/chat/channels/pod_123_chat/transport", { token: await token("1") })
    ).json();
    expect(transport).toEqual({
      channel_url: "pod_123_chat",
      provider: "sendbird",
      sendbird: { app_id: "local" },
    });
    const s = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/pod_123_chat?token=${await token("1")}`);
    expect((await s.type("ERROR")).code).toBe("WRONG_PROVIDER");
    expect(await s.closed()).toBe(4409);

    await chat.deleteChannel("pod_123_chat");
    expect(emulator.state.channels.has("pod_123_chat")).toBe(false);
    expect(await t.server.store.getChannel("pod_123_chat")).toBeNull();
  });

  it("sees a flag change on the running server without a restart", async () => {
    const admin = await adminToken(t);
    const chat = t.server.chat;
    expect((await chat.createGroupChannel({ channelUrl: "before_flip", userIds: ["1"] })).provider).toBe(
      "websocket",
    );
    await t.api("/api/v1/admin/flags/dev", { method: "PUT", token: admin, json: { use_websocket: false } });
    expect((await chat.createGroupChannel({ channelUrl: "after_flip", userIds: ["1"] })).provider).toBe(
      "sendbird",
    );
    await t.api("/api/v1/admin/flags/overrides/pinned_room", {
      method: "PUT",
      token: admin,
      json: { provider: "websocket" },
    });
    expect((await chat.createGroupChannel({ channelUrl: "pinned_room", userIds: ["1"] })).provider).toBe(
      "websocket",
    );
    // Existing channels stay where they live.
    expect((await chat.getChannelMetadata("before_flip"))?.provider).toBe("websocket");

    const audit = await (await t.api("/api/v1/admin/flags/audit?env=dev", { token: admin })).json();
    expect(
      audit.entries.map((e: { key: string; new_value: unknown; actor: string }) => [
        e.key,
        e.new_value,
        e.actor,
      ]),
    ).toEqual([
      ["override:pinned_room", "websocket", "admin:admin"],
      ["use_websocket", false, "admin:admin"],
    ]);
  });

  it("leaves nothing behind when Sendbird refuses the create, and reports its error", async () => {
    const admin = await adminToken(t);
    await t.api("/api/v1/admin/flags/dev", { method: "PUT", token: admin, json: { use_websocket: false } });
    emulator.faults.failNext(3, 500);
    const res = await t.api("/api/v1/chat/channels", {
      method: "POST",
      json: { channel_url: "doomed_room", user_ids: ["1"] },
    });
    const body = await res.json();
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(body.error).toMatchObject({ code: "PROVIDER_ERROR", retryable: true });
    expect(await t.server.store.getChannel("doomed_room")).toBeNull();
    emulator.faults.failNext(5, 429, undefined, { retryAfterMs: 100 });
    const limited = await t.api("/api/v1/chat/channels", {
      method: "POST",
      json: { channel_url: "limited_room", user_ids: ["1"] },
    });
    expect(limited.status).toBe(429);
    expect((await limited.json()).error).toMatchObject({ code: "PROVIDER_ERROR", retryable: true });
    expect(await t.server.store.getChannel("limited_room")).toBeNull();
    emulator.faults.reset();
    const ok = await t.api("/api/v1/chat/channels", {
      method: "POST",
      json: { channel_url: "doomed_room", user_ids: ["1"] },
    });
    expect(ok.status).toBe(201);
  });
});

describe("migration from Sendbird to WebSocket", () => {
  function seedSendbird(url: string, members: string[], count: number) {
    const t0 = Date.parse("2023-03-01T09:00:00.000Z");
    emulator.state.channels.set(url, {
      channel_url: url,
      name: "Legacy room",
      cover_url: "",
      custom_type: "",
      data: JSON.stringify({ pod_id: 7 }),
      created_at: Math.floor(t0 / 1000),
      members,
      is_distinct: false,
      is_public: false,
      freeze: false,
      operators: [],
      bans: new Map(),
      mutes: new Map(),
      readReceipts: new Map(),
    });
    for (const m of members)
      emulator.state.users.set(m, { user_id: m, nickname: m, profile_url: "", created_at: 0 });
    const msgs = Array.from({ length: count }, (_, i) => ({
      message_id: emulator.state.nextMessageId++,
      type: "MESG" as const,
      channel_url: url,
      user_id: members[i % members.length]!,
      message: `legacy ${i + 1}`,
      custom_type: "",
      data: "",
      created_at: t0 + i * 1000,
      updated_at: 0,
    }));
    emulator.state.messages.set(url, msgs);
    return msgs;
  }

  it("copies members and several thousand messages in order with their timestamps, resumes after an interruption, and switches", async () => {
    const admin = await adminToken(t);
    const seeded = seedSendbird("legacy_room", ["1", "2"], 3000);
    // Interrupt the migration part-way: once a few history pages were read, Sendbird fails past
    // the client's retries.
    let injected = false;
    const migrator = t.server.migrator;
    const interval = setInterval(() => {
      const pagesRead = emulator.state.requests.filter((r) => r.path.endsWith("/messages")).length;
      if (pagesRead >= 4 && !injected) {
        injected = true;
        emulator.faults.failNext(5, 500);
      }
    }, 1);
    const first = await migrator.migrate("legacy_room", "admin:test");
    clearInterval(interval);
    expect(first.state).toBe("failed");
    expect(first.copied_messages).toBeGreaterThan(0);
    expect(first.copied_messages).toBeLessThan(3000);
    expect((await t.server.store.getChannel("legacy_room"))?.provider).toBe("sendbird");

    emulator.faults.reset();
    const res = await t.api("/api/v1/admin/channels/legacy_room/migrate", { method: "POST", token: admin });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string };
    let done: { state: string; copied_messages: number } = { state: "running", copied_messages: 0 };
    for (let i = 0; i < 300 && done.state === "running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      done = await (await t.api(`/api/v1/admin/migrations/${job.id}`, { token: admin })).json();
    }
    expect(done.state).toBe("done");
    expect(first.copied_messages + done.copied_messages).toBe(3000);

    const channel = await t.server.store.getChannel("legacy_room");
    expect(channel).toMatchObject({
      provider: "websocket",
      last_seq: 3000,
      member_count: 2,
      data: { pod_id: 7 },
    });
    const all = await t.server.store.listMessages("legacy_room", { afterSeq: 0, limit: 5000 });
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(all.map((m) => m.message)).toEqual(seeded.map((m) => m.message));
    expect(all.map((m) => m.created_at)).toEqual(seeded.map((m) => new Date(m.created_at).toISOString()));

    // Running it again stores nothing twice.
    const again = await migrator.migrate("legacy_room", "admin:test");
    expect(again).toMatchObject({ state: "done", copied_messages: 0 });
    expect((await t.server.store.getChannel("legacy_room"))?.last_seq).toBe(3000);

    // Now served over WebSocket: a member resumes from seq 2995 and chats.
    const s = await connect(t, "legacy_room", "1", 2995);
    expect((await s.waitMessages(5)).map((m) => m.message)).toEqual(seeded.slice(2995).map((m) => m.message));
    s.send({ type: "MESG", message: "first on podchat" });
    expect((await s.next((f) => f.message === "first on podchat")).seq).toBe(3001);
    s.close();
  });

  it("migrates every Sendbird channel matching a filter in bulk", async () => {
    const admin = await adminToken(t);
    seedSendbird("bulk_one", ["1"], 5);
    seedSendbird("bulk_two", ["2"], 3);
    const res = await t.api("/api/v1/admin/migrations", {
      method: "POST",
      token: admin,
      json: { q: "Legacy" },
    });
    expect(res.status).toBe(202);
    const { jobs } = (await res.json()) as { jobs: Array<{ id: string; channel_url: string }> };
    expect(jobs.map((j) => j.channel_url).sort()).toEqual(["bulk_one", "bulk_two"]);
    for (const j of jobs) {
      let state = "running";
      for (let i = 0; i < 200 && state === "running"; i++) {
        await new Promise((r) => setTimeout(r, 25));
        state = (
          (await (await t.api(`/api/v1/admin/migrations/${j.id}`, { token: admin })).json()) as {
            state: string;
          }
        ).state;
      }
      expect(state).toBe("done");
    }
    expect((await t.server.store.getChannel("bulk_one"))?.last_seq).toBe(5);
    expect((await t.server.store.getChannel("bulk_two"))?.provider).toBe("websocket");
  });
});
