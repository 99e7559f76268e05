import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Frame,
  type TestServer,
  TestSocket,
  connect,
  createChannel,
  startServer,
  token,
} from "../harness.ts";

let t: TestServer;
let n = 0;
const fresh = (p: string) => `${p}_${++n}`;
const sockets: TestSocket[] = [];
const open = async (url: string, user: string, since?: number) => {
  const s = await connect(t, url, user, since);
  sockets.push(s);
  return s;
};
/** Sends a MESG with req_id and resolves with its ACK. */
async function send(s: TestSocket, message: string, reqId: string): Promise<Frame> {
  s.send({ type: "MESG", message, req_id: reqId });
  return s.next((f) => (f.type === "ACK" || f.type === "ERROR") && f.req_id === reqId);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  t = await startServer({ overrides: { realtime: { typing_expires_ms: 1000 } } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t.close();
});

describe("typing indicators", () => {
  it("reach the others (not the sender), expire by themselves, and stop when the socket closes", async () => {
    const url = fresh("typing");
    await createChannel(t, url, ["1", "2"]);
    const a = await open(url, "1");
    const b = await open(url, "2");
    a.send({ type: "TYPING_START" });
    expect(await b.type("TYPING")).toMatchObject({ user_id: 1, typing: true, expires_in_ms: 1000 });
    const started = Date.now();
    expect(await b.next((f) => f.type === "TYPING" && f.typing === false, 3000)).toMatchObject({
      user_id: 1,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    a.send({ type: "TYPING_START" });
    await b.next((f) => f.type === "TYPING" && f.typing === true);
    a.close();
    expect(await b.next((f) => f.type === "TYPING" && f.typing === false, 1500)).toMatchObject({
      user_id: 1,
    });
    expect(a.frames.filter((f) => f.type === "TYPING")).toEqual([]);
  });

  it("coalesces a burst of starts into one, never counted as flooding, and TYPING_STOP ends it", async () => {
    const url = fresh("typing_burst");
    await createChannel(t, url, ["1", "2"]);
    const a = await open(url, "1");
    const b = await open(url, "2");
    for (let i = 0; i < 200; i++) a.send({ type: "TYPING_START" });
    a.send({ type: "TYPING_STOP" });
    await b.next((f) => f.type === "TYPING" && f.typing === false);
    await sleep(100);
    expect(b.frames.filter((f) => f.type === "TYPING")).toHaveLength(2);
    expect(a.frames.filter((f) => f.type === "ERROR")).toEqual([]);
    expect((await send(a, "still fine", "after-typing")).type).toBe("ACK");
    expect(a.closeCode).toBeNull();
  });
});

describe("read receipts", () => {
  it("a READ frame moves the mark, others see READ_RECEIPT, and REST answers unread counts", async () => {
    const url = fresh("reads");
    await createChannel(t, url, ["1", "2", "3"]);
    const a = await open(url, "1");
    const b = await open(url, "2");
    for (let i = 1; i <= 3; i++) await send(a, `m${i}`, `r${i}`);
    const tok2 = await token("2");
    let unread = await (await t.api(`/api/v1/chat/channels/${url}/unread`, { token: tok2 })).json();
    expect(unread).toEqual({ channel_url: url, user_id: 2, last_read_seq: 0, last_seq: 3, unread_count: 3 });
    b.send({ type: "READ", seq: 2 });
    expect(await a.type("READ_RECEIPT")).toMatchObject({ channel_url: url, user_id: 2, seq: 2 });
    unread = await (await t.api(`/api/v1/chat/channels/${url}/unread`, { token: tok2 })).json();
    expect(unread).toMatchObject({ last_read_seq: 2, unread_count: 1 });
    // The sender's own messages are never unread for it.
    unread = await (await t.api(`/api/v1/chat/channels/${url}/unread`, { token: await token("1") })).json();
    expect(unread).toMatchObject({ last_read_seq: 0, unread_count: 0 });
    // REST mark, clamped to last_seq, never moving backwards.
    const res = await t.api(`/api/v1/chat/channels/${url}/read`, {
      method: "POST",
      token: await token("3"),
      json: { seq: 99 },
    });
    expect(await res.json()).toMatchObject({ user_id: 3, last_read_seq: 3, unread_count: 0 });
    expect(await b.next((f) => f.type === "READ_RECEIPT" && f.user_id === 3)).toMatchObject({ seq: 3 });
    b.send({ type: "READ", seq: 1 });
    await a.next((f) => f.type === "READ_RECEIPT" && f.user_id === 2 && f.seq === 2);
    const state = await (await t.api(`/api/v1/chat/channels/${url}/read-state`)).json();
    expect(state).toEqual({
      channel_url: url,
      members: [
        { user_id: 1, last_read_seq: 0 },
        { user_id: 2, last_read_seq: 2 },
        { user_id: 3, last_read_seq: 3 },
      ],
    });
    expect((await t.api(`/api/v1/chat/channels/${url}/unread`)).status).toBe(400);
  });
});

describe("edit and delete", () => {
  it("edits and deletes over the socket as seq-log entries, reflected in history and replayed on resume", async () => {
    const url = fresh("edits");
    await createChannel(t, url, ["1", "2"]);
    const a = await open(url, "1");
    const b = await open(url, "2");
    const m1 = await send(a, "helo", "e1");
    await send(b, "b's", "e2");
    a.send({ type: "EDIT", target_seq: 1, message: "hello", data: { k: 1 }, req_id: "edit-1" });
    const ack = await a.next((f) => f.type === "ACK" && f.req_id === "edit-1");
    expect(ack).toMatchObject({ message_id: m1.message_id, seq: 3 });
    expect(await b.type("MESSAGE_UPDATED")).toMatchObject({
      seq: 3,
      target_seq: 1,
      message_id: m1.message_id,
      user_id: 1,
      message: "hello",
      data: { k: 1 },
    });
    // Only the author edits; a missing target is MESSAGE_NOT_FOUND.
    b.send({ type: "EDIT", target_seq: 1, message: "hijack", req_id: "edit-2" });
    expect(await b.next((f) => f.type === "ERROR" && f.req_id === "edit-2")).toMatchObject({
      code: "NOT_AUTHOR",
    });
    a.send({ type: "DELETE", target_seq: 42, req_id: "del-x" });
    expect(await a.next((f) => f.type === "ERROR" && f.req_id === "del-x")).toMatchObject({
      code: "MESSAGE_NOT_FOUND",
    });
    a.send({ type: "DELETE", target_seq: 2, req_id: "del-2" });
    expect(await a.next((f) => f.type === "ERROR" && f.req_id === "del-2")).toMatchObject({
      code: "NOT_AUTHOR",
    });
    a.send({ type: "DELETE", target_seq: 1, req_id: "del-1" });
    expect(await a.next((f) => f.type === "ACK" && f.req_id === "del-1")).toMatchObject({ seq: 4 });
    expect(await b.type("MESSAGE_DELETED")).toMatchObject({ seq: 4, target_seq: 1, user_id: 1 });
    a.send({ type: "EDIT", target_seq: 1, message: "too late", req_id: "edit-3" });
    expect(await a.next((f) => f.type === "ERROR" && f.req_id === "edit-3")).toMatchObject({
      code: "MESSAGE_NOT_FOUND",
    });

    const history = await (await t.api(`/api/v1/chat/channels/${url}/messages`)).json();
    expect(history.messages.map((m: Frame) => m.seq)).toEqual([1, 2]);
    expect(history.messages[0]).toMatchObject({ seq: 1, deleted: true, message: "" });
    expect(history.messages[0].data).toBeUndefined();
    expect(history.messages[0].edited_at).toEqual(expect.any(String));

    // Resume from seq 1 replays the rest of the log, edits and deletes included, in order.
    const c = await open(url, "2", 1);
    await c.next((f) => f.type === "MESSAGE_DELETED");
    expect(
      c.frames.filter((f) => typeof f.seq === "number" && f.type !== "CONNECTED").map((f) => [f.type, f.seq]),
    ).toEqual([
      ["MESG", 2],
      ["MESSAGE_UPDATED", 3],
      ["MESSAGE_DELETED", 4],
    ]);
  });

  it("edits and deletes over REST: author, operator and API key; others are refused", async () => {
    const url = fresh("rest_edits");
    await createChannel(t, url, ["1", "2", "3"]);
    const b = await open(url, "2");
    for (const [u, msg] of [
      ["1", "one"],
      ["1", "two"],
      ["3", "three"],
    ] as const) {
      await t.api(`/api/v1/chat/channels/${url}/messages`, {
        method: "POST",
        json: { user_id: u, message: msg },
      });
    }
    const patch = (seq: number, tok: string | undefined, json: unknown) =>
      t.api(`/api/v1/chat/channels/${url}/messages/${seq}`, {
        method: "PATCH",
        json,
        ...(tok ? { token: tok } : {}),
      });
    const del = (seq: number, tok?: string) =>
      t.api(`/api/v1/chat/channels/${url}/messages/${seq}`, {
        method: "DELETE",
        ...(tok ? { token: tok } : {}),
      });
    const t1 = await token("1");
    const t2 = await token("2");
    let res = await patch(1, t1, { message: "ONE" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ seq: 1, message: "ONE", edited_at: expect.any(String) });
    expect(await b.type("MESSAGE_UPDATED")).toMatchObject({ target_seq: 1, seq: 4 });
    res = await patch(1, t2, { message: "nope" });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("NOT_AUTHOR");
    expect((await patch(9, t1, { message: "x" })).status).toBe(404);
    expect((await del(2, t2)).status).toBe(403);
    // An operator deletes someone else's message.
    await t.api(`/api/v1/chat/channels/${url}/operators`, { method: "POST", json: { user_ids: ["2"] } });
    expect((await del(2, t2)).status).toBe(204);
    expect(await b.next((f) => f.type === "MESSAGE_DELETED")).toMatchObject({ target_seq: 2, user_id: 2 });
    // The API key edits anyone's.
    expect((await patch(3, undefined, { message: "THREE" })).status).toBe(200);
    expect((await del(3)).status).toBe(204);
    const history = await (await t.api(`/api/v1/chat/channels/${url}/messages`)).json();
    expect(history.messages.map((m: Frame) => [m.message, m.deleted ?? false])).toEqual([
      ["ONE", false],
      ["", true],
      ["", true],
    ]);
  });
});

describe("moderation", () => {
  it("ban kicks a connected member with BANNED/4403, refuses its reconnect and REST sends; unban restores", async () => {
    const url = fresh("ban");
    await createChannel(t, url, ["1", "2"]);
    const a = await open(url, "1");
    const b = await open(url, "2");
    const res = await t.api(`/api/v1/chat/channels/${url}/bans`, {
      method: "POST",
      json: { user_ids: ["2"] },
    });
    expect(await res.json()).toMatchObject({ banned: [{ user_id: 2, until: null }] });
    expect(await a.type("MODERATION")).toMatchObject({ action: "ban", user_id: 2, until: null });
    expect(await b.closed()).toBe(4403);
    expect(b.frames.find((f) => f.type === "ERROR")).toMatchObject({ code: "BANNED", close_code: 4403 });
    const again = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/${url}?token=${await token("2")}`);
    sockets.push(again);
    expect(await again.closed()).toBe(4403);
    expect(again.frames.some((f) => f.type === "CONNECTED")).toBe(false);
    expect(again.frames.find((f) => f.type === "ERROR")).toMatchObject({ code: "BANNED" });
    const send2 = await t.api(`/api/v1/chat/channels/${url}/messages`, {
      method: "POST",
      token: await token("2"),
      json: { message: "let me in" },
    });
    expect(send2.status).toBe(403);
    expect((await send2.json()).error.code).toBe("BANNED");
    await t.api(`/api/v1/chat/channels/${url}/bans/2`, { method: "DELETE" });
    expect(await a.next((f) => f.type === "MODERATION" && f.action === "unban")).toMatchObject({
      user_id: 2,
    });
    const back = await open(url, "2");
    expect((await send(back, "back", "back-1")).type).toBe("ACK");
  });

  it("mute refuses sends with MUTED and the req_id; a timed mute lapses by itself", async () => {
    const url = fresh("mute");
    await createChannel(t, url, ["1", "2"]);
    const b = await open(url, "2");
    await t.api(`/api/v1/chat/channels/${url}/mutes`, {
      method: "POST",
      json: { user_ids: ["2"], seconds: 1 },
    });
    await b.type("MODERATION");
    expect(await send(b, "hush", "mute-1")).toMatchObject({ type: "ERROR", code: "MUTED", req_id: "mute-1" });
    b.send({ type: "EDIT", target_seq: 1, message: "x", req_id: "mute-edit" });
    expect(await b.next((f) => f.type === "ERROR" && f.req_id === "mute-edit")).toMatchObject({
      code: "MUTED",
    });
    await sleep(1100);
    expect(await send(b, "free again", "mute-2")).toMatchObject({ type: "ACK" });
  });

  it("freeze lets only operators send; operators (member JWT) moderate, other members may not", async () => {
    const url = fresh("freeze");
    await createChannel(t, url, ["1", "2", "3"]);
    const a = await open(url, "1");
    const b = await open(url, "2");
    const t1 = await token("1");
    const t2 = await token("2");
    const asMember = (tok: string, path: string, method: string, json?: unknown) =>
      t.api(`/api/v1/chat/channels/${url}${path}`, { method, token: tok, ...(json ? { json } : {}) });
    expect((await asMember(t2, "/freeze", "PUT", { frozen: true })).status).toBe(403);
    await t.api(`/api/v1/chat/channels/${url}/operators`, { method: "POST", json: { user_ids: [1] } });
    const frozen = await asMember(t1, "/freeze", "PUT", { frozen: true });
    expect(await frozen.json()).toMatchObject({ frozen: true, operators: [1] });
    await b.next((f) => f.type === "MODERATION" && f.action === "freeze");
    expect(await send(b, "hello?", "fz-1")).toMatchObject({ type: "ERROR", code: "FROZEN", req_id: "fz-1" });
    expect(await send(a, "operators only", "fz-2")).toMatchObject({ type: "ACK" });
    const rest = await t.api(`/api/v1/chat/channels/${url}/messages`, {
      method: "POST",
      json: { user_id: "3", message: "x" },
    });
    expect((await rest.json()).error.code).toBe("FROZEN");
    expect((await asMember(t1, "/mutes", "POST", { user_ids: ["3"] })).status).toBe(200);
    const state = await (await asMember(t2, "/moderation", "GET")).json();
    expect(state).toMatchObject({
      channel_url: url,
      frozen: true,
      operators: [1],
      muted: [{ user_id: 3, until: null }],
    });
    await asMember(t1, "/freeze", "PUT", { frozen: false });
    await b.next((f) => f.type === "MODERATION" && f.action === "unfreeze");
    expect(await send(b, "thaw", "fz-3")).toMatchObject({ type: "ACK" });
    expect((await asMember(t1, "/operators/1", "DELETE")).status).toBe(200);
    expect((await asMember(t1, "/freeze", "PUT", { frozen: true })).status).toBe(403);
  });
});

describe("OpenAPI", () => {
  it("lists the chat-feature routes with their schemas", async () => {
    const doc = await (await t.api("/openapi.json")).json();
    for (const p of [
      "/api/v1/chat/channels/{channel_url}/messages/{seq}",
      "/api/v1/chat/channels/{channel_url}/read",
      "/api/v1/chat/channels/{channel_url}/unread",
      "/api/v1/chat/channels/{channel_url}/read-state",
      "/api/v1/chat/channels/{channel_url}/moderation",
      "/api/v1/chat/channels/{channel_url}/operators",
      "/api/v1/chat/channels/{channel_url}/bans/{user_id}",
      "/api/v1/chat/channels/{channel_url}/mutes",
      "/api/v1/chat/channels/{channel_url}/freeze",
      "/api/v1/chat/channels/{channel_url}/files",
      "/api/v1/chat/files/{id}",
      "/api/v1/chat/files/{id}/thumbnail",
    ])
      expect(Object.keys(doc.paths)).toContain(p);
    expect(doc.components.schemas.ModerationState.required).toContain("frozen");
  });
});
