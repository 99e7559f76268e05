import { expect, it } from "vitest";
import { type TestServer, TestSocket, connect, token } from "../harness.ts";
import { createChannel, describeScaleOut, eventually, findServices } from "../scale-out/cluster.ts";

const services = await findServices("chat features across instances (PostgreSQL + Redis)");

await describeScaleOut(services, "chat features across two instances", (cluster) => {
  const two = async () =>
    (await Promise.all([0, 1].map(() => cluster.instance()))) as [TestServer, TestServer];
  const open = async (t: TestServer, url: string, user: string, since?: number) =>
    cluster.closeAfterTest(await connect(t, url, user, since));

  it("typing, read receipts, edits and deletes reach a member on the other instance; resume there replays them", async () => {
    const [i1, i2] = await two();
    await createChannel(i1.url, "x_features", ["1", "2"]);
    const a = await open(i1, "x_features", "1");
    const b = await open(i2, "x_features", "2");
    a.send({ type: "TYPING_START" });
    expect(await b.type("TYPING")).toMatchObject({ user_id: 1, typing: true, expires_in_ms: 5000 });
    a.send({ type: "TYPING_STOP" });
    expect(await b.next((f) => f.type === "TYPING" && f.typing === false)).toMatchObject({ user_id: 1 });

    a.send({ type: "MESG", message: "helo", req_id: "m1" });
    await b.type("MESG");
    a.send({ type: "EDIT", target_seq: 1, message: "hello", req_id: "e1" });
    expect(await b.type("MESSAGE_UPDATED")).toMatchObject({ seq: 2, target_seq: 1, message: "hello" });
    b.send({ type: "READ", seq: 2 });
    expect(await a.type("READ_RECEIPT")).toMatchObject({ user_id: 2, seq: 2 });
    const res = await i2.api("/api/v1/chat/channels/x_features/messages/1", {
      method: "DELETE",
      token: await token("1"),
    });
    expect(res.status).toBe(204);
    expect(await a.type("MESSAGE_DELETED")).toMatchObject({ seq: 3, target_seq: 1 });
    const unread = await (
      await i1.api("/api/v1/chat/channels/x_features/unread", { token: await token("2") })
    ).json();
    expect(unread).toMatchObject({ last_read_seq: 2, last_seq: 3, unread_count: 0 });
    const c = await open(i2, "x_features", "2", 0);
    await c.type("MESSAGE_DELETED");
    expect(
      c.frames.filter((f) => f.type !== "CONNECTED" && typeof f.seq === "number").map((f) => f.type),
    ).toEqual(["MESG", "MESSAGE_UPDATED", "MESSAGE_DELETED"]);
  });

  it("a ban on one instance kicks the member's socket on the other and refuses its reconnect there; mute and freeze apply there at once", async () => {
    const [i1, i2] = await two();
    await createChannel(i1.url, "x_mod", ["1", "2", "3"]);
    const watcher = await open(i2, "x_mod", "1");
    const banned = await open(i2, "x_mod", "2");
    const muted = await open(i2, "x_mod", "3");
    // Warm instance 2's cached moderation state, which the change must invalidate.
    muted.send({ type: "MESG", message: "before", req_id: "warm" });
    await muted.next((f) => f.type === "ACK");
    await i1.api("/api/v1/chat/channels/x_mod/bans", { method: "POST", json: { user_ids: ["2"] } });
    expect(await banned.closed()).toBe(4403);
    expect(banned.frames.find((f) => f.type === "ERROR")).toMatchObject({ code: "BANNED" });
    expect(await watcher.next((f) => f.type === "MODERATION")).toMatchObject({ action: "ban", user_id: 2 });
    const again = cluster.closeAfterTest(
      TestSocket.open(`${i2.wsUrl}/api/v1/chat/ws/x_mod?token=${await token("2")}`),
    );
    expect(await again.closed()).toBe(4403);
    expect(again.frames.find((f) => f.type === "ERROR")).toMatchObject({ code: "BANNED" });
    await i1.api("/api/v1/chat/channels/x_mod/mutes", { method: "POST", json: { user_ids: ["3"] } });
    await muted.next((f) => f.type === "MODERATION" && f.action === "mute");
    muted.send({ type: "MESG", message: "muted?", req_id: "mm" });
    expect(await muted.next((f) => f.type === "ERROR" && f.req_id === "mm")).toMatchObject({
      code: "MUTED",
    });
    await i1.api("/api/v1/chat/channels/x_mod/freeze", { method: "PUT", json: { frozen: true } });
    await watcher.next((f) => f.type === "MODERATION" && f.action === "freeze");
    watcher.send({ type: "MESG", message: "frozen?", req_id: "fz" });
    expect(await watcher.next((f) => f.type === "ERROR" && f.req_id === "fz")).toMatchObject({
      code: "FROZEN",
    });
    await eventually(async () => {
      const r = await i2.api("/api/v1/chat/channels/x_mod/moderation");
      const m = await r.json();
      return m.frozen === true && m.banned.length === 1 && m.muted.length === 1;
    }, "moderation state visible from instance 2");
  });
});
