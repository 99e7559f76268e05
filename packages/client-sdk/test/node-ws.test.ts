import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { createClient } from "../src/client.ts";
import type { ChannelStatus, WebSocketConstructor } from "../src/types.ts";

// Real sockets and real timers: proves the SDK runs in Node with `ws`'s WebSocket. A tiny server
// speaks just enough protocol; waits are on events, never on sleeps.

let wss: WebSocketServer | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
});

describe("Node with ws", () => {
  it("accepts both the browser's and ws's WebSocket constructors (type level)", () => {
    expectTypeOf(WebSocket).toExtend<WebSocketConstructor>();
    expectTypeOf(globalThis.WebSocket).toExtend<WebSocketConstructor>();
  });

  it("connects, sends, receives, and resumes after the server drops the socket", async () => {
    const stored: { seq: number; message: string }[] = [];
    const urls: string[] = [];
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    wss.on("connection", (sock, req) => {
      urls.push(req.url ?? "");
      const since = Number(new URL(req.url ?? "", "http://x").searchParams.get("since_seq") ?? "NaN");
      sock.send(
        JSON.stringify({
          type: "CONNECTED",
          channel_url: "c1",
          user_id: 1,
          connection_id: String(urls.length),
          last_seq: stored.length,
          heartbeat_ms: 30_000,
          server_time: new Date().toISOString(),
        }),
      );
      if (!Number.isNaN(since)) for (const m of stored.filter((x) => x.seq > since)) sock.send(frame(m));
      sock.on("message", (data) => {
        const f = JSON.parse(String(data));
        if (f.type !== "MESG") return;
        const m = { seq: stored.length + 1, message: f.message };
        stored.push(m);
        for (const c of wss?.clients ?? []) c.send(frame(m));
        sock.send(
          JSON.stringify({
            type: "ACK",
            req_id: f.req_id,
            message_id: `m${m.seq}`,
            seq: m.seq,
            timestamp: "t",
          }),
        );
      });
    });
    await new Promise((r) => wss?.once("listening", r));
    const { port } = wss.address() as AddressInfo;

    const client = createClient({
      url: `http://127.0.0.1:${port}`,
      token: "jwt",
      WebSocket,
      reconnect: { minDelayMs: 5, maxDelayMs: 10 },
    });
    const ch = client.channel("c1");
    const seen: number[] = [];
    ch.on("message", (m) => seen.push(m.seq));
    const status = (want: ChannelStatus) =>
      new Promise<void>((resolve) => {
        if (ch.status === want) resolve();
        const off = ch.on("status", (s) => {
          if (s === want) {
            off();
            resolve();
          }
        });
      });

    ch.connect();
    await status("connected");
    expect(await ch.send("one")).toMatchObject({ seq: 1 });

    for (const c of wss.clients) c.terminate();
    await status("reconnecting");
    stored.push({ seq: 2, message: "while away" });
    await status("connected");
    expect(await ch.send("three")).toMatchObject({ seq: 3 });
    expect(seen).toEqual([1, 2, 3]);
    expect(urls).toEqual(["/api/v1/chat/ws/c1?token=jwt", "/api/v1/chat/ws/c1?token=jwt&since_seq=1"]);
    client.close();
  });
});

function frame(m: { seq: number; message: string }): string {
  return JSON.stringify({
    type: "MESG",
    channel_url: "c1",
    user_id: 1,
    message: m.message,
    timestamp: "2024-01-01T00:00:00",
    message_id: `m${m.seq}`,
    seq: m.seq,
  });
}
