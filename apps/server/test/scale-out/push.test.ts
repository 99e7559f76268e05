// Push across instances (PostgreSQL + Redis presence): a member connected only to instance B is
// online for a message stored on instance A (no push); once it leaves B, A pushes.
import { PushPayload } from "@podchat/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { userPresenceKey } from "../../src/presence/user-presence.ts";
import { TestSocket, token } from "../harness.ts";
import { WebPushEmulator } from "../push/emulators/web-push-emulator.ts";
import { createChannel, describeScaleOut, eventually, findServices } from "./cluster.ts";

const services = await findServices("scale-out push (PostgreSQL + Redis)");
let emu: WebPushEmulator;
beforeAll(async () => {
  emu = await new WebPushEmulator().start();
});
afterAll(() => emu?.close());

await describeScaleOut(services, "scale-out: push asks presence on every instance", (cluster) => {
  it("no push for a member connected on another instance; one after it left", async () => {
    const push = { push: { grace_ms: 100, collapse_window_ms: 0 } };
    const a = await cluster.instance({ overrides: push });
    const b = await cluster.instance({ overrides: push });
    await createChannel(a.url, "scale_push", ["1", "2"]);
    const sub = emu.subscribe();
    const reg = await a.api("/api/v1/chat/users/2/push/devices", {
      method: "POST",
      json: { kind: "web_push", subscription: sub.json },
    });
    expect(reg.status).toBe(201);
    // User 2's user connection is on B only.
    const user = TestSocket.open(`${b.wsUrl}/api/v1/chat/ws?token=${await token("2")}`);
    cluster.closeAfterTest(user.ws);
    await user.opened;
    await user.type("READY");
    await b.server.hub.presenceSettled();
    const send = async (message: string) =>
      expect(
        (
          await a.api("/api/v1/chat/channels/scale_push/messages", {
            method: "POST",
            json: { user_id: "1", message },
          })
        ).status,
      ).toBe(201);
    await send("are you there?");
    await eventually(() => a.server.push.service.stats.skipped_online === 1, "A's online check");
    expect(sub.accepted).toBe(0);
    user.ws.close();
    await eventually(
      async () => (await a.server.presence.online(userPresenceKey("2"))).length === 0,
      "2 to be offline",
    );
    await send("now?");
    await emu.until(() => sub.accepted === 1);
    expect(PushPayload.parse(JSON.parse(sub.received[0]!.plaintext))).toMatchObject({ seq: 2, count: 1 });
  });
});
