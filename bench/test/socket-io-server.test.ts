import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { socketIoTarget } from "../src/targets/baselines.ts";
import type { RunningTarget } from "../src/targets/target.ts";

/** The Socket.IO baseline speaks real Socket.IO: the official client joins and gets broadcasts. */
describe("socket.io baseline server", () => {
  let t: RunningTarget;
  beforeAll(async () => {
    t = await socketIoTarget(null).start([]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("broadcasts a MESG to the room with podchat's envelope", async () => {
    const url = `http://127.0.0.1:${t.ports[0]}`;
    const connect = (user: string) =>
      io(url, { transports: ["websocket"], query: { room: "r1", user_id: user }, forceNew: true });
    const a: Socket = connect("1");
    const b: Socket = connect("2");
    await Promise.all([a, b].map((s) => new Promise((r) => s.once("connect", () => r(null)))));
    const got = new Promise<Record<string, unknown>>((r) => b.once("MESG", r));
    a.emit("MESG", { message: "hello" });
    const m = await got;
    expect(m).toMatchObject({ type: "MESG", channel_url: "r1", user_id: 1, message: "hello", seq: 1 });
    a.close();
    b.close();
  });
});
