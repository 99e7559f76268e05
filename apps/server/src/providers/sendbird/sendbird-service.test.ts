import { afterEach, beforeEach, describe, expect, it } from "vitest";
// The emulator is a workspace package; imported by path until the server lists it as a devDependency.
import { startSendbirdEmulator } from "@podchat/sendbird-emulator";
import type { SendbirdEmulator } from "@podchat/sendbird-emulator";
import { SendbirdApiError } from "./sendbird-api-error.ts";
import { createSendbirdService } from "./sendbird-service.ts";
import type { SendbirdService, SendbirdServiceOptions } from "./sendbird-service.ts";

const token = "test-token";
let emulator: SendbirdEmulator;
let sendbird: SendbirdService;

function client(options: Partial<SendbirdServiceOptions> = {}): SendbirdService {
  return createSendbirdService({
    appId: "local",
    apiToken: token,
    baseUrl: emulator.url,
    timeoutMs: 2_000,
    backoff: { baseMs: 5, maxMs: 20 },
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<SendbirdApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendbirdApiError);
  return error as SendbirdApiError;
}

beforeEach(async () => {
  emulator = await startSendbirdEmulator({ port: 0, apiToken: token });
  sendbird = client();
});

afterEach(async () => {
  await emulator.close();
});

describe("SendbirdService configuration", () => {
  it("targets https://api-{app_id}.sendbird.com/v3 unless given a base url", () => {
    expect(createSendbirdService({ appId: "ABC-123", apiToken: "t" }).baseUrl).toBe(
      "https://api-ABC-123.sendbird.com/v3",
    );
    expect(
      createSendbirdService({ appId: "x", apiToken: "t", baseUrl: "http://127.0.0.1:1/v3/" }).baseUrl,
    ).toBe("http://127.0.0.1:1/v3");
  });

  it("sends the Api-Token header; a wrong token is Sendbird's 400401, not retried", async () => {
    const error = await failure(client({ apiToken: "wrong" }).getUser("1"));
    expect(error).toMatchObject({ status: 401, code: 400401, retryable: false, kind: "api", attempts: 1 });
    expect(emulator.state.requests).toHaveLength(1);
  });
});

describe("users", () => {
  it("creates and gets a user", async () => {
    const created = await sendbird.createUser({
      user_id: "1",
      nickname: "one",
      profile_url: "https://x/1.png",
    });
    expect(created).toMatchObject({ user_id: "1", nickname: "one", profile_url: "https://x/1.png" });
    expect(await sendbird.getUser("1")).toMatchObject({ user_id: "1", nickname: "one" });
  });

  it("maps Sendbird's error body: unknown user is 400201, a duplicate is 400202", async () => {
    const missing = await failure(sendbird.getUser("nobody"));
    expect(missing).toMatchObject({ status: 400, code: 400201, retryable: false });
    expect(missing.message).toContain("not found");
    expect(missing.cause).toMatchObject({ error: true, code: 400201 });

    await sendbird.createUser({ user_id: "1", nickname: "one" });
    const dup = await failure(sendbird.createUser({ user_id: "1", nickname: "again" }));
    expect(dup).toMatchObject({ status: 400, code: 400202, retryable: false });
  });

  it("ensureUsers creates only the missing users, once each", async () => {
    await sendbird.createUser({ user_id: "1", nickname: "kept" });
    const created = await sendbird.ensureUsers(["1", "2", "2", "3"]);
    expect(created.sort()).toEqual(["2", "3"]);
    expect([...emulator.state.users.keys()].sort()).toEqual(["1", "2", "3"]);
    expect(emulator.state.users.get("1")?.nickname).toBe("kept");
    expect(emulator.state.users.get("2")?.nickname).toBe("2");
  });

  it("encodes user ids in paths", async () => {
    await sendbird.createUser({ user_id: "a/b c", nickname: "odd" });
    expect((await sendbird.getUser("a/b c")).user_id).toBe("a/b c");
  });
});

describe("group channels", () => {
  beforeEach(async () => {
    await sendbird.ensureUsers(["1", "2", "3"]);
  });

  it("creates a channel with data JSON-encoded into Sendbird's string field", async () => {
    const channel = await sendbird.createGroupChannel({
      channel_url: "pod_123_chat",
      name: "Pod 123",
      user_ids: ["1", "2", "3"],
      data: { pod_id: 123 },
      custom_type: "pod",
    });
    expect(channel).toMatchObject({
      channel_url: "pod_123_chat",
      name: "Pod 123",
      data: '{"pod_id":123}',
      custom_type: "pod",
      member_count: 3,
    });
    expect(channel.members?.map((m) => m.user_id)).toEqual(["1", "2", "3"]);
    expect(emulator.state.channels.get("pod_123_chat")?.data).toBe('{"pod_id":123}');
  });

  it("fails with 400201 for unknown users and 400202 for a taken channel_url", async () => {
    const unknown = await failure(
      sendbird.createGroupChannel({ channel_url: "pod_1_chat", user_ids: ["1", "99"] }),
    );
    expect(unknown.code).toBe(400201);
    await sendbird.createGroupChannel({ channel_url: "pod_1_chat", user_ids: ["1"] });
    const taken = await failure(sendbird.createGroupChannel({ channel_url: "pod_1_chat", user_ids: ["2"] }));
    expect(taken).toMatchObject({ code: 400202, attempts: 1 });
  });

  it("does not retry a 400 validation error", async () => {
    const before = emulator.state.requests.length;
    const error = await failure(sendbird.createGroupChannel({ channel_url: "has space", user_ids: ["1"] }));
    expect(error).toMatchObject({ status: 400, code: 400111, retryable: false, attempts: 1 });
    expect(emulator.state.requests.length - before).toBe(1);
  });

  it("gets a channel with or without members; unknown is 400201", async () => {
    await sendbird.createGroupChannel({ channel_url: "pod_2_chat", user_ids: ["1", "2"] });
    expect((await sendbird.getGroupChannel("pod_2_chat")).members?.map((m) => m.user_id)).toEqual(["1", "2"]);
    expect((await sendbird.getGroupChannel("pod_2_chat", { showMember: false })).members).toBeUndefined();
    expect((await failure(sendbird.getGroupChannel("pod_nope"))).code).toBe(400201);
  });

  it("lists channels page by page with token/limit/next", async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      await sendbird.createGroupChannel({
        channel_url: `room_${n}`,
        name: n % 2 ? "Odd room" : "Even",
        user_ids: ["1"],
      });
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await sendbird.listGroupChannels({ token, limit: 2 });
      expect(page.channels.length).toBeLessThanOrEqual(2);
      seen.push(...page.channels.map((c) => c.channel_url));
      token = page.next || undefined;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(["room_1", "room_2", "room_3", "room_4", "room_5"]);

    const odd = await sendbird.listGroupChannels({ nameContains: "odd" });
    expect(odd.channels.map((c) => c.channel_url)).toEqual(["room_1", "room_3", "room_5"]);
    expect(odd.next).toBe("");
  });

  it("updates and deletes a channel", async () => {
    await sendbird.createGroupChannel({ channel_url: "pod_3_chat", name: "old", user_ids: ["1"] });
    const updated = await sendbird.updateGroupChannel("pod_3_chat", { name: "new", data: { pod_id: 3 } });
    expect(updated).toMatchObject({ name: "new", data: '{"pod_id":3}' });
    await sendbird.deleteGroupChannel("pod_3_chat");
    expect(emulator.state.channels.has("pod_3_chat")).toBe(false);
    expect((await failure(sendbird.deleteGroupChannel("pod_3_chat"))).code).toBe(400201);
  });
});

describe("members", () => {
  beforeEach(async () => {
    await sendbird.ensureUsers(["1", "2", "3", "4"]);
    await sendbird.createGroupChannel({ channel_url: "pod_5_chat", user_ids: ["1"] });
  });

  it("invites, lists page by page, and makes members leave", async () => {
    const invited = await sendbird.inviteMembers("pod_5_chat", ["2", "3", "4"]);
    expect(invited.members?.map((m) => m.user_id)).toEqual(["1", "2", "3", "4"]);

    const first = await sendbird.listMembers("pod_5_chat", { limit: 3 });
    expect(first.members.map((m) => m.user_id)).toEqual(["1", "2", "3"]);
    const second = await sendbird.listMembers("pod_5_chat", { limit: 3, token: first.next });
    expect(second.members.map((m) => m.user_id)).toEqual(["4"]);
    expect(second.next).toBe("");

    await sendbird.removeMembers("pod_5_chat", ["2", "4"]);
    expect(emulator.state.channels.get("pod_5_chat")?.members).toEqual(["1", "3"]);
  });

  it("inviting an unknown user is 400201", async () => {
    expect((await failure(sendbird.inviteMembers("pod_5_chat", ["ghost"]))).code).toBe(400201);
  });
});

describe("messages", () => {
  beforeEach(async () => {
    await sendbird.ensureUsers(["1", "2"]);
    await sendbird.createGroupChannel({ channel_url: "pod_7_chat", user_ids: ["1", "2"] });
  });

  it("sends MESG from a member and ADMM without a sender", async () => {
    const text = await sendbird.sendMessage("pod_7_chat", {
      message_type: "MESG",
      user_id: "1",
      message: "안녕하세요!",
      custom_type: "greeting",
      data: { lang: "ko" },
    });
    expect(text).toMatchObject({
      type: "MESG",
      message: "안녕하세요!",
      custom_type: "greeting",
      data: '{"lang":"ko"}',
      channel_url: "pod_7_chat",
      user: { user_id: "1" },
    });
    const admin = await sendbird.sendMessage("pod_7_chat", { message_type: "ADMM", message: "notice" });
    expect(admin.type).toBe("ADMM");
    expect(admin.user).toBeUndefined();
    expect(admin.message_id).toBeGreaterThan(text.message_id);
  });

  it("lists messages around a message_id or a message_ts", async () => {
    const ids: number[] = [];
    for (let i = 1; i <= 6; i++) {
      ids.push(
        (await sendbird.sendMessage("pod_7_chat", { message_type: "MESG", user_id: "1", message: `m${i}` }))
          .message_id,
      );
    }
    const [, , third] = ids;
    const around = await sendbird.listMessages("pod_7_chat", {
      message_id: third!,
      prev_limit: 1,
      next_limit: 2,
      include: false,
    });
    expect(around.map((m) => m.message)).toEqual(["m2", "m4", "m5"]);

    const withAnchor = await sendbird.listMessages("pod_7_chat", {
      message_id: third!,
      prev_limit: 0,
      next_limit: 1,
      include: true,
      reverse: true,
    });
    expect(withAnchor.map((m) => m.message)).toEqual(["m4", "m3"]);

    const newest = await sendbird.listMessages("pod_7_chat", {
      message_ts: Date.now() + 60_000,
      prev_limit: 4,
      next_limit: 0,
    });
    expect(newest.map((m) => m.message)).toEqual(["m3", "m4", "m5", "m6"]);
  });

  it("a non-member cannot send a text message", async () => {
    await sendbird.ensureUsers(["9"]);
    const error = await failure(
      sendbird.sendMessage("pod_7_chat", { message_type: "MESG", user_id: "9", message: "x" }),
    );
    expect(error).toMatchObject({ status: 400, code: 400108 });
  });
});

describe("file messages, edits and deletes", () => {
  beforeEach(async () => {
    await sendbird.ensureUsers(["1", "2"]);
    await sendbird.createGroupChannel({ channel_url: "pod_8_chat", user_ids: ["1", "2"] });
  });

  it("sends a FILE message by URL with name, size, type and thumbnails", async () => {
    const file = await sendbird.sendMessage("pod_8_chat", {
      message_type: "FILE",
      user_id: "1",
      url: "http://127.0.0.1/f/a.png",
      file_name: "a.png",
      file_size: 12,
      file_type: "image/png",
      thumbnails: ["http://127.0.0.1/f/a_t.png"],
      data: { k: 1 },
    });
    expect(file).toMatchObject({
      type: "FILE",
      user: { user_id: "1" },
      data: '{"k":1}',
      file: { url: "http://127.0.0.1/f/a.png", name: "a.png", size: 12, type: "image/png" },
      thumbnails: [{ url: "http://127.0.0.1/f/a_t.png" }],
    });
    expect(await sendbird.getMessage("pod_8_chat", file.message_id)).toMatchObject({
      file: { name: "a.png" },
    });
    expect(emulator.state.requests.at(-2)).toMatchObject({
      method: "POST",
      path: "/v3/group_channels/pod_8_chat/messages",
    });
  });

  it("gets, updates (setting updated_at) and deletes a message; gone is 400201", async () => {
    const sent = await sendbird.sendMessage("pod_8_chat", {
      message_type: "MESG",
      user_id: "1",
      message: "a",
    });
    expect(sent.updated_at).toBe(0);
    const updated = await sendbird.updateMessage("pod_8_chat", sent.message_id, {
      message_type: "MESG",
      message: "b",
      data: { e: true },
    });
    expect(updated).toMatchObject({ message_id: sent.message_id, message: "b", data: '{"e":true}' });
    expect(updated.updated_at).toBeGreaterThan(0);
    const wrongType = await failure(
      sendbird.updateMessage("pod_8_chat", sent.message_id, { message_type: "ADMM", message: "c" }),
    );
    expect(wrongType.code).toBe(400111);
    await sendbird.deleteMessage("pod_8_chat", sent.message_id);
    expect(emulator.state.messages.get("pod_8_chat")).toEqual([]);
    expect((await failure(sendbird.getMessage("pod_8_chat", sent.message_id))).code).toBe(400201);
    expect((await failure(sendbird.deleteMessage("pod_8_chat", sent.message_id))).code).toBe(400201);
  });

  it("a delete retried after a lost answer counts as done", async () => {
    const sent = await sendbird.sendMessage("pod_8_chat", {
      message_type: "MESG",
      user_id: "1",
      message: "a",
    });
    // The first attempt is answered 500 (as if the answer was lost after deleting); delete for real first.
    emulator.state.messages.set("pod_8_chat", []);
    emulator.faults.failNext(1, 500, 500901);
    await sendbird.deleteMessage("pod_8_chat", sent.message_id);
    expect(emulator.state.requests.filter((r) => r.method === "DELETE")).toHaveLength(2);
  });
});

describe("read receipts", () => {
  beforeEach(async () => {
    await sendbird.ensureUsers(["1", "2", "3"]);
    await sendbird.createGroupChannel({ channel_url: "pod_9_chat", user_ids: ["1", "2"] });
  });

  it("marks all as read, counts unread per member, and shows read receipts on request", async () => {
    const sent = await sendbird.sendMessage("pod_9_chat", {
      message_type: "MESG",
      user_id: "1",
      message: "a",
    });
    await sendbird.sendMessage("pod_9_chat", { message_type: "ADMM", message: "notice" });
    expect(await sendbird.unreadCounts("pod_9_chat", ["1", "2", "3"])).toEqual({ "1": 1, "2": 2 });
    const plain = await sendbird.getGroupChannel("pod_9_chat", { showMember: false });
    expect(plain.read_receipt).toBeUndefined();
    let channel = await sendbird.getGroupChannel("pod_9_chat", { showReadReceipt: true });
    expect(channel.read_receipt).toEqual({ "1": sent.created_at });
    await sendbird.markAllAsRead("pod_9_chat", "2");
    expect(await sendbird.unreadCounts("pod_9_chat", ["2"])).toEqual({ "2": 0 });
    channel = await sendbird.getGroupChannel("pod_9_chat", { showReadReceipt: true });
    expect(channel.read_receipt?.["2"]).toBeGreaterThanOrEqual(sent.created_at);
    expect(
      emulator.state.requests.some((r) => r.path === "/v3/group_channels/pod_9_chat/messages/mark_as_read"),
    ).toBe(true);
    const notMember = await failure(sendbird.markAllAsRead("pod_9_chat", "3"));
    expect(notMember.code).toBe(400108);
  });
});

describe("moderation", () => {
  beforeEach(async () => {
    await sendbird.ensureUsers(["1", "2", "3"]);
    await sendbird.createGroupChannel({ channel_url: "pod_10_chat", user_ids: ["1", "2", "3"] });
  });

  it("freezes and unfreezes", async () => {
    expect((await sendbird.setFrozen("pod_10_chat", true)).freeze).toBe(true);
    expect((await sendbird.getGroupChannel("pod_10_chat")).freeze).toBe(true);
    expect((await sendbird.setFrozen("pod_10_chat", false)).freeze).toBe(false);
  });

  it("bans (expelling the member), lists bans page by page, unbans", async () => {
    const ban = await sendbird.banUser("pod_10_chat", { user_id: "2", seconds: 60, description: "spam" });
    expect(ban).toMatchObject({ user: { user_id: "2" }, description: "spam" });
    expect(ban.end_at - ban.start_at).toBe(60_000);
    const forever = await sendbird.banUser("pod_10_chat", { user_id: "3" });
    expect(forever.end_at - forever.start_at).toBe(10 * 365 * 86_400_000);
    expect((await sendbird.listMembers("pod_10_chat")).members.map((m) => m.user_id)).toEqual(["1"]);
    const first = await sendbird.listBannedUsers("pod_10_chat", { limit: 1 });
    expect(first.banned_list.map((b) => b.user.user_id)).toEqual(["2"]);
    const second = await sendbird.listBannedUsers("pod_10_chat", { limit: 1, token: first.next });
    expect(second.banned_list.map((b) => b.user.user_id)).toEqual(["3"]);
    expect(second.next).toBe("");
    await sendbird.unbanUser("pod_10_chat", "2");
    expect((await sendbird.listBannedUsers("pod_10_chat")).banned_list).toHaveLength(1);
    expect((await failure(sendbird.unbanUser("pod_10_chat", "2"))).code).toBe(400201);
    expect((await failure(sendbird.banUser("pod_10_chat", { user_id: "ghost" }))).code).toBe(400201);
  });

  it("mutes (end_at -1 until lifted), lists, unmutes; members show is_muted", async () => {
    await sendbird.muteUser("pod_10_chat", { user_id: "2" });
    await sendbird.muteUser("pod_10_chat", { user_id: "3", seconds: 30 });
    const muted = await sendbird.listMutedUsers("pod_10_chat");
    expect(muted.muted_list.map((m) => [m.user_id, m.end_at === -1])).toEqual([
      ["2", true],
      ["3", false],
    ]);
    const members = await sendbird.listMembers("pod_10_chat");
    expect(members.members.map((m) => m.is_muted)).toEqual([false, true, true]);
    await sendbird.unmuteUser("pod_10_chat", "2");
    expect((await sendbird.listMutedUsers("pod_10_chat")).muted_list.map((m) => m.user_id)).toEqual(["3"]);
  });

  it("registers, lists and unregisters operators; a non-operator id fails the unregister", async () => {
    await sendbird.registerOperators("pod_10_chat", ["1", "2"]);
    expect((await sendbird.listOperators("pod_10_chat")).operators.map((o) => o.user_id)).toEqual(["1", "2"]);
    expect((await sendbird.getGroupChannel("pod_10_chat")).members?.map((m) => m.role)).toEqual([
      "operator",
      "operator",
      "",
    ]);
    const nonOperator = await failure(sendbird.unregisterOperators("pod_10_chat", ["2", "3"]));
    expect(nonOperator.code).toBe(400111);
    await sendbird.unregisterOperators("pod_10_chat", ["2"]);
    expect((await sendbird.listOperators("pod_10_chat")).operators.map((o) => o.user_id)).toEqual(["1"]);
    const last = emulator.state.requests.filter((r) => r.method === "DELETE").at(-1);
    expect(last?.path).toBe("/v3/group_channels/pod_10_chat/operators");
  });
});

describe("retries", () => {
  it("retries 500s and succeeds within the attempts", async () => {
    await sendbird.createUser({ user_id: "1", nickname: "one" });
    emulator.faults.failNext(2, 500);
    expect((await sendbird.getUser("1")).user_id).toBe("1");
    expect(emulator.state.requests.slice(1).map((r) => r.outcome)).toEqual(["fault", "fault", "handled"]);
  });

  it("gives up after maxRetries with the last error", async () => {
    emulator.faults.failNext(5, 503);
    const error = await failure(client({ maxRetries: 1 }).getUser("1"));
    expect(error).toMatchObject({ status: 503, code: 500901, retryable: true, attempts: 2 });
    expect(emulator.state.requests).toHaveLength(2);
  });

  it("retries a 429 after the Retry-After the server asked for", async () => {
    await sendbird.createUser({ user_id: "1", nickname: "one" });
    emulator.faults.failNext(1, 429, undefined, { retryAfterMs: 1_000 });
    const started = performance.now();
    expect((await sendbird.getUser("1")).user_id).toBe("1");
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(emulator.state.requests.slice(1).map((r) => r.outcome)).toEqual(["fault", "handled"]);
  });

  it("does not wait for a Retry-After beyond maxRetryAfterMs", async () => {
    emulator.faults.failNext(1, 429, undefined, { retryAfterMs: 5_000 });
    const started = performance.now();
    const error = await failure(client({ maxRetryAfterMs: 1_000 }).getUser("1"));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error).toMatchObject({
      status: 429,
      code: 500910,
      retryable: true,
      retryAfterMs: 5_000,
      attempts: 1,
    });
  });

  it("times out a slow attempt and retries it", async () => {
    await sendbird.createUser({ user_id: "1", nickname: "one" });
    emulator.faults.delayNext(1, 1_000);
    const fast = client({ timeoutMs: 150 });
    expect((await fast.getUser("1")).user_id).toBe("1");
    expect(emulator.state.requests).toHaveLength(3);
  });

  it("reports a timeout when every attempt is too slow", async () => {
    emulator.faults.delayNext(3, 1_000);
    const error = await failure(client({ timeoutMs: 100, maxRetries: 2 }).getUser("1"));
    expect(error).toMatchObject({ kind: "timeout", status: 0, code: 0, retryable: true, attempts: 3 });
  });

  it("reports a network error when nothing listens, after retrying", async () => {
    const url = emulator.url;
    await emulator.close();
    const error = await failure(client({ baseUrl: url }).getUser("1"));
    expect(error).toMatchObject({ kind: "network", status: 0, retryable: true, attempts: 3 });
  });

  it("resends a message on 429 but never after a 500 (it may have been stored)", async () => {
    await sendbird.ensureUsers(["1"]);
    await sendbird.createGroupChannel({ channel_url: "pod_9_chat", user_ids: ["1"] });
    const before = emulator.state.requests.length;

    emulator.faults.failNext(1, 429, undefined, { retryAfterMs: 0 });
    await sendbird.sendMessage("pod_9_chat", { message_type: "MESG", user_id: "1", message: "a" });
    expect(emulator.state.requests.length - before).toBe(2);

    emulator.faults.failNext(1, 500);
    const error = await failure(
      sendbird.sendMessage("pod_9_chat", { message_type: "MESG", user_id: "1", message: "b" }),
    );
    expect(error).toMatchObject({ status: 500, attempts: 1 });
    expect(emulator.state.messages.get("pod_9_chat")?.map((m) => m.message)).toEqual(["a"]);
  });
});
