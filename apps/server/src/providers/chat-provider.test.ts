import { startSendbirdEmulator, type SendbirdEmulator } from "@podchat/sendbird-emulator";
import { type TestServer, startServer } from "../../test/harness.ts";
import { describeChatProvider } from "./chat-provider.conformance.ts";
import { createSendbirdProvider } from "./sendbird/sendbird-provider.ts";
import { createSendbirdService } from "./sendbird/sendbird-service.ts";
import type { ChatService } from "../chat/chat-service.ts";
import type { ChatProvider } from "./chat-provider.ts";

/** The provider with ChatService's member rules in front of its member operations. */
function ruledProvider(chat: ChatService, p: ChatProvider): ChatProvider {
  return {
    ...p,
    async sendMessage(url, body) {
      return chat.sendMessage(url, {
        message: body.message,
        ...(body.user_id !== undefined ? { userId: body.user_id } : {}),
        ...(body.type ? { type: body.type } : {}),
        ...(body.req_id ? { reqId: body.req_id } : {}),
        ...(body.custom_type ? { customType: body.custom_type } : {}),
        ...(body.data ? { data: body.data } : {}),
        ...(body.file ? { file: body.file } : {}),
      });
    },
    async editMessage(url, seq, edit) {
      return { message: await chat.editMessage(url, seq, edit), entry: null };
    },
    async deleteMessage(url, seq, by) {
      await chat.deleteMessage(url, seq, by.userId);
      return null;
    },
    markRead: (url, userId, seq) => chat.markRead(url, userId, seq),
    unread: (url, userId) => chat.unread(url, userId),
  };
}

let server: TestServer;
// podchat's own chat keeps its rules (members, bans, mutes, freezes, who may edit or delete) in
// ChatService, so the websocket provider is checked through it: the provider's interface, with
// every member operation going through the rules as REST and sockets do.
describeChatProvider("websocket (through ChatService's rules)", {
  async open() {
    server = await startServer();
    return ruledProvider(server.server.chat, server.server.chat.provider("websocket"));
  },
  close: () => server.close(),
});

let emulator: SendbirdEmulator;
describeChatProvider("sendbird (against the local Sendbird emulator)", {
  async open() {
    emulator = await startSendbirdEmulator({ apiToken: "emulator-token" });
    return createSendbirdProvider(
      createSendbirdService({ appId: "local", apiToken: "emulator-token", baseUrl: emulator.url }),
    );
  },
  close: () => emulator.close(),
});
