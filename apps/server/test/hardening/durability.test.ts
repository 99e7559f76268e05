import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { API_KEY, type Frame, TestSocket, token } from "../harness.ts";
import { RATE_LIMITS_OFF_YAML, awaitFrame, childServerPerTest, history, historyProblems } from "./support.ts";

const childServer = childServerPerTest();

const body = (req: string) => `${req}|${"d".repeat(200)}|${req.length}`;

describe("durability under kill -9", () => {
  it("keeps every acknowledged message after SIGKILL mid-burst; nothing half-visible; every member gets all on resume", async () => {
    const server = await childServer("kill9", RATE_LIMITS_OFF_YAML);
    const running = await server.start();
    const { base, wsBase: ws, dbPath } = server;
    const created = await server.createChannel("crash", ["1", "2", "3"]);
    expect(created.status).toBe(201);
    const open = async (user: string, since?: number) => {
      const q = new URLSearchParams({ token: await token(user) });
      if (since !== undefined) q.set("since_seq", String(since));
      const s = TestSocket.open(`${ws}/api/v1/chat/ws/crash?${q}`);
      await s.type("CONNECTED");
      return s;
    };
    const senders = [await open("1"), await open("2")];
    const acks = new Map<string, Frame>();
    for (const s of senders) {
      s.ws.on("message", (d) => {
        const f = JSON.parse(d.toString()) as Frame;
        if (f.type === "ACK") acks.set(String(f.req_id), f);
      });
    }
    const killed = running.exited;
    const proc = running.proc;
    let sent = 0;
    let stop = false;
    const burst = (async () => {
      for (let i = 0; i < 400 && !stop; i++) {
        for (const [u, s] of senders.entries()) {
          if (s.ws.readyState !== 1) continue;
          s.send({ type: "MESG", message: body(`u${u}-${i}`), req_id: `u${u}-${i}` });
          sent++;
        }
        if (i % 10 === 9) await new Promise((r) => setImmediate(r));
      }
    })();
    // Kill once a good share is acknowledged, while sends are still in flight.
    await new Promise<void>((resolve) => {
      const check = () => {
        if (acks.size >= 200) {
          proc.kill("SIGKILL");
          resolve();
        } else senders[0]!.ws.once("message", check);
      };
      check();
    });
    stop = true;
    await burst;
    expect((await killed).signal).toBe("SIGKILL");
    const acked = new Map(acks);
    console.log(`kill -9: ${sent} sent, ${acked.size} acknowledged before the kill`);
    expect(acked.size).toBeGreaterThanOrEqual(200);

    await server.start();
    const msgs = await history(base, "crash", API_KEY);
    // Gap-free 1..N, every message complete and valid.
    expect(historyProblems(msgs)).toEqual([]);
    for (const m of msgs) {
      const text = String(m.message);
      const req = text.split("|")[0]!;
      expect(text).toBe(body(req));
    }
    // Every acknowledged message is there, with the seq and id it was acknowledged with.
    const bySeq = new Map(msgs.map((m) => [m.seq, m]));
    for (const [req, ack] of acked) {
      const m = bySeq.get(Number(ack.seq));
      expect(m, `acknowledged ${req} (seq ${ack.seq}) is missing`).toBeDefined();
      expect(m!.message_id).toBe(ack.message_id);
      expect(String(m!.message).split("|")[0]).toBe(req);
    }
    const n = msgs.length;
    console.log(
      `after restart: ${n} stored (${n - acked.size} stored but unacknowledged: resent by SDKs via req_id)`,
    );

    // Every member gets everything on resume from 0, in order, once.
    for (const user of ["1", "2", "3"]) {
      const s = await open(user, 0);
      const got = await s.waitMessages(n, 20_000);
      expect(got.map((m) => m.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      s.close();
    }
    // A resend of an unacknowledged req_id after the crash is stored at most once.
    const resender = await open("1");
    const unacked = Array.from({ length: 400 }, (_, i) => `u0-${i}`).filter((r) => !acked.has(r));
    for (const r of unacked.slice(0, 20)) resender.send({ type: "MESG", message: body(r), req_id: r });
    for (const r of unacked.slice(0, 20))
      await awaitFrame(resender, (f) => f.type === "ACK" && f.req_id === r);
    const after = await history(base, "crash", API_KEY);
    expect(historyProblems(after)).toEqual([]);
    const texts = after.map((m) => m.message);
    expect(new Set(texts).size).toBe(texts.length);

    // WAL mode with the documented synchronous setting.
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  }, 60_000);
});
