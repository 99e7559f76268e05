import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PodchatError } from "../src/errors.ts";
import { advance, record, setup } from "./helpers.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("send and outbox", () => {
  it("queues while disconnected, sends on connect, resolves on ACK, then clears the outbox", async () => {
    const { server, client } = setup();
    const ch = client.channel("c1");
    const log = record(ch);
    const result = ch.send("hello", { customType: "greeting", data: { a: 1 } });
    expect(ch.outbox).toHaveLength(1);
    expect(ch.outbox[0]).toMatchObject({ status: "pending", message: "hello", type: "MESG", attempts: 0 });
    expect(ch.stats()).toMatchObject({ queueDepth: 1, inFlight: 0 });
    const reqId = ch.outbox[0]?.reqId ?? "";

    ch.connect();
    await advance();
    const ack = await result;
    expect(ack).toMatchObject({ reqId, seq: 1, messageId: "m1", duplicate: false });
    const wire = server.latest.sentOf("MESG");
    expect(wire).toEqual([
      { type: "MESG", message: "hello", req_id: reqId, custom_type: "greeting", data: { a: 1 } },
    ]);
    expect(log.outbox.map((o) => o[reqId] ?? "gone")).toEqual(["pending", "sent", "acked", "gone"]);
    expect(ch.outbox).toEqual([]);
    expect(log.seqs).toEqual([1]);
  });

  it("keeps an acked send in the outbox until its message is delivered (ACK before broadcast)", async () => {
    const { server, client } = setup();
    server.ackFirst = true;
    const ch = client.channel("c1");
    const log = record(ch);
    ch.connect();
    await advance();
    let acked = false;
    ch.on("outbox", (items) => {
      if (items[0]?.status === "acked") {
        acked = true;
        expect(log.seqs).toEqual([]);
      }
    });
    await ch.send("hi");
    expect(acked).toBe(true);
    await advance();
    expect(log.seqs).toEqual([1]);
    expect(ch.outbox).toEqual([]);
  });

  it("rejects over queueLimit with QUEUE_FULL", async () => {
    const { client } = setup({ queueLimit: 2 });
    const ch = client.channel("c1");
    void ch.send("1");
    void ch.send("2");
    const err = await ch.send("3").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PodchatError);
    expect(err).toMatchObject({ code: "QUEUE_FULL" });
    expect(ch.outbox).toHaveLength(2);
  });

  it("rejects an empty text message without queueing it", async () => {
    const { client } = setup();
    const ch = client.channel("c1");
    await expect(ch.send("")).rejects.toMatchObject({ code: "INVALID_FRAME" });
    expect(ch.outbox).toEqual([]);
  });

  it("re-sends an unacknowledged send after reconnect with the same req_id; duplicate ACK resolves it once", async () => {
    const { server, client } = setup();
    const ch = client.channel("c1");
    const log = record(ch);
    ch.connect();
    await advance();
    // The server stores the first copy, then the connection dies before the ACK goes out.
    let lost = false;
    server.onSend = (socket, frame) => {
      if (lost) return false;
      lost = true;
      server.storeMessage("c1", String(frame["message"]), 1, String(frame["req_id"]));
      socket.serverClose(1006);
      return true;
    };
    let settled = 0;
    const result = ch.send("once").then((r) => {
      settled++;
      return r;
    });
    await advance();
    expect(ch.status).toBe("reconnecting");
    expect(ch.outbox[0]?.status).toBe("pending");
    expect(ch.stats()).toMatchObject({ queueDepth: 1, inFlight: 0 });

    await advance(1_000);
    const ack = await result;
    expect(ack).toMatchObject({ seq: 1, duplicate: true });
    expect(settled).toBe(1);
    const [first, second] = server.sockets;
    expect(first?.sentOf("MESG")[0]?.["req_id"]).toBe(ack.reqId);
    expect(second?.sentOf("MESG")[0]?.["req_id"]).toBe(ack.reqId);
    // Resumed after seq 0, so the stored copy is replayed: the app sees it once.
    expect(second?.request?.sinceSeq).toBe(0);
    expect(server.messages("c1")).toHaveLength(1);
    expect(log.seqs).toEqual([1]);
    expect(ch.outbox).toEqual([]);
  });

  it("puts in-flight sends back in the queue on a drop and sends them again", async () => {
    const { server, client } = setup();
    const ch = client.channel("c1");
    ch.connect();
    await advance();
    server.onSend = () => true; // swallowed: no ACK
    const p = ch.send("a");
    await advance();
    expect(ch.stats()).toMatchObject({ inFlight: 1, queueDepth: 0 });
    expect(ch.outbox[0]?.status).toBe("sent");
    server.onSend = undefined;
    server.latest.serverClose(1001);
    await advance();
    expect(ch.outbox[0]?.status).toBe("pending");
    await advance(1_000);
    await expect(p).resolves.toMatchObject({ duplicate: false, seq: 1 });
    expect(ch.outbox).toEqual([]);
    expect(server.sockets.flatMap((s) => s.sentOf("MESG"))).toHaveLength(2);
  });

  it.each(["INVALID_FRAME", "NOT_MEMBER", "FRAME_TOO_LARGE"])(
    "%s for a send rejects it with that code; the socket stays open",
    async (code) => {
      const { server, client } = setup();
      const ch = client.channel("c1");
      ch.connect();
      await advance();
      server.onSend = (socket, frame) => {
        socket.deliver({ type: "ERROR", code, message: "no", req_id: frame["req_id"] });
        return true;
      };
      const err = await ch.send("x").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PodchatError);
      expect(err).toMatchObject({ code, reqId: ch.outbox[0]?.reqId });
      expect(ch.outbox[0]?.status).toBe("failed");
      expect(ch.outbox[0]?.error?.code).toBe(code);
      expect(ch.status).toBe("connected");
      expect(ch.discard(ch.outbox[0]?.reqId ?? "")).toBe(true);
      expect(ch.outbox).toEqual([]);
    },
  );

  it("RATE_LIMITED: retries the send after retry_after_ms with the same req_id, keeping send order", async () => {
    const { server, client } = setup();
    const ch = client.channel("c1");
    ch.connect();
    await advance();
    let limited = true;
    server.onSend = (socket, frame) => {
      if (!limited) return false;
      limited = false;
      socket.deliver({
        type: "ERROR",
        code: "RATE_LIMITED",
        message: "slow down",
        req_id: frame["req_id"],
        retry_after_ms: 2_000,
      });
      return true;
    };
    const first = ch.send("x");
    await advance();
    expect(ch.outbox.map((i) => i.status)).toEqual(["pending"]);
    const second = ch.send("y");
    await advance(1_999);
    expect(ch.outbox.map((i) => i.status)).toEqual(["pending", "pending"]);
    expect(server.latest.sentOf("MESG")).toHaveLength(1);
    await advance(1);
    const [a, b] = await Promise.all([first, second]);
    expect(server.latest.sentOf("MESG").map((f) => f["req_id"])).toEqual([a.reqId, a.reqId, b.reqId]);
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a.duplicate).toBe(false);
  });

  it("a final refusal fails every waiting send with the server's code", async () => {
    const { server, client } = setup();
    server.admit = () => ({ accept: false, closeCode: 4403, code: "NOT_MEMBER" });
    const ch = client.channel("c1");
    const a = ch.send("a").catch((e: unknown) => e);
    const b = ch.send("b").catch((e: unknown) => e);
    ch.connect();
    await advance();
    expect(await a).toMatchObject({ code: "NOT_MEMBER", closeCode: 4403 });
    expect(await b).toMatchObject({ code: "NOT_MEMBER" });
    expect(ch.outbox.map((i) => i.status)).toEqual(["failed", "failed"]);
  });

  it("close 1009 after a send fails that send instead of resending it forever", async () => {
    const { server, client } = setup();
    const ch = client.channel("c1");
    ch.connect();
    await advance();
    server.onSend = (socket) => {
      socket.serverClose(1009, "too big");
      return true;
    };
    const err = await ch.send("x".repeat(1000)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "FRAME_TOO_LARGE" });
    server.onSend = undefined;
    await advance(2_000);
    expect(ch.status).toBe("connected");
    expect(server.sockets[1]?.sentOf("MESG")).toEqual([]);
  });

  it("discard rejects a waiting send", async () => {
    const { client } = setup();
    const ch = client.channel("c1");
    const p = ch.send("a").catch((e: unknown) => e);
    expect(ch.discard(ch.outbox[0]?.reqId ?? "")).toBe(true);
    expect(await p).toMatchObject({ code: "DISCARDED" });
  });
});
