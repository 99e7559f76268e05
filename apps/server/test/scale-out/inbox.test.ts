import { expect, it } from "vitest";
import { type TestServer, token } from "../harness.ts";
import { inboxPage, subscribe, userSocket } from "../inbox/support.ts";
import { createChannel, describeScaleOut, findServices } from "./cluster.ts";

const services = await findServices("scale-out inbox (PostgreSQL + Redis)");

await describeScaleOut(services, "scale-out: the inbox across instances", (cluster) => {
  it("inbox events reach the user on whatever instance holds the socket, and the list is the same from each", async () => {
    const [a, b] = await Promise.all([cluster.instance(), cluster.instance()]);
    const urls = ["so_inbox_1", "so_inbox_2", "so_inbox_3"];
    for (const url of urls) await createChannel(a.url, url, ["so1", "so2"]);
    const post = (t: TestServer, url: string, message: string) =>
      t.api(`/api/v1/chat/channels/${url}/messages`, { method: "POST", json: { user_id: "so2", message } });
    // User so1 on instance B, subscribed to one channel; everything else happens on A.
    const { s } = await userSocket(b, "so1");
    cluster.closeAfterTest(s);
    expect((await subscribe(s, urls[0]!)).type).toBe("SUBSCRIBED");
    await post(a, urls[1]!, "to the inbox");
    expect(await s.type("INBOX_MESSAGE")).toMatchObject({
      channel_url: urls[1],
      entry: { message: "to the inbox" },
    });
    await post(a, urls[0]!, "to the subscription");
    expect(await s.next((f) => f.type === "MESG" && f.message === "to the subscription")).toMatchObject({
      seq: 1,
    });
    // A read on A (another device) reaches B's socket with exact counts.
    const read = await a.api(`/api/v1/chat/channels/${urls[1]}/read`, {
      method: "POST",
      json: { seq: 1 },
      token: await token("so1"),
    });
    expect(read.status).toBe(200);
    expect(await s.type("INBOX_READ")).toMatchObject({
      channel_url: urls[1],
      unread_count: 0,
      total_unread: 1,
    });
    // Membership changes made on A reach B live.
    await a.api(`/api/v1/chat/channels/${urls[2]}/members`, {
      method: "DELETE",
      json: { user_ids: ["so1"] },
    });
    expect(await s.type("INBOX_REMOVED")).toMatchObject({ channel_url: urls[2], reason: "removed" });
    await a.api(`/api/v1/chat/channels/${urls[2]}/members`, { method: "POST", json: { user_ids: ["so1"] } });
    expect(await s.type("INBOX_ADDED")).toMatchObject({ channel: { channel_url: urls[2] } });
    await a.api(`/api/v1/chat/channels/${urls[0]}/members`, {
      method: "DELETE",
      json: { user_ids: ["so1"] },
    });
    expect(await s.type("UNSUBSCRIBED")).toMatchObject({ channel_url: urls[0], code: "NOT_MEMBER" });
    // The same list from either instance, over the socket and REST.
    const fromB = await inboxPage(s);
    const fromA = await (await a.api("/api/v1/chat/users/so1/channels")).json();
    const rows = (r: { channels: Array<{ channel_url: string; unread_count: number }> }) =>
      r.channels.map((c) => [c.channel_url, c.unread_count]);
    expect(rows(fromB as never)).toEqual(rows(fromA));
    // Newest activity first: a message bumps a channel; joining it again does not.
    expect(rows(fromA)).toEqual([
      [urls[1], 0],
      [urls[2], 0],
    ]);
  });
});
