import { ErrorCode } from "@podchat/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSendbirdEmulator } from "@podchat/sendbird-emulator";
import type { SendbirdEmulator } from "@podchat/sendbird-emulator";
import { ChatError } from "../../errors/chat-error.ts";
import type { ChatProvider } from "../chat-provider.ts";
import { SendbirdApiError } from "./sendbird-api-error.ts";
import { toChatError } from "./sendbird-errors.ts";
import { sendbirdLimits } from "./sendbird-limits.ts";
import { createSendbirdProvider } from "./sendbird-provider.ts";
import { createSendbirdService } from "./sendbird-service.ts";

// Sendbird's limits and bans on podchat's Sendbird provider (issue #16).
const token = "provider-token";
let emulator: SendbirdEmulator;
let provider: ChatProvider;

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
  provider = createSendbirdProvider(
    createSendbirdService({
      appId: "local",
      apiToken: token,
      baseUrl: emulator.url,
      timeoutMs: 2_000,
      backoff: { baseMs: 5, maxMs: 20 },
    }),
  );
});

afterEach(async () => {
  await emulator.close();
});

describe("Sendbird's limits, checked before calling Sendbird", () => {
  it("refuses channel urls Sendbird refuses, naming channel_url, without a call", async () => {
    for (const url of ["a.bc", "abc", "a", "pod.1.chat"]) {
      const error = await chatError(provider.createChannel({ channel_url: url, user_ids: ["1"] }));
      expect(error, url).toMatchObject({
        code: ErrorCode.VALIDATION_FAILED,
        status: 400,
        field: "channel_url",
      });
      expect(error.message).toMatch(/Sendbird/);
    }
    expect(emulator.state.requests).toEqual([]);
    const ok = await provider.createChannel({ channel_url: "pod-1_chat", user_ids: ["1"] });
    expect(ok.channel_url).toBe("pod-1_chat");
  });

  it("refuses names over 191 characters on create and update, naming name", async () => {
    const long = "n".repeat(sendbirdLimits.nameMax + 1);
    const created = await chatError(
      provider.createChannel({ channel_url: "pod_1_chat", name: long, user_ids: ["1"] }),
    );
    expect(created).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, field: "name" });
    expect(emulator.state.requests).toEqual([]);
    await provider.createChannel({ channel_url: "pod_1_chat", name: "n".repeat(191), user_ids: ["1"] });
    const updated = await chatError(provider.updateChannel("pod_1_chat", { name: long }));
    expect(updated).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, field: "name" });
  });

  it("refuses messages over 5,000 characters on send and edit, naming message", async () => {
    await provider.createChannel({ channel_url: "pod_1_chat", user_ids: ["1"] });
    const long = "m".repeat(sendbirdLimits.messageMax + 1);
    const before = emulator.state.requests.length;
    const sent = await chatError(provider.sendMessage("pod_1_chat", { user_id: "1", message: long }));
    expect(sent).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, status: 400, field: "message" });
    const admin = await chatError(provider.sendMessage("pod_1_chat", { message: long }));
    expect(admin).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, field: "message" });
    expect(emulator.state.requests.length).toBe(before);
    const ok = await provider.sendMessage("pod_1_chat", { user_id: "1", message: "m".repeat(5000) });
    const edit = await chatError(provider.editMessage("pod_1_chat", ok.message.seq, { message: long }));
    expect(edit).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, field: "message" });
  });

  it("names the field of a validation error Sendbird itself returns", () => {
    const error = new SendbirdApiError({
      kind: "api",
      status: 400,
      code: 400111,
      message: 'Invalid value: "cover_url".',
      method: "POST",
      path: "/group_channels",
    });
    expect(toChatError(error, "create")).toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
      field: "cover_url",
    });
  });
});

describe("bans", () => {
  beforeEach(async () => {
    await provider.createChannel({ channel_url: "pod_1_chat", user_ids: ["1", "2"] });
    await provider.ban("pod_1_chat", ["2"]);
  });

  it("a banned user cannot be added back: BANNED, naming user_ids", async () => {
    const error = await chatError(provider.addMembers("pod_1_chat", ["3", "2"]));
    expect(error).toMatchObject({ code: ErrorCode.BANNED, status: 403, field: "user_ids" });
    expect(emulator.state.channels.get("pod_1_chat")?.members).toEqual(["1"]);
  });

  it("a banned user who is a member anyway cannot send: BANNED", async () => {
    // As if Sendbird had let the invitation through (the Platform API acts with admin rights).
    emulator.state.channels.get("pod_1_chat")?.members.push("2");
    const error = await chatError(provider.sendMessage("pod_1_chat", { user_id: "2", message: "back" }));
    expect(error).toMatchObject({ code: ErrorCode.BANNED, status: 403 });
    expect(emulator.state.messages.get("pod_1_chat")).toEqual([]);
  });

  it("Sendbird's 400750 is BANNED", () => {
    const error = new SendbirdApiError({
      kind: "api",
      status: 400,
      code: 400750,
      message: '"2" is banned from the channel.',
      method: "POST",
      path: "/group_channels/pod_1_chat/invite",
    });
    expect(toChatError(error, "channel")).toMatchObject({ code: ErrorCode.BANNED, status: 403 });
  });
});
