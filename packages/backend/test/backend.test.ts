// @podchat/backend against a real podchat server (apps/server's test harness: 127.0.0.1, a temp
// SQLite file, dev config). Every request the client makes is recorded, and the last tests check
// each one against the server's own /openapi.json.
import { createServer, type Server, type Socket } from "node:net";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  API_KEY,
  connect,
  startServer,
  TestSocket,
  type TestServer,
} from "../../../apps/server/test/harness.ts";
import { createPodchatBackend, PodchatApiError, type PodchatBackend, routes } from "../src/index.ts";

interface Recorded {
  method: string;
  path: string;
  body: unknown;
  status: number;
}

const recorded: Recorded[] = [];
const recordingFetch: typeof fetch = async (input, init) => {
  const url = new URL(String(input));
  const res = await fetch(input, init);
  recorded.push({
    method: init?.method ?? "GET",
    path: url.pathname,
    body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
    status: res.status,
  });
  return res;
};

let t: TestServer;
let podchat: PodchatBackend;

beforeAll(async () => {
  t = await startServer({
    overrides: {
      limits: { messages_per_second: 10_000, message_burst: 10_000 },
      events: { feed: { enabled: true } },
    },
  });
  podchat = createPodchatBackend({
    baseUrl: t.url,
    apiKey: API_KEY,
    admin: { username: "admin", password: "admin" },
    fetch: recordingFetch,
  });
});

afterAll(async () => {
  await t?.close();
});

/** The rejection of `p`, which must be a PodchatApiError. */
async function apiError(p: Promise<unknown>): Promise<PodchatApiError> {
  const e = await p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PodchatApiError);
  return e as PodchatApiError;
}

describe("channels", () => {
  test("the seed's backend call is one line", async () => {
    const name = "파티 채팅방";
    const channel = await podchat.createGroupChannel({
      channelUrl: "pod_123_chat",
      name,
      userIds: ["1", "2", "3"],
      data: { pod_id: 123 },
    });
    expect(channel).toMatchObject({
      channel_url: "pod_123_chat",
      name,
      data: { pod_id: 123 },
      provider: "websocket",
      member_count: 3,
    });
    // The server's own ChatService sees it too.
    expect(await t.server.chat.getChannelMetadata("pod_123_chat")).toMatchObject({ members: [1, 2, 3] });
  });

  test("get, metadata, list, update and delete", async () => {
    await podchat.createGroupChannel({
      channelUrl: "crud_chat",
      name: "crud",
      userIds: ["7"],
      customType: "team",
    });
    expect(await podchat.getChannel("crud_chat")).toMatchObject({
      name: "crud",
      custom_type: "team",
      members: [7],
    });
    expect(await podchat.getChannelMetadata("no_such_chat")).toBeNull();
    const page = await podchat.listChannels({ q: "crud", limit: 10 });
    expect(page.channels.map((c) => c.channel_url)).toEqual(["crud_chat"]);
    expect(page.next_cursor).toBeNull();
    const updated = await podchat.updateChannel("crud_chat", { name: "renamed", data: { pod_id: 9 } });
    expect(updated).toMatchObject({ name: "renamed", data: { pod_id: 9 } });
    await podchat.deleteChannel("crud_chat");
    const e = await apiError(podchat.getChannel("crud_chat"));
    expect(e).toMatchObject({ status: 404, code: "CHANNEL_NOT_FOUND", retryable: false });
  });

  test("a taken channel_url is 409 CHANNEL_EXISTS; a bad one names the field", async () => {
    const exists = await apiError(podchat.createGroupChannel({ channelUrl: "pod_123_chat", userIds: ["1"] }));
    expect(exists).toMatchObject({ status: 409, code: "CHANNEL_EXISTS" });
    const bad = await apiError(podchat.createGroupChannel({ channelUrl: "not a url!", userIds: ["1"] }));
    expect(bad).toMatchObject({
      status: 400,
      code: "VALIDATION_FAILED",
      field: "channel_url",
      retryable: false,
    });
    expect(bad.message).not.toBe("");
  });
});

describe("members", () => {
  test("add, list and remove", async () => {
    await podchat.createGroupChannel({ channelUrl: "members_chat", userIds: ["1"] });
    expect(await podchat.addMembers("members_chat", ["2", 3])).toMatchObject({ member_count: 3 });
    expect(await podchat.listMembers("members_chat")).toEqual([1, 2, 3]);
    expect(await podchat.removeMembers("members_chat", ["2"])).toMatchObject({ member_count: 2 });
    expect(await podchat.listMembers("members_chat")).toEqual([1, 3]);
  });
});

describe("messages", () => {
  test("send as a user reaches the members' sockets; a repeated reqId is stored once", async () => {
    await podchat.createGroupChannel({ channelUrl: "msg_chat", userIds: ["1", "2"] });
    const socket = await connect(t, "msg_chat", "2");
    try {
      const sent = await podchat.sendMessage("msg_chat", {
        userId: "1",
        message: "안녕하세요!",
        reqId: "req-1",
        data: { k: 1 },
      });
      expect(sent.duplicate).toBe(false);
      expect(sent.message).toMatchObject({
        type: "MESG",
        user_id: 1,
        message: "안녕하세요!",
        seq: 1,
        data: { k: 1 },
      });
      const frame = await socket.type("MESG");
      expect(frame).toMatchObject({ seq: 1, user_id: 1, message: "안녕하세요!" });
      const again = await podchat.sendMessage("msg_chat", {
        userId: "1",
        message: "안녕하세요!",
        reqId: "req-1",
      });
      expect(again).toMatchObject({
        duplicate: true,
        message: { seq: 1, message_id: sent.message.message_id },
      });
    } finally {
      socket.close();
    }
  });

  test("admin message, history pages, edit and delete", async () => {
    const admin = await podchat.sendAdminMessage("msg_chat", { message: "notice", customType: "notice" });
    expect(admin.message).toMatchObject({ type: "ADMM", seq: 2, message: "notice" });
    for (let i = 0; i < 3; i++) await podchat.sendMessage("msg_chat", { userId: 2, message: `m${i}` });
    const newest = await podchat.listMessages("msg_chat", { limit: 2 });
    expect(newest.messages.map((m) => m.seq)).toEqual([4, 5]);
    expect(newest.has_more).toBe(true);
    const older = await podchat.listMessages("msg_chat", {
      beforeSeq: newest.prev_before_seq ?? 0,
      limit: 10,
    });
    expect(older.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    const edited = await podchat.editMessage("msg_chat", 3, { message: "m0 (edited)", userId: 2 });
    expect(edited).toMatchObject({ seq: 3, message: "m0 (edited)" });
    expect(edited.edited_at).toBeTruthy();
    await podchat.deleteMessage("msg_chat", 4);
    const log = await podchat.listMessages("msg_chat", { afterSeq: 5, includeChanges: true });
    expect(log.messages.map((m) => m.type)).toEqual(["MESSAGE_UPDATED", "MESSAGE_DELETED"]);
    const notAuthor = await apiError(podchat.editMessage("msg_chat", 5, { message: "x", userId: 1 }));
    expect(notAuthor).toMatchObject({ status: 403, code: "NOT_AUTHOR" });
  });

  test("read state", async () => {
    const state = await podchat.readState("msg_chat");
    expect(state.channel_url).toBe("msg_chat");
    expect(state.members.map((m) => m.user_id).sort()).toEqual([1, 2]);
  });
});

describe("moderation", () => {
  test("operators, bans, mutes and freeze", async () => {
    await podchat.createGroupChannel({ channelUrl: "mod_chat", userIds: ["1", "2", "3"] });
    expect((await podchat.addOperators("mod_chat", ["1"])).operators).toEqual([1]);
    const banned = await podchat.ban("mod_chat", ["2"], 600);
    expect(banned.banned).toEqual([{ user_id: 2, until: expect.any(String) }]);
    const refused = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/mod_chat/test?user_id=2`);
    await refused.opened.catch(() => {});
    expect(await refused.closed()).toBe(4403);
    expect((await podchat.unban("mod_chat", "2")).banned).toEqual([]);
    expect((await podchat.mute("mod_chat", [3])).muted).toEqual([{ user_id: 3, until: null }]);
    const muted = await apiError(podchat.sendMessage("mod_chat", { userId: "3", message: "hi" }));
    expect(muted).toMatchObject({ status: 403, code: "MUTED" });
    expect((await podchat.unmute("mod_chat", 3)).muted).toEqual([]);
    expect((await podchat.setFrozen("mod_chat", true)).frozen).toBe(true);
    const frozen = await apiError(podchat.sendMessage("mod_chat", { userId: "3", message: "hi" }));
    expect(frozen).toMatchObject({ status: 403, code: "FROZEN" });
    expect((await podchat.setFrozen("mod_chat", false)).frozen).toBe(false);
    expect((await podchat.removeOperator("mod_chat", 1)).operators).toEqual([]);
    expect(await podchat.getModeration("mod_chat")).toEqual({
      channel_url: "mod_chat",
      frozen: false,
      operators: [],
      banned: [],
      muted: [],
    });
  });
});

describe("user tokens", () => {
  test("mintUserToken signs in as admin and returns a token the socket accepts", async () => {
    const { token, expires_at } = await podchat.mintUserToken({ userId: "1", ttlS: 120 });
    expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(100_000);
    const s = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/pod_123_chat?token=${encodeURIComponent(token)}`);
    await s.opened;
    expect(await s.type("CONNECTED")).toMatchObject({ channel_url: "pod_123_chat" });
    s.close();
    // The admin session is reused: one login for two tokens.
    const logins = () => recorded.filter((r) => r.path === "/api/v1/admin/login").length;
    const before = logins();
    await podchat.mintUserToken({ userId: "2" });
    expect(logins()).toBe(before);
  });

  test("without an admin credential it says so; the API key alone is refused by the route", async () => {
    const keyOnly = createPodchatBackend({ baseUrl: t.url, apiKey: API_KEY });
    const e = await apiError(keyOnly.mintUserToken({ userId: "1" }));
    expect(e).toMatchObject({ status: 0, code: "ADMIN_CREDENTIALS_REQUIRED", retryable: false });
    // What the server answers an API key on the admin token route (why the client needs `admin`).
    const res = await t.api("/api/v1/admin/tokens", { method: "POST", json: { user_id: "1" } });
    expect(res.status).toBe(403);
    const wrong = createPodchatBackend({
      baseUrl: t.url,
      apiKey: API_KEY,
      admin: { username: "admin", password: "x" },
    });
    expect(await apiError(wrong.mintUserToken({ userId: "1" }))).toMatchObject({
      status: 401,
      code: "UNAUTHORIZED",
    });
  });
});

describe("errors", () => {
  test("a wrong API key is 401 UNAUTHORIZED", async () => {
    const bad = createPodchatBackend({ baseUrl: t.url, apiKey: "wrong" });
    expect(await apiError(bad.listChannels())).toMatchObject({
      status: 401,
      code: "UNAUTHORIZED",
      retryable: false,
    });
  });

  test("no server is a retryable NETWORK_ERROR; a server that never answers is a retryable TIMEOUT", async () => {
    const held = new Set<Socket>();
    const hang: Server = createServer((sock) => {
      held.add(sock);
    });
    await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
    const port = (hang.address() as { port: number }).port;
    try {
      const slow = createPodchatBackend({
        baseUrl: `http://127.0.0.1:${port}`,
        apiKey: API_KEY,
        timeoutMs: 200,
      });
      expect(await apiError(slow.listChannels())).toMatchObject({
        status: 0,
        code: "TIMEOUT",
        retryable: true,
      });
    } finally {
      for (const sock of held) sock.destroy();
      await new Promise<void>((r) => hang.close(() => r()));
    }
    const gone = createPodchatBackend({ baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY });
    expect(await apiError(gone.listChannels())).toMatchObject({
      status: 0,
      code: "NETWORK_ERROR",
      retryable: true,
    });
  });

  test("bad options fail at construction", () => {
    expect(() => createPodchatBackend({ baseUrl: "localhost:8000", apiKey: API_KEY })).toThrow(/baseUrl/);
    expect(() => createPodchatBackend({ baseUrl: t.url, apiKey: "" })).toThrow(/apiKey/);
  });
});

describe("events feed", () => {
  test("list pages the numbered events in order (consume: test/events.test.ts)", async () => {
    const first = await podchat.events.list({ after: 0, limit: 2 });
    expect(first.events.map((e) => e.position)).toEqual([1, 2]);
    expect(first).toMatchObject({ next_after: 2, has_more: true });
    const next = await podchat.events.list({ after: first.next_after, limit: 1 });
    expect(next.events.map((e) => e.position)).toEqual([3]);
  });
});

describe("OpenAPI", () => {
  type Operation = { requestBody?: { content?: Record<string, { schema?: unknown }> } };
  let doc: { paths: Record<string, Record<string, Operation>>; components: unknown };

  beforeAll(async () => {
    const res = await fetch(`${t.url}/openapi.json`);
    expect(res.status).toBe(200);
    doc = await res.json();
  });

  const operation = (method: string, path: string): Operation | undefined =>
    doc.paths[path]?.[method.toLowerCase()];
  const template = (path: string): string | undefined =>
    Object.values(routes).find((r) => new RegExp(`^${r.path.replace(/\{\w+\}/g, "[^/]+")}$`).test(path))
      ?.path;

  test("every route the client calls is in the document with its method", () => {
    const missing = Object.values(routes)
      .map((r) => `${r.method} ${r.path}`)
      .filter((key) => !operation(key.split(" ")[0]!, key.split(" ")[1]!));
    expect(missing).toEqual([]);
  });

  test("every request the tests made used a listed route, and its JSON body validates against the document", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema(doc, "openapi");
    const exercised = new Set<string>();
    let validated = 0;
    for (const r of recorded) {
      const path = template(r.path);
      expect(path, `${r.method} ${r.path} is not in the client's route table`).toBeDefined();
      const key = `${r.method} ${path}`;
      exercised.add(key);
      const op = operation(r.method, path!);
      expect(op, `${key} is not in the document`).toBeDefined();
      const schema = op!.requestBody?.content?.["application/json"]?.schema as { $ref?: string } | undefined;
      if (r.body === undefined) {
        expect(schema === undefined || !op!.requestBody, `${key} sent no body`).toBe(true);
        continue;
      }
      expect(schema?.$ref, `${key} sends a body the document does not describe`).toBeDefined();
      const validate = ajv.getSchema(`openapi${schema!.$ref}`);
      expect(validate, `cannot compile ${schema!.$ref}`).toBeDefined();
      // A body the server refused as invalid (400) must break the document's schema too; every
      // other must fit it.
      const valid = validate!(r.body);
      const why = `${key} ${JSON.stringify(r.body)} (HTTP ${r.status}): ${ajv.errorsText(validate!.errors)}`;
      expect(valid, why).toBe(r.status !== 400);
      validated++;
    }
    // Every route of the client was exercised above, so none escapes this check.
    expect([...exercised].sort()).toEqual(
      Object.values(routes)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
    expect(validated).toBeGreaterThan(10);
  });

  test("the body check rejects a body that breaks the document's schema", () => {
    const ajv = new Ajv({ strict: false });
    ajv.addSchema(doc, "openapi");
    const validate = ajv.getSchema("openapi#/components/schemas/CreateChannelBody")!;
    expect(validate({ channel_url: "ok_chat", user_ids: ["1"] })).toBe(true);
    expect(validate({ channel_url: "not a url!", user_ids: ["1"] })).toBe(false);
    expect(validate({ user_ids: ["1"] })).toBe(false);
  });
});
