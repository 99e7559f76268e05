import { startSendbirdEmulator, type SendbirdEmulator } from "@podchat/sendbird-emulator";
import { type TestServer, startServer } from "../../test/harness.ts";
import { describeChatProvider } from "./chat-provider.conformance.ts";
import { createSendbirdProvider } from "./sendbird/sendbird-provider.ts";
import { createSendbirdService } from "./sendbird/sendbird-service.ts";

let server: TestServer;
describeChatProvider("websocket", {
  async open() {
    server = await startServer();
    return server.server.chat.provider("websocket");
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
