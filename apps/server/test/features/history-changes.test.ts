import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, createChannel, startServer } from "../harness.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(async () => {
  await t.close();
});

describe("history with include_changes", () => {
  it("returns messages only by default, and the whole seq log with include_changes=true", async () => {
    await createChannel(t, "log_room", ["1"]);
    const send = (message: string) =>
      t.api("/api/v1/chat/channels/log_room/messages", { method: "POST", json: { user_id: "1", message } });
    await send("a"); // seq 1
    await send("b"); // seq 2
    expect(
      (await t.api("/api/v1/chat/channels/log_room/messages/1", { method: "PATCH", json: { message: "a!" } }))
        .status,
    ).toBe(200); // seq 3
    expect((await t.api("/api/v1/chat/channels/log_room/messages/2", { method: "DELETE" })).status).toBe(204); // seq 4

    const plain = await (await t.api("/api/v1/chat/channels/log_room/messages?after_seq=0")).json();
    expect(plain.messages.map((m: { seq: number; message: string }) => [m.seq, m.message])).toEqual([
      [1, "a!"],
      [2, ""],
    ]);
    expect(plain.messages[1].deleted).toBe(true);

    const log = await (
      await t.api("/api/v1/chat/channels/log_room/messages?after_seq=0&include_changes=true")
    ).json();
    expect(log.messages.map((m: { seq: number; type: string }) => [m.seq, m.type])).toEqual([
      [1, "MESG"],
      [2, "MESG"],
      [3, "MESSAGE_UPDATED"],
      [4, "MESSAGE_DELETED"],
    ]);
    expect(log.messages[2]).toMatchObject({ target_seq: 1, message: "a!" });
    expect(log).toMatchObject({ has_more: false, next_after_seq: 4 });
    const back = await (
      await t.api("/api/v1/chat/channels/log_room/messages?limit=2&include_changes=true")
    ).json();
    expect(back.messages.map((m: { seq: number }) => m.seq)).toEqual([3, 4]);
    expect((await t.api("/api/v1/chat/channels/log_room/messages?include_changes=yes")).status).toBe(400);
  });
});
