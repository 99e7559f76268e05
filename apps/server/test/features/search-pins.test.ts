import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Frame,
  type TestServer,
  type TestSocket,
  connect,
  createChannel,
  startServer,
  token,
} from "../harness.ts";
import { subscribe, userSocket } from "../inbox/support.ts";

let t: TestServer;
let n = 0;
const fresh = (p: string) => `${p}_${++n}`;
const sockets: TestSocket[] = [];
const C = "/api/v1/chat/channels";

beforeAll(async () => {
  t = await startServer();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t.close();
});

async function post(url: string, message: string, user = "1"): Promise<Frame> {
  const res = await t.api(`${C}/${url}/messages`, { method: "POST", json: { message, user_id: user } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Frame;
}
const asUser = async (user: string, path: string, init: RequestInit & { json?: unknown } = {}) =>
  t.api(path, { ...init, token: await token(user) });

describe("message search over REST", () => {
  it("finds a channel's messages (Korean two-syllable words too), newest first, paged by cursor", async () => {
    const url = fresh("search");
    await createChannel(t, url, ["1", "2"]);
    await post(url, "안녕하세요 여러분");
    await post(url, "채팅방에 오신 것을 환영합니다");
    await post(url, "안녕히 가세요", "2");
    const res = await asUser("2", `${C}/${url}/messages/search?q=${encodeURIComponent("안녕")}&limit=1`);
    expect(res.status).toBe(200);
    const first = (await res.json()) as { messages: Frame[]; next_cursor: string | null };
    expect(first.messages.map((m) => m.message)).toEqual(["안녕히 가세요"]);
    expect(first.messages[0]).toMatchObject({ type: "MESG", channel_url: url, user_id: 2, seq: 3 });
    expect(first.next_cursor).toEqual(expect.any(String));
    const next = await asUser(
      "2",
      `${C}/${url}/messages/search?q=${encodeURIComponent("안녕")}&limit=1&cursor=${first.next_cursor}`,
    );
    const second = (await next.json()) as { messages: Frame[]; next_cursor: string | null };
    expect(second.messages.map((m) => m.message)).toEqual(["안녕하세요 여러분"]);
    expect(second.next_cursor).toBeNull();
    const key = await t.api(`${C}/${url}/messages/search?q=${encodeURIComponent("채팅")}`);
    expect(((await key.json()) as { messages: Frame[] }).messages.map((m) => m.seq)).toEqual([2]);
  });

  it("refuses bad queries with VALIDATION_FAILED, non-members with NOT_MEMBER, other users' searches with FORBIDDEN", async () => {
    const url = fresh("search_bad");
    await createChannel(t, url, ["1"]);
    for (const q of ["", "%20%20", "a%0Ab", "x".repeat(201)]) {
      const res = await t.api(`${C}/${url}/messages/search?q=${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_FAILED");
    }
    expect((await t.api(`${C}/${url}/messages/search`)).status).toBe(400);
    expect((await t.api(`${C}/${url}/messages/search?q=a&limit=500`)).status).toBe(400);
    expect((await t.api(`${C}/${url}/messages/search?q=a&cursor=notacursor`)).status).toBe(400);
    const outsider = await asUser("9", `${C}/${url}/messages/search?q=hello`);
    expect(outsider.status).toBe(403);
    expect(((await outsider.json()) as { error: { code: string } }).error.code).toBe("NOT_MEMBER");
    expect((await t.api(`${C}/missing_channel/messages/search?q=hello`)).status).toBe(404);
    expect((await asUser("1", "/api/v1/chat/users/2/messages/search?q=hello")).status).toBe(403);
    expect((await t.api("/api/v1/chat/users/2/messages/search?q=hello", { noKey: true })).status).toBe(401);
  });

  it("searches across the user's own channels only", async () => {
    const a = fresh("xs_a");
    const b = fresh("xs_b");
    const other = fresh("xs_other");
    await createChannel(t, a, ["41", "42"]);
    await createChannel(t, b, ["41"]);
    await createChannel(t, other, ["42"]);
    await post(a, "quarterly report draft", "42");
    await post(other, "quarterly report secret", "42");
    await post(b, "the quarterly report is done", "41");
    const res = await asUser("41", "/api/v1/chat/users/41/messages/search?q=quarterly%20report");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messages: Frame[] };
    expect(body.messages.map((m) => [m.channel_url, m.message])).toEqual([
      [b, "the quarterly report is done"],
      [a, "quarterly report draft"],
    ]);
    const key = await t.api("/api/v1/chat/users/42/messages/search?q=secret");
    expect(((await key.json()) as { messages: Frame[] }).messages.map((m) => m.channel_url)).toEqual([other]);
  });
});

describe("pins over REST, with live events on both socket endpoints", () => {
  it("an operator pins and unpins; members see MESSAGE_PINNED / MESSAGE_UNPINNED; others are FORBIDDEN", async () => {
    const url = fresh("pins");
    await createChannel(t, url, ["1", "2"]);
    expect((await t.api(`${C}/${url}/operators`, { method: "POST", json: { user_ids: ["1"] } })).status).toBe(
      200,
    );
    const m = await post(url, "read the rules", "2");
    const channelSocket = await connect(t, url, "2");
    sockets.push(channelSocket);
    const { s: userConn } = await userSocket(t, "2");
    sockets.push(userConn);
    expect((await subscribe(userConn, url)).type).toBe("SUBSCRIBED");

    const refused = await asUser("2", `${C}/${url}/pins/${m.seq}`, { method: "POST" });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");

    const pinned = await asUser("1", `${C}/${url}/pins/${m.seq}`, { method: "POST" });
    expect(pinned.status).toBe(201);
    expect(await pinned.json()).toMatchObject({
      channel_url: url,
      seq: m.seq,
      pinned_by: 1,
      message: { message_id: m.message_id, message: "read the rules" },
    });
    const event = { channel_url: url, seq: m.seq, message_id: m.message_id, user_id: 1 };
    expect(await channelSocket.type("MESSAGE_PINNED")).toMatchObject(event);
    expect(await userConn.type("MESSAGE_PINNED")).toMatchObject(event);
    expect((await asUser("1", `${C}/${url}/pins/${m.seq}`, { method: "POST" })).status).toBe(200);

    const list = await asUser("2", `${C}/${url}/pins`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { pins: Frame[] }).pins.map((p) => p.seq)).toEqual([m.seq]);
    expect((await asUser("9", `${C}/${url}/pins`)).status).toBe(403);

    expect((await t.api(`${C}/${url}/pins/${m.seq}`, { method: "DELETE" })).status).toBe(204);
    expect(await channelSocket.type("MESSAGE_UNPINNED")).toMatchObject({ ...event, user_id: null });
    expect(await userConn.type("MESSAGE_UNPINNED")).toMatchObject({ ...event, user_id: null });
    expect(((await (await t.api(`${C}/${url}/pins`)).json()) as { pins: Frame[] }).pins).toEqual([]);
    // One event each: a repeat pin and an unpin of nothing announce nothing.
    expect((await t.api(`${C}/${url}/pins/${m.seq}`, { method: "DELETE" })).status).toBe(204);
    expect(channelSocket.frames.filter((f) => f.type.startsWith("MESSAGE_")).map((f) => f.type)).toEqual([
      "MESSAGE_PINNED",
      "MESSAGE_UNPINNED",
    ]);
  });

  it("answers MESSAGE_NOT_FOUND for a missing message and VALIDATION_FAILED for a bad seq", async () => {
    const url = fresh("pins_bad");
    await createChannel(t, url, ["1"]);
    const missing = await t.api(`${C}/${url}/pins/42`, { method: "POST" });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("MESSAGE_NOT_FOUND");
    expect((await t.api(`${C}/${url}/pins/0`, { method: "POST" })).status).toBe(400);
    expect((await t.api(`${C}/${url}/pins/abc`, { method: "DELETE" })).status).toBe(400);
    expect((await t.api(`${C}/nope_nope/pins`)).status).toBe(404);
  });
});
