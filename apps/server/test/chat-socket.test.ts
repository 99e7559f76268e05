import { CloseCode } from "@podchat/protocol";
import { SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type TestServer, TestSocket, connect, createChannel, startServer, token } from "./harness.ts";

let t: TestServer;
beforeEach(async () => {
  t = await startServer();
});
afterEach(async () => {
  await t.close();
});

const wsPath = (url: string, q: string) => `${t.wsUrl}/api/v1/chat/ws/${url}?${q}`;

describe("seed WebSocket contract", () => {
  it("announces joins, delivers MESG in the seed's shape, and announces leaves", async () => {
    await createChannel(t, "pod_123_chat", ["1", "2", "3"], { data: { pod_id: 123 } });
    const a = await connect(t, "pod_123_chat", "1");
    const joinedA = await a.type("USER_JOINED");
    expect(joinedA).toMatchObject({ type: "USER_JOINED", channel_url: "pod_123_chat", user_id: 1 });
    const b = await connect(t, "pod_123_chat", "2");
    const joinedB = await a.next((f) => f.type === "USER_JOINED" && f.user_id === 2);
    expect(typeof joinedB.timestamp).toBe("string");
    expect(new Date(joinedB.timestamp as string).toISOString()).toBe(joinedB.timestamp);

    a.send({ type: "MESG", message: "안녕하세요!" });
    const got = await b.type("MESG");
    expect(got).toMatchObject({
      type: "MESG",
      channel_url: "pod_123_chat",
      user_id: 1,
      message: "안녕하세요!",
      seq: 1,
    });
    expect(Object.keys(got).slice(0, 5)).toEqual(["type", "channel_url", "user_id", "message", "timestamp"]);
    expect(typeof got.message_id).toBe("string");
    expect(Number.isNaN(Date.parse(got.timestamp as string))).toBe(false);
    expect(await a.type("MESG")).toEqual(got);

    b.close();
    const left = await a.type("USER_LEFT");
    expect(left).toMatchObject({ type: "USER_LEFT", channel_url: "pod_123_chat", user_id: 2 });
    a.close();
  });

  it("keeps string user ids as strings", async () => {
    await createChannel(t, "strings", ["alice", "007"]);
    const a = await connect(t, "strings", "alice");
    const b = await connect(t, "strings", "007");
    b.send({ type: "MESG", message: "hi" });
    expect((await a.type("MESG")).user_id).toBe("007");
    expect((await b.next((f) => f.type === "USER_JOINED" && f.user_id === "007")).user_id).toBe("007");
    a.close();
    b.close();
  });

  it("delivers every message to every member in the same order", async () => {
    await createChannel(t, "order", ["1", "2", "3"]);
    const socks = [
      await connect(t, "order", "1"),
      await connect(t, "order", "2"),
      await connect(t, "order", "3"),
    ];
    for (let i = 0; i < 60; i++) socks[i % 3]!.send({ type: "MESG", message: `m${i}` });
    const seen = await Promise.all(socks.map((s) => s.waitMessages(60)));
    const orders = seen.map((msgs) => msgs.map((m) => `${m.seq}:${m.message}`));
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
    expect(seen[0]!.map((m) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    for (const s of socks) s.close();
  });

  it("accepts FILE and IMAGE frames", async () => {
    await createChannel(t, "files", ["1"]);
    const a = await connect(t, "files", "1");
    a.send({ type: "FILE", message: "report.pdf" });
    a.send({
      type: "IMAGE",
      message: "photo",
      file: {
        url: "https://files.example/p.png",
        name: "p.png",
        size: 10,
        mime_type: "image/png",
        width: 4,
        height: 3,
      },
    });
    const [f, i] = await a.waitMessages(2);
    expect(f).toMatchObject({ type: "FILE", message: "report.pdf", seq: 1 });
    expect(i).toMatchObject({ type: "IMAGE", seq: 2, file: { name: "p.png", width: 4 } });
    a.close();
  });
});

describe("refusals", () => {
  beforeEach(async () => {
    await createChannel(t, "room", ["1", "2"]);
  });

  async function refused(url: string) {
    const s = TestSocket.open(url);
    await s.opened;
    const err = await s.type("ERROR");
    const code = await s.closed();
    expect(err.close_code).toBe(code);
    return { err, code };
  }

  it("refuses a missing token with 4401", async () => {
    const { err, code } = await refused(wsPath("room", ""));
    expect(code).toBe(CloseCode.UNAUTHORIZED);
    expect(err.code).toBe("UNAUTHORIZED");
  });

  it("refuses a token signed with another key, an expired one, and alg none", async () => {
    const wrong = await token("1", { secret: "another-secret-another-secret-123" });
    expect((await refused(wsPath("room", `token=${wrong}`))).code).toBe(4401);
    const expired = await token("1", { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const e = await refused(wsPath("room", `token=${expired}`));
    expect(e.code).toBe(4401);
    expect(e.err.message).toMatch(/expired/);
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(
      JSON.stringify({ sub: "1", exp: Math.floor(Date.now() / 1000) + 3600 }),
    ).toString("base64url")}.`;
    expect((await refused(wsPath("room", `token=${none}`))).code).toBe(4401);
    const hs512 = await new SignJWT({})
      .setProtectedHeader({ alg: "HS512" })
      .setSubject("1")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("dev-only-jwt-secret-change-me-0123456789"));
    expect((await refused(wsPath("room", `token=${hs512}`))).code).toBe(4401);
  });

  it("refuses an unknown channel with 4404 and a non-member with 4403", async () => {
    const tok = await token("1");
    const missing = await refused(wsPath("nope", `token=${tok}`));
    expect(missing.code).toBe(CloseCode.CHANNEL_NOT_FOUND);
    expect(missing.err.code).toBe("CHANNEL_NOT_FOUND");
    const outsider = await refused(wsPath("room", `token=${await token("99")}`));
    expect(outsider.code).toBe(CloseCode.FORBIDDEN);
    expect(outsider.err.code).toBe("NOT_MEMBER");
  });

  it("refuses a malformed since_seq with 4400", async () => {
    const r = await refused(wsPath("room", `token=${await token("1")}&since_seq=-3`));
    expect(r.code).toBe(CloseCode.BAD_REQUEST);
  });

  it("closes the sockets of a removed member with 4403", async () => {
    const s = await connect(t, "room", "2");
    const res = await t.api("/api/v1/chat/channels/room/members", {
      method: "DELETE",
      json: { user_ids: ["2"] },
    });
    expect(res.status).toBe(200);
    const err = await s.type("ERROR");
    expect(err.code).toBe("NOT_MEMBER");
    expect(await s.closed()).toBe(CloseCode.FORBIDDEN);
  });
});

describe("dev test endpoint", () => {
  it("joins without a token in dev", async () => {
    await createChannel(t, "dev_room", ["5"]);
    const s = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/dev_room/test?user_id=5`);
    await s.opened;
    expect(await s.type("CONNECTED")).toMatchObject({ user_id: 5, channel_url: "dev_room" });
    s.send({ type: "MESG", message: "test" });
    expect(await s.type("MESG")).toMatchObject({ user_id: 5, message: "test" });
    s.close();
  });

  it("does not exist outside dev (404), whatever the config says", async () => {
    const stg = await startServer({
      env: {
        APP_ENV: "stg",
        JWT_SECRET: "stg-secret-stg-secret-stg-secret",
        API_KEYS: "stg-api-key-123",
        ADMIN_PASSWORD: "s3cret-pass",
      },
      overrides: { store: { driver: "sqlite" }, bus: { driver: "memory" } },
    });
    try {
      const s = TestSocket.open(`${stg.wsUrl}/api/v1/chat/ws/room/test?user_id=1`);
      await expect(s.opened).rejects.toThrow(/404/);
      const tokened = TestSocket.open(`${stg.wsUrl}/api/v1/chat/ws/room?token=x`);
      await tokened.opened;
      expect((await tokened.type("ERROR")).code).toBe("UNAUTHORIZED");
    } finally {
      await stg.close();
    }
  });
});

describe("durability, resume and idempotency", () => {
  it("replays exactly what came after since_seq, in order, before live messages", async () => {
    await createChannel(t, "resume", ["1", "2"]);
    const a = await connect(t, "resume", "1");
    for (let i = 1; i <= 10; i++) a.send({ type: "MESG", message: `m${i}` });
    await a.waitMessages(10);
    const b = await connect(t, "resume", "2", 4);
    a.send({ type: "MESG", message: "live" });
    const msgs = await b.waitMessages(7);
    expect(msgs.map((m) => m.seq)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(msgs.at(-1)!.message).toBe("live");
    await new Promise((r) => setTimeout(r, 100));
    expect(b.messages()).toHaveLength(7);
    a.close();
    b.close();
  });

  it("keeps messages across a restart and resumes from since_seq", async () => {
    await createChannel(t, "restart", ["1", "2"]);
    const a = await connect(t, "restart", "1");
    for (let i = 1; i <= 5; i++) a.send({ type: "MESG", message: `before ${i}`, req_id: `r${i}` });
    for (let i = 1; i <= 5; i++) await a.next((f) => f.type === "ACK" && f.req_id === `r${i}`);
    await t.close();
    t = await startServer({ dbPath: t.dbPath });
    const b = await connect(t, "restart", "2", 2);
    const msgs = await b.waitMessages(3);
    expect(msgs.map((m) => m.message)).toEqual(["before 3", "before 4", "before 5"]);
    const c = await connect(t, "restart", "1", 5);
    c.send({ type: "MESG", message: "after" });
    expect((await b.next((f) => f.message === "after")).seq).toBe(6);
    b.close();
    c.close();
  });

  it("acknowledges a durable send with req_id, message_id and seq; a repeated req_id is stored once", async () => {
    await createChannel(t, "idem", ["1", "2"]);
    const a = await connect(t, "idem", "1");
    const b = await connect(t, "idem", "2");
    a.send({ type: "MESG", message: "once", req_id: "abc" });
    const ack = await a.type("ACK");
    expect(ack).toMatchObject({ type: "ACK", req_id: "abc", seq: 1 });
    a.send({ type: "MESG", message: "once", req_id: "abc" });
    const ack2 = await a.type("ACK");
    expect(ack2).toMatchObject({ req_id: "abc", seq: 1, message_id: ack.message_id, duplicate: true });
    a.send({ type: "MESG", message: "next", req_id: "def" });
    await b.next((f) => f.message === "next");
    expect(b.messages().map((m) => m.seq)).toEqual([1, 2]);
    const hist = await (await t.api("/api/v1/chat/channels/idem/messages")).json();
    expect(hist.messages.map((m: { message: string }) => m.message)).toEqual(["once", "next"]);
    a.close();
    b.close();
  });

  it("tells a client how much it cannot replay (gap) beyond resume_max_messages", async () => {
    await t.close();
    t = await startServer({ overrides: { limits: { resume_max_messages: 3 } } });
    await createChannel(t, "gap", ["1", "2"]);
    const a = await connect(t, "gap", "1");
    for (let i = 1; i <= 8; i++) a.send({ type: "MESG", message: `m${i}` });
    await a.waitMessages(8);
    const q = new URLSearchParams({ token: await token("2"), since_seq: "1" });
    const b = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/gap?${q}`);
    const connected = await b.type("CONNECTED");
    expect(connected).toMatchObject({ last_seq: 8, since_seq: 1, gap: { from_seq: 2, to_seq: 5 } });
    expect((await b.waitMessages(3)).map((m) => m.seq)).toEqual([6, 7, 8]);
    a.close();
    b.close();
  });
});

describe("bad input", () => {
  let a: TestSocket;
  let b: TestSocket;
  beforeEach(async () => {
    await createChannel(t, "bad", ["1", "2"]);
    a = await connect(t, "bad", "1");
    b = await connect(t, "bad", "2");
  });
  afterEach(() => {
    a.close();
    b.close();
  });

  it("answers malformed, unknown and invalid frames with ERROR and keeps the socket open", async () => {
    a.send("{not json");
    expect((await a.type("ERROR")).code).toBe("MALFORMED_FRAME");
    a.send("[1,2]");
    expect((await a.type("ERROR")).code).toBe("MALFORMED_FRAME");
    a.send({ type: "HACK", req_id: "x1" });
    expect(await a.type("ERROR")).toMatchObject({ code: "UNKNOWN_TYPE", req_id: "x1" });
    a.send({ type: "MESG" });
    const invalid = await a.type("ERROR");
    expect(invalid.code).toBe("INVALID_FRAME");
    expect(invalid.message).toMatch(/message/);
    a.send({ type: "MESG", message: 42 });
    expect((await a.type("ERROR")).code).toBe("INVALID_FRAME");
    a.send({ type: "MESG", message: "" });
    expect((await a.type("ERROR")).code).toBe("INVALID_FRAME");
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await a.type("ERROR")).code).toBe("BINARY_NOT_SUPPORTED");
    a.send({ type: "MESG", message: "still here" });
    expect((await b.type("MESG")).message).toBe("still here");
    expect(b.messages()).toHaveLength(1);
    expect(a.closeCode).toBeNull();
  });

  it("closes an oversize frame with an ERROR and 1009, storing nothing", async () => {
    a.send({ type: "MESG", message: "x".repeat(70 * 1024) });
    expect((await a.type("ERROR")).code).toBe("FRAME_TOO_LARGE");
    expect(await a.closed()).toBe(1009);
    const hist = await (await t.api("/api/v1/chat/channels/bad/messages")).json();
    expect(hist.messages).toEqual([]);
    expect(b.messages()).toEqual([]);
  });

  it("cuts a frame far beyond the limit at the transport with 1009", async () => {
    a.send("y".repeat(64 * 1024 * 5));
    expect(await a.closed()).toBe(1009);
    expect(b.closeCode).toBeNull();
  });

  it("answers PING with PONG", async () => {
    a.send({ type: "PING", ts: 123 });
    expect(await a.type("PONG")).toEqual({ type: "PONG", ts: 123 });
  });
});

describe("drain", () => {
  it("closes sockets with 1001 and refuses new ones while draining", async () => {
    await createChannel(t, "drain", ["1"]);
    const a = await connect(t, "drain", "1");
    const drained = t.server.drain(2000);
    expect(await a.closed()).toBe(CloseCode.GOING_AWAY);
    await drained;
  });
});
