import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatError } from "../src/chat/chat-error.ts";
import { type TestServer, connect, startServer } from "./harness.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(async () => {
  await t.close();
});

describe("ChatService in-process (what backends embed)", () => {
  it("creates the seed's channel and its members can chat over WebSocket", async () => {
    const chat = t.server.chat;
    const channel = await chat.createGroupChannel({
      channelUrl: "pod_123_chat",
      name: "파티 채팅방",
      userIds: ["1", "2", "3"],
      data: { pod_id: 123 },
    });
    expect(channel).toMatchObject({ channel_url: "pod_123_chat", provider: "websocket", members: [1, 2, 3] });
    const meta = await chat.getChannelMetadata("pod_123_chat");
    expect(meta?.data).toEqual({ pod_id: 123 });
    expect(await chat.getChannelMetadata("missing")).toBeNull();

    const s = await connect(t, "pod_123_chat", "3");
    const sent = await chat.sendMessage("pod_123_chat", { userId: 1, message: "from backend" });
    expect(sent.message).toMatchObject({ user_id: 1, seq: 1 });
    expect(await s.type("MESG")).toMatchObject({ message: "from backend", user_id: 1 });
    const history = await chat.listMessages("pod_123_chat");
    expect(history.messages.map((m) => m.message)).toEqual(["from backend"]);
    s.close();
  });

  it("throws ChatError with a code and status", async () => {
    const chat = t.server.chat;
    await expect(chat.createGroupChannel({ channelUrl: "bad url", userIds: [] })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      status: 400,
      field: "channel_url",
    });
    const err = await chat.addMembers("ghost", ["1"]).catch((e) => e);
    expect(err).toBeInstanceOf(ChatError);
    expect(err).toMatchObject({ code: "CHANNEL_NOT_FOUND", status: 404, retryable: false });
  });

  it("says clearly when the flag points at a provider that is not configured", async () => {
    const off = await startServer({
      env: { USE_WEBSOCKET_CHAT: "false" },
      overrides: { sendbird: { app_id: "" } },
    });
    try {
      await expect(
        off.server.chat.createGroupChannel({ channelUrl: "x", userIds: ["1"] }),
      ).rejects.toMatchObject({
        code: "UNSUPPORTED",
        message: expect.stringMatching(/sendbird provider is not configured/),
      });
    } finally {
      await off.close();
    }
  });
});
