import type {
  MessageDeletedFrame,
  MessageUpdatedFrame,
  ModerationFrame,
  ReadReceiptFrame,
  TypingFrame,
} from "@podchat/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { applyChange } from "../src/apply.ts";
import type { PodchatChannel } from "../src/channel.ts";
import type { PodchatError } from "../src/errors.ts";
import { advance, record, setup } from "./helpers.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** `record` plus the new events. */
function recordAll(ch: PodchatChannel) {
  const log = record(ch);
  const extra = {
    updated: [] as MessageUpdatedFrame[],
    deleted: [] as MessageDeletedFrame[],
    receipts: [] as ReadReceiptFrame[],
    typing: [] as TypingFrame[],
    moderation: [] as ModerationFrame[],
  };
  ch.on("messageUpdated", (e) => {
    extra.updated.push(e);
    log.order.push(`u${e.seq}>${e.target_seq}`);
  });
  ch.on("messageDeleted", (e) => {
    extra.deleted.push(e);
    log.order.push(`d${e.seq}>${e.target_seq}`);
  });
  ch.on("readReceipt", (e) => extra.receipts.push(e));
  ch.on("typing", (e) => extra.typing.push(e));
  ch.on("moderation", (e) => extra.moderation.push(e));
  return { ...log, ...extra };
}

async function connected(options = {}) {
  const ctx = setup(options);
  const ch = ctx.client.channel("c1");
  const log = recordAll(ch);
  ch.connect();
  await advance();
  return { ...ctx, ch, log };
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: PodchatError) => e,
  );

describe("edit and delete", () => {
  it("edit sends EDIT with a req_id, resolves with the entry's seq from the ACK, and emits messageUpdated", async () => {
    const { server, ch, log } = await connected();
    const sent = await ch.send("hello");
    const result = ch.edit(sent.seq, "hello!", { data: { v: 2 } });
    expect(ch.outbox.map((o) => [o.type, o.targetSeq, o.status])).toEqual([["EDIT", 1, "sent"]]);
    await advance();
    const frame = server.latest.sentOf("EDIT")[0];
    expect(frame).toMatchObject({ type: "EDIT", target_seq: 1, message: "hello!", data: { v: 2 } });
    expect(typeof frame?.["req_id"]).toBe("string");
    await expect(result).resolves.toMatchObject({ seq: 2, duplicate: false, reqId: frame?.["req_id"] });
    expect(log.updated).toHaveLength(1);
    expect(log.updated[0]).toMatchObject({ seq: 2, target_seq: 1, message: "hello!" });
    expect(log.order).toEqual(["m1", "u2>1"]);
    expect(ch.lastSeq).toBe(2);
    expect(ch.outbox).toEqual([]);
  });

  it("delete sends DELETE, resolves from the ACK and emits messageDeleted", async () => {
    const { server, ch, log } = await connected();
    await ch.send("oops");
    await expect(ch.delete(1)).resolves.toMatchObject({ seq: 2 });
    expect(server.latest.sentOf("DELETE")[0]).toMatchObject({ type: "DELETE", target_seq: 1 });
    expect(log.deleted.map((d) => [d.seq, d.target_seq])).toEqual([[2, 1]]);
    expect(server.message("c1", 1)).toMatchObject({ deleted: true, message: "" });
  });

  it("an edit made while disconnected waits in the outbox and goes out after connecting", async () => {
    const { server, ch, log } = await connected();
    await ch.send("a");
    ch.disconnect();
    const result = ch.edit(1, "b");
    await advance(5_000);
    expect(ch.outbox[0]?.status).toBe("pending");
    ch.connect();
    await advance();
    await expect(result).resolves.toMatchObject({ seq: 2 });
    expect(log.order).toEqual(["m1", "u2>1"]);
    expect(server.latest.sentOf("EDIT")).toHaveLength(1);
  });

  it("an edit whose ACK was lost is resent with the same req_id and acknowledged as a duplicate, applied once", async () => {
    const { server, ch, log } = await connected();
    await ch.send("a");
    // The server stores the edit, then the connection dies before the ACK or the entry gets out.
    server.onSend = (socket, frame) => {
      if (frame["type"] !== "EDIT") return false;
      server.storeEdit("c1", 1, String(frame["message"]), String(frame["req_id"]), 1);
      socket.serverClose(1006);
      return true;
    };
    const result = ch.edit(1, "b");
    await advance();
    server.onSend = undefined;
    await advance(1_000);
    expect(server.sockets).toHaveLength(2);
    const [first] = server.sockets[0]?.sentOf("EDIT") ?? [];
    const [again] = server.latest.sentOf("EDIT");
    expect(again?.["req_id"]).toBe(first?.["req_id"]);
    await expect(result).resolves.toMatchObject({ seq: 2, duplicate: true });
    expect(log.order).toEqual(["m1", "u2>1"]);
  });

  it("rejects edits and deletions of others' or unknown messages with the server's code", async () => {
    const { server, ch } = await connected();
    server.post("c1", "not mine");
    await advance();
    expect((await rejection(ch.edit(1, "x")))?.code).toBe("NOT_AUTHOR");
    expect((await rejection(ch.delete(42)))?.code).toBe("MESSAGE_NOT_FOUND");
    expect((await rejection(ch.edit(1, "")))?.code).toBe("INVALID_FRAME");
  });
});

describe("seq log entries through resume and backfill", () => {
  it("replays edits and deletions made while away, in seq order with messages", async () => {
    const { server, ch, log } = await connected();
    server.post("c1", "1");
    server.post("c1", "2");
    await advance();
    server.latest.serverClose(1006);
    server.storeEdit("c1", 1, "1 edited");
    server.storeMessage("c1", "4");
    server.storeDelete("c1", 2);
    await advance(1_000);
    expect(server.latest.request?.sinceSeq).toBe(2);
    server.edit("c1", 4, "4 edited");
    await advance();
    expect(log.order).toEqual(["m1", "m2", "u3>1", "m4", "d5>2", "u6>4"]);
    expect(log.updated.map((u) => u.message)).toEqual(["1 edited", "4 edited"]);
    expect(ch.lastSeq).toBe(6);
  });

  it("drops repeated entries", async () => {
    const { server, log } = await connected();
    server.post("c1", "1");
    const e = server.edit("c1", 1, "x");
    server.latest.deliver(e);
    await advance();
    server.latest.deliver(e);
    await advance();
    expect(log.order).toEqual(["m1", "u2>1"]);
  });

  it("backfills a CONNECTED gap that holds edits and deletions; history() shows only messages, edited", async () => {
    const { server, ch, log } = await connected();
    server.post("c1", "1");
    await advance();
    server.latest.serverClose(1001);
    server.storeMessage("c1", "2"); // 2
    server.storeEdit("c1", 1, "1b"); // 3
    server.storeDelete("c1", 2); // 4
    server.storeMessage("c1", "5"); // 5
    server.storeEdit("c1", 5, "5b"); // 6
    server.replayLimit = 1;
    await advance(1_000);
    expect(log.gaps).toEqual([{ fromSeq: 2, toSeq: 5 }]);
    expect(log.order).toEqual(["m1", "gap2-5", "m2", "u3>1", "d4>2", "m5", "u6>5"]);
    const page = await ch.history({ afterSeq: 0 });
    expect(page.messages.map((m) => [m.seq, m.message, m.deleted ?? false])).toEqual([
      [1, "1b", false],
      [2, "", true],
      [5, "5b", false],
    ]);
  });

  it("holds a live entry that jumps ahead and fetches the hole first", async () => {
    const { server, log } = await connected();
    server.post("c1", "1");
    await advance();
    server.storeMessage("c1", "2");
    server.storeEdit("c1", 2, "2b");
    server.remove("c1", 1);
    await advance();
    expect(log.order).toEqual(["m1", "gap2-3", "m2", "u3>2", "d4>1"]);
  });
});

describe("moderation refusals", () => {
  it("MUTED and FROZEN reject the send, edit or delete for good: no retry", async () => {
    const { server, ch, log } = await connected();
    await ch.send("before");
    server.refuseWrites = "MUTED";
    const muted = await rejection(ch.send("hi"));
    expect(muted?.code).toBe("MUTED");
    expect(muted?.reqId).toBe(server.latest.sentOf("MESG")[1]?.["req_id"]);
    server.refuseWrites = "FROZEN";
    expect((await rejection(ch.edit(1, "x")))?.code).toBe("FROZEN");
    expect((await rejection(ch.delete(1)))?.code).toBe("FROZEN");
    await advance(60_000);
    expect(server.latest.sentOf("MESG")).toHaveLength(2);
    expect(server.latest.sentOf("EDIT")).toHaveLength(1);
    expect(ch.outbox.map((o) => o.status)).toEqual(["failed", "failed", "failed"]);
    expect(ch.status).toBe("connected");
    expect(log.errors).toEqual([]);
  });

  it("BANNED at admission: close 4403 is terminal; queued sends reject with BANNED", async () => {
    const ctx = setup();
    ctx.server.admit = () => ({ accept: false, closeCode: 4403, code: "BANNED" });
    const ch = ctx.client.channel("c1");
    const log = recordAll(ch);
    const pending = rejection(ch.send("hi"));
    ch.connect();
    await advance(120_000);
    expect(ctx.server.sockets).toHaveLength(1);
    expect(ch.status).toBe("disconnected");
    expect(log.errors.map((e) => [e.code, e.closeCode])).toEqual([["BANNED", 4403]]);
    expect((await pending)?.code).toBe("BANNED");
  });

  it("BANNED while connected: the kick is terminal, no reconnect", async () => {
    const { server, ch, log } = await connected();
    server.broadcast("c1", {
      type: "MODERATION",
      channel_url: "c1",
      action: "ban",
      user_id: 1,
      until: null,
      timestamp: new Date().toISOString(),
    });
    server.latest.deliver({ type: "ERROR", code: "BANNED", message: "banned", close_code: 4403 });
    server.latest.serverClose(4403, "banned");
    await advance(120_000);
    expect(log.moderation.map((m) => [m.action, m.user_id])).toEqual([["ban", 1]]);
    expect(server.sockets).toHaveLength(1);
    expect(ch.status).toBe("disconnected");
    expect(log.errors.map((e) => [e.code, e.closeCode])).toEqual([["BANNED", 4403]]);
  });
});

describe("read state", () => {
  it("markRead defaults to the last seq, coalesces, and sends at most one READ a second", async () => {
    const { server, ch, log } = await connected();
    server.post("c1", "1");
    server.post("c1", "2");
    await advance();
    ch.markRead(1);
    ch.markRead();
    ch.markRead(1);
    await advance();
    expect(server.latest.sentOf("READ")).toEqual([{ type: "READ", seq: 2 }]);
    expect(log.receipts.map((r) => [r.user_id, r.seq])).toEqual([[1, 2]]);
    server.post("c1", "3");
    await advance();
    ch.markRead();
    ch.markRead(2); // lower: ignored
    await advance(500);
    expect(server.latest.sentOf("READ")).toHaveLength(1);
    await advance(500);
    expect(server.latest.sentOf("READ")).toEqual([
      { type: "READ", seq: 2 },
      { type: "READ", seq: 3 },
    ]);
    ch.markRead(3);
    await advance(2_000);
    expect(server.latest.sentOf("READ")).toHaveLength(2);
  });

  it("markRead while disconnected is sent once connected", async () => {
    const { server, ch } = await connected();
    server.post("c1", "1");
    await advance();
    ch.disconnect();
    ch.markRead();
    await advance(2_000);
    ch.connect();
    await advance();
    expect(server.latest.sentOf("READ")).toEqual([{ type: "READ", seq: 1 }]);
    expect(server.sockets[0]?.sentOf("READ")).toEqual([]);
  });

  it("unread(), readState() and moderation() call the REST API with the token", async () => {
    const { server, ch } = await connected();
    server.post("c1", "1");
    server.post("c1", "2");
    await advance();
    ch.markRead(1);
    await advance();
    server.moderationState = {
      frozen: true,
      operators: [7],
      banned: [],
      muted: [{ user_id: 3, until: null }],
    };
    await expect(ch.unread()).resolves.toMatchObject({ last_read_seq: 1, last_seq: 2, unread_count: 1 });
    await expect(ch.readState()).resolves.toMatchObject({
      members: [{ user_id: 1, last_read_seq: 1 }, { user_id: 2 }],
    });
    await expect(ch.moderation()).resolves.toMatchObject({
      frozen: true,
      operators: [7],
      muted: [{ user_id: 3 }],
    });
    expect(server.httpCalls.map((c) => `${c.method} ${new URL(c.url).pathname} ${c.authorization}`)).toEqual([
      "GET /api/v1/chat/channels/c1/unread Bearer t1",
      "GET /api/v1/chat/channels/c1/read-state Bearer t1",
      "GET /api/v1/chat/channels/c1/moderation Bearer t1",
    ]);
  });

  it("REST bodies of the wrong shape fail with BAD_RESPONSE", async () => {
    const { client } = setup({
      fetch: async () => ({ ok: true, status: 200, json: async () => ({ unread_count: "3" }) }),
    });
    const ch = client.channel("c1");
    expect((await rejection(ch.unread()))?.code).toBe("BAD_RESPONSE");
    expect((await rejection(ch.readState()))?.code).toBe("BAD_RESPONSE");
    expect((await rejection(ch.moderation()))?.code).toBe("BAD_RESPONSE");
  });

  it("BAD_RESPONSE names the field that does not match the protocol", async () => {
    const body = { channel_url: "c1", user_id: 1, last_read_seq: 0, last_seq: 2, unread_count: 1.5 };
    const { client } = setup({ fetch: async () => ({ ok: true, status: 200, json: async () => body }) });
    const err = await rejection(client.channel("c1").unread());
    expect(err?.code).toBe("BAD_RESPONSE");
    expect(err?.message).toMatch(/\(unread_count: expected integer/);
  });
});

describe("frame validation", () => {
  const mesg = {
    type: "MESG",
    channel_url: "c1",
    user_id: 2,
    message: "hi",
    timestamp: "2024-01-01T00:00:00Z",
    message_id: "m1",
    seq: 1,
  };

  it("drops and counts frames that do not match the protocol, and hands on valid ones without unknown keys", async () => {
    const { server, ch, log } = await connected();
    const socket = server.latest;
    socket.deliver({ ...mesg, seq: -1 } as never);
    socket.deliver({ ...mesg, user_id: { id: 2 } } as never);
    socket.deliver({ ...mesg, type: "constructor" } as never);
    socket.deliver({ ...mesg, extra: "x", file: undefined } as never);
    await advance();
    expect(ch.stats().invalidFrames).toBe(3);
    expect(log.messages).toEqual([mesg]);
    expect(Object.keys(log.messages[0]!)).toEqual(Object.keys(mesg));
  });

  it("drops the 0.5 pin frames (a type it does not know) and carries on (docs/protocol.md)", async () => {
    const { server, ch, log } = await connected();
    const pin = {
      channel_url: "c1",
      seq: 1,
      message_id: "m1",
      user_id: 1,
      timestamp: "2024-01-01T00:00:01Z",
    };
    server.latest.deliver({ type: "MESSAGE_PINNED", ...pin } as never);
    server.latest.deliver({ type: "MESSAGE_UNPINNED", ...pin, user_id: null } as never);
    server.latest.deliver(mesg as never);
    await advance();
    expect(ch.stats().invalidFrames).toBe(2);
    expect(log.messages).toEqual([mesg]);
  });
});

describe("typing", () => {
  it("startTyping sends at most one TYPING_START a second and TYPING_STOP after 3 s idle", async () => {
    const { server, ch } = await connected();
    const typed = () =>
      server.latest.sent.filter((f) => String(f["type"]).startsWith("TYPING")).map((f) => f["type"]);
    ch.startTyping();
    await advance(300);
    ch.startTyping();
    await advance(300);
    ch.startTyping();
    expect(typed()).toEqual(["TYPING_START"]);
    await advance(500); // 1.1 s after the first
    ch.startTyping();
    expect(typed()).toEqual(["TYPING_START", "TYPING_START"]);
    await advance(2_999);
    expect(typed()).toHaveLength(2);
    await advance(1);
    expect(typed()).toEqual(["TYPING_START", "TYPING_START", "TYPING_STOP"]);
    ch.stopTyping(); // nothing showing: no frame
    expect(typed()).toHaveLength(3);
  });

  it("stopTyping and send end typing; nothing is sent while disconnected", async () => {
    const { server, ch } = await connected();
    const typed = () =>
      server.latest.sent.filter((f) => String(f["type"]).startsWith("TYPING")).map((f) => f["type"]);
    ch.startTyping();
    ch.stopTyping();
    await advance(1_000);
    ch.startTyping();
    await ch.send("done");
    expect(typed()).toEqual(["TYPING_START", "TYPING_STOP", "TYPING_START", "TYPING_STOP"]);
    ch.disconnect();
    await advance(2_000);
    ch.startTyping();
    expect(server.latest.sent.filter((f) => f["type"] === "TYPING_START")).toHaveLength(2);
  });

  it("typingUsers follows TYPING frames and expires starts by expires_in_ms", async () => {
    const { server, ch, log } = await connected();
    const typing = (user_id: number, on: boolean, expires_in_ms?: number) =>
      server.broadcast("c1", { type: "TYPING", channel_url: "c1", user_id, typing: on, expires_in_ms });
    typing(2, true, 2_000);
    typing(3, true); // no expiry given: 5 s
    await advance();
    expect(ch.typingUsers).toEqual([2, 3]);
    await advance(1_500);
    typing(2, true, 2_000); // renewed
    await advance(1_500);
    expect(ch.typingUsers).toEqual([2, 3]);
    await advance(500);
    expect(ch.typingUsers).toEqual([3]);
    expect(log.typing.at(-1)).toMatchObject({ user_id: 2, typing: false });
    typing(3, false);
    await advance();
    expect(ch.typingUsers).toEqual([]);
    typing(4, true, 10_000);
    await advance();
    server.post("c1", "sent it", 4); // a message ends its sender's typing
    await advance();
    expect(ch.typingUsers).toEqual([]);
    await advance(20_000);
    expect(log.typing.map((t) => `${t.user_id}${t.typing ? "+" : "-"}`)).toEqual([
      "2+",
      "3+",
      "2+",
      "2-",
      "3-",
      "4+",
      "4-",
    ]);
  });
});

describe("files", () => {
  const png = () => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], "cat.png", { type: "image/png" });

  it("upload posts multipart/form-data with the file in field `file` and the bearer token", async () => {
    const { server, ch } = await connected();
    const info = await ch.upload(png());
    expect(info).toEqual({ url: "/files/cat.png", name: "cat.png", size: 4, mime_type: "image/png" });
    const call = server.httpCalls.at(-1);
    expect(call?.method).toBe("POST");
    expect(new URL(call?.url ?? "").pathname).toBe("/api/v1/chat/channels/c1/files");
    expect(call?.authorization).toBe("Bearer t1");
    // The body as it goes on the wire: one part, named `file`, with filename and content type.
    const req = new Request("http://x", { method: "POST", body: call?.body });
    const type = req.headers.get("content-type") ?? "";
    expect(type).toMatch(/^multipart\/form-data; boundary=/);
    const bytes = new Uint8Array(await req.arrayBuffer());
    const wire = new TextDecoder("latin1").decode(bytes);
    const boundary = type.split("boundary=")[1];
    expect(wire).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cat.png"\r\n` +
        `Content-Type: image/png\r\n\r\n\x89PNG\r\n--${boundary}--\r\n`,
    );
    const parsed = await new Response(bytes, { headers: { "content-type": type } }).formData();
    expect([...parsed.keys()]).toEqual(["file"]);
    expect(new Uint8Array(await (parsed.get("file") as File).arrayBuffer())).toEqual(
      new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    );
  });

  it("upload of a Blob uses `name`; server refusals reject with their code and status", async () => {
    const { server, ch } = await connected();
    const info = await ch.upload(new Blob(["hello"], { type: "text/plain" }), { name: "a.txt" });
    expect(info.name).toBe("a.txt");
    const part = server.httpCalls.at(-1)?.body?.get("file");
    expect(part instanceof File && part.name).toBe("a.txt");
    const err = await rejection(ch.upload(new Blob([new Uint8Array(2_000)])));
    expect([err?.code, err?.status]).toEqual(["FILE_TOO_LARGE", 413]);
  });

  it("upload refreshes the token once on 401 and resends the same body", async () => {
    const { server, client } = setup({ token: "stale", getToken: async () => "t1" });
    server.validTokens = new Set(["t1"]);
    const info = await client.channel("c1").upload(png());
    expect(info.name).toBe("cat.png");
    expect(server.httpCalls.map((c) => c.authorization)).toEqual(["Bearer stale", "Bearer t1"]);
  });

  it("sendFile uploads, then sends IMAGE for images and FILE otherwise, with the caption", async () => {
    const { server, ch, log } = await connected();
    const r = await ch.sendFile(png(), { caption: "my cat" });
    expect(r.seq).toBe(1);
    await ch.sendFile(new File(["%PDF"], "doc.pdf", { type: "application/pdf" }));
    const frames = [...server.latest.sentOf("IMAGE"), ...server.latest.sentOf("FILE")];
    expect(frames.map((f) => [f["type"], f["message"], (f["file"] as { name: string }).name])).toEqual([
      ["IMAGE", "my cat", "cat.png"],
      ["FILE", "", "doc.pdf"],
    ]);
    expect(log.messages.map((m) => [m.type, m.file?.url])).toEqual([
      ["IMAGE", "/files/cat.png"],
      ["FILE", "/files/doc.pdf"],
    ]);
  });
});

describe("applyChange", () => {
  it("applies an edit in place and turns a deletion into a tombstone; unknown targets leave the list", () => {
    const base = { channel_url: "c", user_id: 1, timestamp: "t", type: "MESG" as const };
    const list = [
      { ...base, seq: 1, message_id: "a", message: "one", data: { k: 1 } },
      {
        ...base,
        seq: 2,
        message_id: "b",
        message: "two",
        file: { url: "u", name: "n", size: 1, mime_type: "x/y" },
      },
    ];
    const edited = applyChange(list, {
      type: "MESSAGE_UPDATED",
      channel_url: "c",
      seq: 3,
      target_seq: 1,
      message_id: "a",
      message: "uno",
      edited_at: "e",
    });
    expect(edited[0]).toMatchObject({ message: "uno", edited_at: "e", data: { k: 1 } });
    const deleted = applyChange(edited, {
      type: "MESSAGE_DELETED",
      channel_url: "c",
      seq: 4,
      target_seq: 2,
      message_id: "b",
      deleted_at: "d",
    });
    expect(deleted[1]).toEqual({ ...base, seq: 2, message_id: "b", message: "", deleted: true });
    expect(list[0]?.message).toBe("one");
    expect(
      applyChange(deleted, {
        ...deleted[0],
        type: "MESSAGE_DELETED",
        target_seq: 9,
        deleted_at: "d",
      } as MessageDeletedFrame),
    ).toBe(deleted);
  });
});
