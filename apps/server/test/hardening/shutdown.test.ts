import type { Socket } from "node:net";
import { CloseCode } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import { API_KEY, type Frame, TestSocket, token } from "../harness.ts";
import { RATE_LIMITS_OFF_YAML, awaitFrame, childServerPerTest, history, historyProblems } from "./support.ts";

const childServer = childServerPerTest();

const GRACE_MS = 2000;
const CONFIG_YAML = `${RATE_LIMITS_OFF_YAML}\nshutdown: { grace_ms: ${GRACE_MS} }`;

describe("graceful shutdown (SIGTERM)", () => {
  it("stops admitting, reports not ready, closes sockets with 1001, keeps acknowledged writes and exits within shutdown.grace_ms despite a client that ignores the close", async () => {
    const server = await childServer("term", CONFIG_YAML);
    const running = await server.start();
    const proc = running.proc;
    const { base } = server;
    const wsBase = `${server.wsBase}/api/v1/chat/ws/term`;
    const created = await server.createChannel("term", ["1", "2", "3"]);
    expect(created.status).toBe(201);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const writer = TestSocket.open(`${wsBase}?token=${await token("1")}`);
    await writer.type("CONNECTED");
    const stubborn = TestSocket.open(`${wsBase}?token=${await token("2")}`);
    await stubborn.type("CONNECTED");
    // The stubborn client stops reading: it will never see the close frame, nor answer it.
    (stubborn.ws as unknown as { _socket: Socket })._socket.pause();

    const acks: Frame[] = [];
    writer.ws.on("message", (d) => {
      const f = JSON.parse(d.toString()) as Frame;
      if (f.type === "ACK") acks.push(f);
    });
    for (let i = 0; i < 50; i++) writer.send({ type: "MESG", message: `last-${i}`, req_id: `r${i}` });
    // Wait until the server has the first of them (it is processing the burst), then SIGTERM.
    await new Promise<void>((resolve) => writer.ws.once("message", () => resolve()));
    const t0 = performance.now();
    proc.kill("SIGTERM");

    expect(await writer.closed()).toBe(CloseCode.GOING_AWAY);
    expect(writer.frames.find((f) => f.type === "ERROR" && f.close_code === 1001)).toMatchObject({
      code: "DRAINING",
    });
    // While draining (the stubborn socket holds the drain open): not ready, and no new sockets.
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false });
    const late = TestSocket.open(`${wsBase}?token=${await token("3")}`);
    await expect(late.opened).rejects.toThrow(/503/);

    const { code } = await running.exited;
    const elapsed = performance.now() - t0;
    console.log(
      `SIGTERM → exit ${code} in ${elapsed.toFixed(0)} ms (grace ${GRACE_MS} ms); ${acks.length}/50 acknowledged`,
    );
    expect(code).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(GRACE_MS - 100); // it did wait for the stubborn client
    expect(elapsed).toBeLessThan(GRACE_MS + 2000);
    expect(running.output()).toMatch(/"msg":"draining"/);

    await server.start();
    const msgs = await history(base, "term", API_KEY);
    expect(historyProblems(msgs)).toEqual([]);
    const stored = new Map(msgs.map((m) => [m.seq, m]));
    console.log(`after restart: ${msgs.length} stored, ${acks.length} of them acknowledged`);
    // Every acknowledged write is stored, with its seq.
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks)
      expect(stored.get(Number(a.seq))?.message).toBe(`last-${String(a.req_id).slice(1)}`);
    // Writes are taken in order: what is stored is a prefix of what was sent.
    expect(msgs.map((m) => m.message)).toEqual(Array.from({ length: msgs.length }, (_, i) => `last-${i}`));
    // What was stored but not acknowledged (the 1001 close overtook its ACK) is acknowledged as a
    // duplicate when the SDK resends it with the same req_id after reconnecting: nothing is lost
    // and nothing is stored twice.
    const resend = TestSocket.open(`${wsBase}?token=${await token("1")}`);
    await resend.type("CONNECTED");
    const ackedIds = new Set(acks.map((a) => a.req_id));
    const unacked = Array.from({ length: 50 }, (_, i) => `r${i}`).filter((r) => !ackedIds.has(r));
    for (const r of unacked) resend.send({ type: "MESG", message: `last-${r.slice(1)}`, req_id: r });
    for (const r of unacked) {
      const ack = await awaitFrame(resend, (f) => f.type === "ACK" && f.req_id === r);
      const i = Number(r.slice(1));
      if (i < msgs.length) expect(ack).toMatchObject({ duplicate: true, seq: i + 1 });
    }
    const final = await history(base, "term", API_KEY);
    expect(final.map((m) => m.message)).toEqual(Array.from({ length: 50 }, (_, i) => `last-${i}`));
    resend.close();
    writer.close();
    stubborn.ws.terminate();
  }, 60_000);

  it("answers every send made around SIGTERM before closing: an ACK once stored, or DRAINING (not stored)", async () => {
    const server = await childServer("term-ack", CONFIG_YAML);
    const running = await server.start();
    const { base } = server;
    const wsBase = `${server.wsBase}/api/v1/chat/ws/acks`;
    await server.createChannel("acks", ["1"]);
    const writer = TestSocket.open(`${wsBase}?token=${await token("1")}`);
    await writer.type("CONNECTED");
    const answers = new Map<string, Frame>();
    writer.ws.on("message", (d) => {
      const f = JSON.parse(d.toString()) as Frame;
      if ((f.type === "ACK" || f.type === "ERROR") && typeof f.req_id === "string") answers.set(f.req_id, f);
    });
    for (let i = 0; i < 200; i++) writer.send({ type: "MESG", message: `m-${i}`, req_id: `r${i}` });
    await new Promise<void>((resolve) => writer.ws.once("message", () => resolve()));
    running.proc.kill("SIGTERM");
    expect(await writer.closed()).toBe(CloseCode.GOING_AWAY);
    expect((await running.exited).code).toBe(0);

    await server.start();
    const stored = new Set((await history(base, "acks", API_KEY)).map((m) => m.message));
    const acked = [...answers.values()].filter((f) => f.type === "ACK").map((f) => String(f.req_id));
    const refused = [...answers.values()].filter((f) => f.type === "ERROR");
    console.log(
      `SIGTERM during a burst of 200: ${acked.length} acknowledged, ${refused.length} refused as DRAINING, ${stored.size} stored`,
    );
    for (const f of refused) expect(f.code).toBe("DRAINING");
    // Every send the server received was answered; what it acknowledged is exactly what it stored.
    expect(acked.length).toBeGreaterThan(0);
    expect(new Set(acked.map((r) => `m-${r.slice(1)}`))).toEqual(stored);
    for (const f of refused) expect(stored.has(`m-${String(f.req_id).slice(1)}`)).toBe(false);
    writer.close();
  }, 60_000);
});
