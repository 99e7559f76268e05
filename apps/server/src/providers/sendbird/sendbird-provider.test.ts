import { ErrorCode } from "@podchat/protocol";
import type { MessageFrame } from "@podchat/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSendbirdEmulator } from "@podchat/sendbird-emulator";
import type { SendbirdEmulator } from "@podchat/sendbird-emulator";
import { ChatError } from "../../errors/chat-error.ts";
import type { ChatProvider } from "../chat-provider.ts";
import { SendbirdApiError } from "./sendbird-api-error.ts";
import { parseData, toChannel } from "./sendbird-mapping.ts";
import { createSendbirdProvider } from "./sendbird-provider.ts";
import { createSendbirdService } from "./sendbird-service.ts";

const token = "provider-token";
let emulator: SendbirdEmulator;
let provider: ChatProvider;

function providerWith(apiToken: string): ChatProvider {
  return createSendbirdProvider(
    createSendbirdService({
      appId: "local",
      apiToken,
      baseUrl: emulator.url,
      timeoutMs: 2_000,
      backoff: { baseMs: 5, maxMs: 20 },
    }),
  );
}

async function chatError(promise: Promise<unknown>): Promise<ChatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChatError);
  return error as ChatError;
}

beforeEach(async () => {
  emulator = await startSendbirdEmulator({ port: 0, apiToken: token });
  provider = providerWith(token);
});

afterEach(async () => {
  await emulator.close();
});

describe("channels", () => {
  it("creates the seed's channel, creating the users Sendbird lacks first", async () => {
    const channel = await provider.createChannel({
      channel_url: "pod_123_chat",
      name: "Pod 123",
      user_ids: ["1", "2", "3"],
      data: { pod_id: 123 },
    });
    expect(channel).toMatchObject({
      channel_url: "pod_123_chat",
      name: "Pod 123",
      data: { pod_id: 123 },
      provider: "sendbird",
      member_count: 3,
      members: [1, 2, 3],
      last_seq: 0,
      last_message: null,
    });
    expect(Number.isNaN(Date.parse(channel.created_at))).toBe(false);
    expect([...emulator.state.users.keys()].sort()).toEqual(["1", "2", "3"]);
    expect(emulator.state.channels.get("pod_123_chat")?.data).toBe('{"pod_id":123}');
  });

  it("a taken channel_url is CHANNEL_EXISTS (409, not retryable) with the Sendbird error as cause", async () => {
    await provider.createChannel({ channel_url: "pod_1_chat", user_ids: ["1"] });
    const error = await chatError(provider.createChannel({ channel_url: "pod_1_chat", user_ids: ["2"] }));
    expect(error).toMatchObject({ code: ErrorCode.CHANNEL_EXISTS, status: 409, retryable: false });
    expect(error.cause).toBeInstanceOf(SendbirdApiError);
    expect((error.cause as SendbirdApiError).code).toBe(400202);
  });

  it("a channel_url Sendbird rejects is VALIDATION_FAILED", async () => {
    const error = await chatError(provider.createChannel({ channel_url: "pod-1.chat", user_ids: ["1"] }));
    expect(error).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, status: 400, retryable: false });
  });

  it("getChannel returns null for an unknown channel and members for a known one", async () => {
    expect(await provider.getChannel("pod_none")).toBeNull();
    await provider.createChannel({ channel_url: "pod_2_chat", user_ids: ["alice", "7"] });
    expect((await provider.getChannel("pod_2_chat"))?.members).toEqual(["alice", 7]);
  });

  it("updates name and data, deletes, and reports CHANNEL_NOT_FOUND afterwards", async () => {
    await provider.createChannel({ channel_url: "pod_3_chat", name: "old", user_ids: ["1"], data: { a: 1 } });
    const updated = await provider.updateChannel("pod_3_chat", {
      name: "new",
      data: { a: 2 },
      custom_type: "pod",
    });
    expect(updated).toMatchObject({ name: "new", data: { a: 2 }, custom_type: "pod" });
    await provider.deleteChannel("pod_3_chat");
    expect(await provider.getChannel("pod_3_chat")).toBeNull();
    const error = await chatError(provider.deleteChannel("pod_3_chat"));
    expect(error).toMatchObject({ code: ErrorCode.CHANNEL_NOT_FOUND, status: 404, retryable: false });
  });

  it("lists channels with a cursor, by name, and none for another provider", async () => {
    for (const n of [1, 2, 3]) {
      await provider.createChannel({ channel_url: `room_${n}`, name: `Room ${n}`, user_ids: ["1"] });
    }
    const first = await provider.listChannels({ limit: 2 });
    expect(first.channels.map((c) => c.channel_url)).toEqual(["room_1", "room_2"]);
    expect(first.next_cursor).not.toBeNull();
    const second = await provider.listChannels({ limit: 2, cursor: first.next_cursor ?? undefined });
    expect(second.channels.map((c) => c.channel_url)).toEqual(["room_3"]);
    expect(second.next_cursor).toBeNull();
    expect((await provider.listChannels({ q: "room 2" })).channels.map((c) => c.channel_url)).toEqual([
      "room_2",
    ]);
    expect(await provider.listChannels({ provider: "websocket" })).toEqual({
      channels: [],
      next_cursor: null,
    });
  });
});

describe("members", () => {
  it("adds (creating unknown users), removes and lists members", async () => {
    await provider.createChannel({ channel_url: "pod_4_chat", user_ids: ["1"] });
    const added = await provider.addMembers("pod_4_chat", ["2", "bob"]);
    expect(added.members).toEqual([1, 2, "bob"]);
    expect(emulator.state.users.has("bob")).toBe(true);
    const removed = await provider.removeMembers("pod_4_chat", ["1"]);
    expect(removed).toMatchObject({ members: [2, "bob"], member_count: 2 });
    expect(await provider.listMembers("pod_4_chat")).toEqual(["2", "bob"]);
  });

  it("lists every member across Sendbird's 100-per-page limit", async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `u${i}`);
    await provider.createChannel({ channel_url: "pod_big_chat", user_ids: ids });
    await provider.addMembers("pod_big_chat", ["x1", "x2", "x3"]);
    const members = await provider.listMembers("pod_big_chat");
    expect(members).toHaveLength(103);
    expect(members.slice(-3)).toEqual(["x1", "x2", "x3"]);
  });

  it("member operations on an unknown channel are CHANNEL_NOT_FOUND", async () => {
    expect((await chatError(provider.addMembers("pod_none", ["1"]))).code).toBe(ErrorCode.CHANNEL_NOT_FOUND);
    expect((await chatError(provider.listMembers("pod_none"))).code).toBe(ErrorCode.CHANNEL_NOT_FOUND);
  });
});

describe("messages", () => {
  beforeEach(async () => {
    await provider.createChannel({ channel_url: "pod_123_chat", user_ids: ["1", "2"] });
  });

  it("maps a sent MESG to the seed's frame, seq = Sendbird message_id", async () => {
    const sent = await provider.sendMessage("pod_123_chat", {
      user_id: "1",
      message: "안녕하세요!",
      data: { k: "v" },
      custom_type: "greeting",
    });
    expect(sent.duplicate).toBe(false);
    const stored = emulator.state.messages.get("pod_123_chat")?.[0];
    expect(sent.message).toEqual({
      type: "MESG",
      channel_url: "pod_123_chat",
      user_id: 1,
      message: "안녕하세요!",
      timestamp: new Date(stored?.created_at ?? 0).toISOString(),
      message_id: String(stored?.message_id),
      seq: stored?.message_id,
      custom_type: "greeting",
      data: { k: "v" },
    });
    const channel = await provider.getChannel("pod_123_chat");
    expect(channel?.last_seq).toBe(sent.message.seq);
    expect(channel?.last_message).toEqual(sent.message);
  });

  it("sends admin messages without a sender", async () => {
    const sent = await provider.sendMessage("pod_123_chat", { type: "ADMM", message: "notice" });
    expect(sent.message).toMatchObject({ type: "ADMM", user_id: null, message: "notice" });
  });

  it("refuses what Sendbird refuses, with podchat's codes", async () => {
    const notMember = await chatError(provider.sendMessage("pod_123_chat", { user_id: "3", message: "hi" }));
    expect(notMember).toMatchObject({ code: ErrorCode.NOT_MEMBER, status: 403 });
    const unknownUser = await chatError(
      provider.sendMessage("pod_123_chat", { user_id: "ghost", message: "hi" }),
    );
    expect(unknownUser.code).toBe(ErrorCode.NOT_MEMBER);
    const noChannel = await chatError(provider.sendMessage("pod_none", { user_id: "1", message: "hi" }));
    expect(noChannel.code).toBe(ErrorCode.CHANNEL_NOT_FOUND);
    const noSender = await chatError(provider.sendMessage("pod_123_chat", { type: "MESG", message: "hi" }));
    expect(noSender).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, field: "user_id" });
    // Without a type and a sender it is an admin message, as on podchat's own provider.
    const admin = await provider.sendMessage("pod_123_chat", { message: "notice" });
    expect(admin.message).toMatchObject({ type: "ADMM", message: "notice" });
    // Sendbird file messages need a sending member: an admin file is UNSUPPORTED (501), said so.
    const file = await chatError(
      provider.sendMessage("pod_123_chat", {
        type: "IMAGE",
        message: "",
        file: { url: "https://x/a.png", name: "a.png", size: 1, mime_type: "image/png" },
      }),
    );
    expect(file).toMatchObject({ code: ErrorCode.UNSUPPORTED, status: 501 });
    expect(file.message).toMatch(/is not supported on Sendbird channels: /);
    const noFile = await chatError(
      provider.sendMessage("pod_123_chat", { type: "FILE", user_id: "1", message: "" }),
    );
    expect(noFile).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, field: "file" });
  });

  it("pages history backwards and forwards by seq, each message once, in order", async () => {
    const sent: MessageFrame[] = [];
    for (let i = 1; i <= 7; i++) {
      sent.push(
        (await provider.sendMessage("pod_123_chat", { user_id: i % 2 ? "1" : "2", message: `m${i}` }))
          .message,
      );
    }
    const seqs = sent.map((m) => m.seq);

    const newest = await provider.listMessages("pod_123_chat", { limit: 3 });
    expect(newest.messages.map((m) => m.message)).toEqual(["m5", "m6", "m7"]);
    expect(newest).toMatchObject({ has_more: true, prev_before_seq: seqs[4], next_after_seq: seqs[6] });

    const back: MessageFrame[] = [...newest.messages];
    let before = newest.prev_before_seq;
    while (before !== null) {
      const page = await provider.listMessages("pod_123_chat", { before_seq: before, limit: 3 });
      back.unshift(...page.messages);
      before = page.prev_before_seq;
      if (!page.has_more) expect(page.prev_before_seq).toBeNull();
    }
    expect(back).toEqual(sent);

    const forward: MessageFrame[] = [];
    let after = 0;
    for (;;) {
      const page = await provider.listMessages("pod_123_chat", { after_seq: after, limit: 3 });
      forward.push(...page.messages);
      expect(page.next_after_seq).toBe(page.messages.at(-1)?.seq ?? after);
      after = page.next_after_seq ?? after;
      if (!page.has_more) break;
    }
    expect(forward).toEqual(sent);

    const window = await provider.listMessages("pod_123_chat", {
      after_seq: seqs[1],
      before_seq: seqs[5],
      limit: 10,
    });
    expect(window.messages.map((m) => m.message)).toEqual(["m3", "m4", "m5"]);
    expect(window.has_more).toBe(false);
  });

  it("history of an empty or unknown channel", async () => {
    expect(await provider.listMessages("pod_123_chat", {})).toEqual({
      messages: [],
      has_more: false,
      prev_before_seq: null,
      next_after_seq: null,
    });
    expect((await chatError(provider.listMessages("pod_none", {}))).code).toBe(ErrorCode.CHANNEL_NOT_FOUND);
  });
});

describe("provider errors", () => {
  it("Sendbird 5xx after retries is PROVIDER_ERROR, retryable, with the cause", async () => {
    emulator.faults.failNext(3, 500);
    const error = await chatError(provider.getChannel("pod_any"));
    expect(error).toMatchObject({ code: ErrorCode.PROVIDER_ERROR, status: 502, retryable: true });
    expect(error.cause).toMatchObject({ status: 500, code: 500901, attempts: 3 });
  });

  it("a rate limit that outlasts the retries carries the wait Sendbird asked for", async () => {
    emulator.faults.failNext(3, 429, undefined, { retryAfterMs: 10 });
    const error = await chatError(provider.listChannels({}));
    expect(error).toMatchObject({ code: ErrorCode.PROVIDER_ERROR, retryable: true, retryAfterMs: 10 });
  });

  it("a wrong API token is PROVIDER_ERROR, not retryable", async () => {
    const error = await chatError(providerWith("wrong").getChannel("pod_any"));
    expect(error).toMatchObject({ code: ErrorCode.PROVIDER_ERROR, retryable: false });
    expect((error.cause as SendbirdApiError).code).toBe(400401);
  });
});

describe("file and image messages", () => {
  beforeEach(async () => {
    await provider.createChannel({ channel_url: "pod_f", user_ids: ["1", "2"] });
  });

  it("sends FILE and IMAGE as Sendbird FILE messages by URL, and reads them back as sent", async () => {
    const image = await provider.sendMessage("pod_f", {
      type: "IMAGE",
      user_id: "1",
      message: "our team",
      data: { album: "x" },
      file: {
        url: "http://127.0.0.1/files/a.png",
        name: "a.png",
        size: 2048,
        mime_type: "image/png",
        width: 640,
        height: 480,
        thumbnail_url: "http://127.0.0.1/files/a_thumb.png",
      },
    });
    expect(image.message).toMatchObject({
      type: "IMAGE",
      user_id: 1,
      message: "our team",
      data: { album: "x" },
      file: {
        url: "http://127.0.0.1/files/a.png",
        name: "a.png",
        size: 2048,
        mime_type: "image/png",
        width: 640,
        height: 480,
        thumbnail_url: "http://127.0.0.1/files/a_thumb.png",
      },
    });
    const stored = emulator.state.messages.get("pod_f")?.[0];
    expect(stored).toMatchObject({
      type: "FILE",
      user_id: "1",
      file: { url: "http://127.0.0.1/files/a.png", name: "a.png", type: "image/png", size: 2048 },
      thumbnails: ["http://127.0.0.1/files/a_thumb.png"],
    });
    const file = await provider.sendMessage("pod_f", {
      type: "FILE",
      user_id: "2",
      message: "",
      file: { url: "http://127.0.0.1/files/r.pdf", name: "r.pdf", size: 10, mime_type: "application/pdf" },
    });
    expect(file.message.type).toBe("FILE");
    expect(file.message.data).toBeUndefined();
    const history = await provider.listMessages("pod_f", {});
    expect(history.messages).toEqual([image.message, file.message]);
  });

  it("a non-member cannot send a file", async () => {
    const error = await chatError(
      provider.sendMessage("pod_f", {
        type: "FILE",
        user_id: "3",
        message: "",
        file: { url: "http://127.0.0.1/f", name: "f", size: 1, mime_type: "text/plain" },
      }),
    );
    expect(error.code).toBe(ErrorCode.NOT_MEMBER);
  });
});

describe("edit and delete", () => {
  let first: MessageFrame;
  beforeEach(async () => {
    await provider.createChannel({ channel_url: "pod_e", user_ids: ["1", "2", "3"] });
    first = (await provider.sendMessage("pod_e", { user_id: "1", message: "helo", data: { a: 1 } })).message;
  });

  it("edits in place: the author's edit shows in history with edited_at", async () => {
    const edited = (await provider.editMessage("pod_e", first.seq, { message: "hello", userId: "1" }))
      .message;
    expect(edited).toMatchObject({ seq: first.seq, message: "hello", data: { a: 1 }, user_id: 1 });
    expect(Number.isNaN(Date.parse(edited.edited_at ?? ""))).toBe(false);
    const history = await provider.listMessages("pod_e", {});
    expect(history.messages).toEqual([edited]);
    expect(
      emulator.state.requests.some((r) => r.method === "PUT" && r.path.endsWith(`/messages/${first.seq}`)),
    ).toBe(true);
    const withData = (await provider.editMessage("pod_e", first.seq, { message: "hi", data: { b: 2 } }))
      .message;
    expect(withData.data).toEqual({ b: 2 });
  });

  it("edits an image caption, keeping the image", async () => {
    const image = (
      await provider.sendMessage("pod_e", {
        type: "IMAGE",
        user_id: "2",
        message: "old",
        file: { url: "http://127.0.0.1/i.png", name: "i.png", size: 3, mime_type: "image/png", width: 1 },
      })
    ).message;
    const edited = (await provider.editMessage("pod_e", image.seq, { message: "new", userId: "2" })).message;
    expect(edited).toMatchObject({
      type: "IMAGE",
      message: "new",
      file: { url: "http://127.0.0.1/i.png", width: 1 },
    });
  });

  it("only the author edits; unknown messages and channels say so", async () => {
    const notAuthor = await chatError(
      provider.editMessage("pod_e", first.seq, { message: "x", userId: "2" }),
    );
    expect(notAuthor).toMatchObject({ code: ErrorCode.NOT_AUTHOR, status: 403 });
    const missing = await chatError(provider.editMessage("pod_e", first.seq + 1000, { message: "x" }));
    expect(missing).toMatchObject({ code: ErrorCode.MESSAGE_NOT_FOUND, status: 404 });
    const noChannel = await chatError(provider.editMessage("pod_none", 1, { message: "x" }));
    expect(noChannel.code).toBe(ErrorCode.CHANNEL_NOT_FOUND);
  });

  it("deletes for real (Sendbird keeps no tombstone): the author or an operator may", async () => {
    const second = (await provider.sendMessage("pod_e", { user_id: "1", message: "two" })).message;
    const notAllowed = await chatError(provider.deleteMessage("pod_e", first.seq, { userId: "2" }));
    expect(notAllowed).toMatchObject({ code: ErrorCode.NOT_AUTHOR, status: 403 });
    await provider.deleteMessage("pod_e", first.seq, { userId: "1" });
    await provider.addOperators("pod_e", ["3"]);
    await provider.deleteMessage("pod_e", second.seq, { userId: "3" });
    expect((await provider.listMessages("pod_e", {})).messages).toEqual([]);
    const again = await chatError(provider.deleteMessage("pod_e", first.seq, {}));
    expect(again.code).toBe(ErrorCode.MESSAGE_NOT_FOUND);
  });
});

describe("read state", () => {
  beforeEach(async () => {
    await provider.createChannel({ channel_url: "pod_r", user_ids: ["1", "2", "3"] });
  });

  it("unread counts others' messages after the member's read receipt; markRead reads up to now", async () => {
    const a = (await provider.sendMessage("pod_r", { user_id: "1", message: "a" })).message;
    const b = (await provider.sendMessage("pod_r", { user_id: "1", message: "b" })).message;
    expect(await provider.unread("pod_r", "2")).toEqual({
      channel_url: "pod_r",
      user_id: 2,
      last_read_seq: 0,
      last_seq: b.seq,
      unread_count: 2,
    });
    // The sender has read its own messages.
    expect(await provider.unread("pod_r", "1")).toMatchObject({ last_read_seq: b.seq, unread_count: 0 });
    // Sendbird cannot mark "up to a": everything up to now is read.
    const marked = await provider.markRead("pod_r", "2", a.seq);
    expect(marked).toMatchObject({ user_id: 2, last_read_seq: b.seq, last_seq: b.seq, unread_count: 0 });
    const c = (await provider.sendMessage("pod_r", { user_id: "3", message: "c" })).message;
    expect(await provider.unread("pod_r", "2")).toMatchObject({
      last_read_seq: b.seq,
      last_seq: c.seq,
      unread_count: 1,
    });
    expect(await provider.readState("pod_r")).toEqual({
      channel_url: "pod_r",
      members: [
        { user_id: 1, last_read_seq: b.seq },
        { user_id: 2, last_read_seq: b.seq },
        { user_id: 3, last_read_seq: c.seq },
      ],
    });
  });

  it("non-members and unknown channels", async () => {
    expect((await chatError(provider.unread("pod_r", "9"))).code).toBe(ErrorCode.NOT_MEMBER);
    expect((await chatError(provider.markRead("pod_r", "9", 1))).code).toBe(ErrorCode.NOT_MEMBER);
    expect((await chatError(provider.readState("pod_none"))).code).toBe(ErrorCode.CHANNEL_NOT_FOUND);
  });
});

describe("moderation", () => {
  beforeEach(async () => {
    await provider.createChannel({ channel_url: "pod_m", user_ids: ["1", "2", "3"] });
  });

  it("reports an empty state, then freeze, operators, bans and mutes as Sendbird keeps them", async () => {
    expect(await provider.moderation("pod_m")).toEqual({
      channel_url: "pod_m",
      frozen: false,
      operators: [],
      banned: [],
      muted: [],
    });
    expect((await provider.setFrozen("pod_m", true)).frozen).toBe(true);
    expect(emulator.state.channels.get("pod_m")?.freeze).toBe(true);
    expect((await provider.addOperators("pod_m", ["1"])).operators).toEqual([1]);
    const before = Date.now();
    const banned = await provider.ban("pod_m", ["2"], 3600);
    expect(banned.banned).toHaveLength(1);
    expect(banned.banned[0]?.user_id).toBe(2);
    const until = Date.parse(banned.banned[0]?.until ?? "");
    expect(until).toBeGreaterThanOrEqual(before + 3_599_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 3_600_000);
    // A Sendbird ban expels the member.
    expect(await provider.listMembers("pod_m")).toEqual(["1", "3"]);
    const muted = await provider.mute("pod_m", ["3"]);
    expect(muted.muted).toEqual([{ user_id: 3, until: null }]);
    const forever = await provider.ban("pod_m", ["3"]);
    expect(forever.banned).toContainEqual({ user_id: 3, until: null });
    expect((await provider.setFrozen("pod_m", false)).frozen).toBe(false);
  });

  it("lifting is idempotent, and removing operators ignores non-operators", async () => {
    await provider.addOperators("pod_m", ["1", "2"]);
    await provider.ban("pod_m", ["3"]);
    await provider.mute("pod_m", ["2"], 60);
    expect((await provider.unban("pod_m", "3")).banned).toEqual([]);
    expect((await provider.unban("pod_m", "3")).banned).toEqual([]);
    expect((await provider.unmute("pod_m", "2")).muted).toEqual([]);
    expect((await provider.unmute("pod_m", "2")).muted).toEqual([]);
    expect((await provider.removeOperators("pod_m", ["2", "3"])).operators).toEqual([1]);
  });

  it("enforces mute and freeze on sends; operators still send in a frozen channel", async () => {
    await provider.mute("pod_m", ["2"]);
    const muted = await chatError(provider.sendMessage("pod_m", { user_id: "2", message: "x" }));
    expect(muted).toMatchObject({ code: ErrorCode.MUTED, status: 403 });
    await provider.addOperators("pod_m", ["1"]);
    await provider.setFrozen("pod_m", true);
    const frozen = await chatError(provider.sendMessage("pod_m", { user_id: "3", message: "x" }));
    expect(frozen).toMatchObject({ code: ErrorCode.FROZEN, status: 403 });
    expect((await provider.sendMessage("pod_m", { user_id: "1", message: "ok" })).message.message).toBe("ok");
    expect((await provider.sendMessage("pod_m", { type: "ADMM", message: "notice" })).message.type).toBe(
      "ADMM",
    );
    await provider.ban("pod_m", ["3"]);
    // Sendbird expels the banned member; podchat says BANNED (as on its own provider), not NOT_MEMBER.
    const banned = await chatError(provider.sendMessage("pod_m", { user_id: "3", message: "x" }));
    expect(banned.code).toBe(ErrorCode.BANNED);
  });

  it("unknown users and channels", async () => {
    const user = await chatError(provider.ban("pod_m", ["ghost"]));
    expect(user).toMatchObject({ code: ErrorCode.NOT_FOUND, field: "user_ids" });
    expect((await chatError(provider.mute("pod_none", ["1"]))).code).toBe(ErrorCode.CHANNEL_NOT_FOUND);
    expect((await chatError(provider.moderation("pod_none"))).code).toBe(ErrorCode.CHANNEL_NOT_FOUND);
    expect((await chatError(provider.setFrozen("pod_none", true))).code).toBe(ErrorCode.CHANNEL_NOT_FOUND);
    expect((await chatError(provider.unban("pod_none", "1"))).code).toBe(ErrorCode.CHANNEL_NOT_FOUND);
  });
});

describe("mapping helpers", () => {
  it("parseData keeps podchat objects and wraps foreign strings", () => {
    expect(parseData("")).toEqual({});
    expect(parseData('{"pod_id":123}')).toEqual({ pod_id: 123 });
    expect(parseData("plain text")).toEqual({ value: "plain text" });
    expect(parseData("[1,2]")).toEqual({ value: "[1,2]" });
  });

  it("toChannel reads Sendbird's created_at in seconds and file messages", () => {
    const channel = toChannel({
      channel_url: "c1",
      name: "n",
      cover_url: "",
      custom_type: "",
      data: "",
      member_count: 2,
      created_at: 1_704_067_200,
      freeze: false,
      last_message: {
        type: "FILE",
        message_id: 42,
        message: "",
        custom_type: "",
        data: "",
        channel_url: "c1",
        created_at: 1_704_067_260_000,
        user: { user_id: "5" },
        file: { url: "https://x/f.pdf", name: "f.pdf", type: "application/pdf", size: 10 },
      },
    });
    expect(channel.created_at).toBe("2024-01-01T00:00:00.000Z");
    expect(channel.last_seq).toBe(42);
    expect(channel.last_message).toMatchObject({
      type: "FILE",
      user_id: 5,
      seq: 42,
      message_id: "42",
      file: { url: "https://x/f.pdf", name: "f.pdf", size: 10, mime_type: "application/pdf" },
    });
    expect(channel.members).toBeUndefined();
  });
});

describe("a user's channels (the inbox)", () => {
  it("lists the user's channels as inbox rows, newest activity first, paged with Sendbird's next", async () => {
    const list = provider.listUserChannels;
    expect(list).toBeDefined();
    await provider.createChannel({
      channel_url: "inbox_a",
      name: "Alpha",
      user_ids: ["1", "2"],
      custom_type: "team",
    });
    await provider.createChannel({ channel_url: "inbox_b", name: "beta", user_ids: ["1", "2"] });
    await provider.createChannel({ channel_url: "inbox_empty", name: "Alpha empty", user_ids: ["1"] });
    await provider.sendMessage("inbox_a", { user_id: "2", message: "hello", data: { k: 1 } });
    await provider.sendMessage("inbox_b", { user_id: "1", message: "mine" });
    await provider.sendMessage("inbox_a", { user_id: "2", message: "again" });

    const all = await provider.listUserChannels!("1", { limit: 10 });
    expect(all.next).toBeNull();
    expect(all.channels.map((c) => c.channel_url)).toEqual(["inbox_a", "inbox_b", "inbox_empty"]);
    const [a, b, empty] = all.channels;
    const lastA = emulator.state.messages.get("inbox_a")?.at(-1);
    expect(a).toMatchObject({
      provider: "sendbird",
      custom_type: "team",
      member_count: 2,
      unread_count: 2,
      last_read_seq: 0,
      last_seq: lastA?.message_id,
      last_activity_at: new Date(lastA?.created_at ?? 0).toISOString(),
      last_message: { type: "MESG", message: "again", user_id: 2, seq: lastA?.message_id },
    });
    expect(b).toMatchObject({
      unread_count: 0,
      last_read_seq: b?.last_seq,
      last_message: { message: "mine" },
    });
    expect(empty).toMatchObject({
      last_message: null,
      last_seq: 0,
      unread_count: 0,
      last_activity_at: empty?.created_at,
    });

    const first = await provider.listUserChannels!("1", { limit: 2 });
    expect(first.channels).toHaveLength(2);
    expect(first.next).not.toBeNull();
    const second = await provider.listUserChannels!("1", { limit: 2, token: first.next ?? "" });
    expect(second.channels.map((c) => c.channel_url)).toEqual(["inbox_empty"]);

    const filtered = (q: Parameters<NonNullable<ChatProvider["listUserChannels"]>>[1]) =>
      provider.listUserChannels!("1", q).then((p) => p.channels.map((c) => c.channel_url));
    expect(await filtered({ limit: 10, customType: "team" })).toEqual(["inbox_a"]);
    expect(await filtered({ limit: 10, unreadOnly: true })).toEqual(["inbox_a"]);
    expect(await filtered({ limit: 10, namePrefix: "Alpha" })).toEqual(["inbox_a", "inbox_empty"]);
  });

  it("answers no channels for a user Sendbird does not know, and PROVIDER_ERROR when Sendbird fails", async () => {
    expect(await provider.listUserChannels!("stranger", { limit: 10 })).toEqual({ channels: [], next: null });
    emulator.faults.failNext(3, 503);
    const error = await chatError(provider.listUserChannels!("stranger", { limit: 10 }));
    expect(error.code).toBe(ErrorCode.PROVIDER_ERROR);
    expect(error.retryable).toBe(true);
  });
});
