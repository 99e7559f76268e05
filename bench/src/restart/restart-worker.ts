// One load process of the restart bench: SDK clients (@podchat/client-sdk over `ws`), each on its
// own channel socket, recording when the drain close came, when each reconnect attempt started,
// and when the client was connected and resumed again. Driven by the parent over IPC.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createClient, type PodchatClient } from "@podchat/client-sdk";
import { SignJWT } from "jose";
import WebSocket from "ws";
import type { ClientRecord, FromWorker, ToWorker } from "./messages.ts";

const send = (m: FromWorker) => process.send!(m);
const records: ClientRecord[] = [];
const clients: PodchatClient[] = [];
const errors: Record<string, number> = {};
let connected = 0;
let rampRetries = 0;
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

async function start(m: Extract<ToWorker, { type: "start" }>) {
  const key = new TextEncoder().encode(m.secret);
  const started = Date.now();
  await Promise.all(
    m.clients.map(async ([user, channelUrl], i) => {
      const rec: ClientRecord = { closedAt: null, attempts: [], backAt: null, resumedAt: null };
      records.push(rec);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(user)
        .setIssuedAt()
        .setExpirationTime("2h")
        .sign(key);
      // Spread the first connects a little so the ramp is not one burst of thousands.
      await new Promise((r) => setTimeout(r, Math.floor(i / 200) * 50));
      const Recording = class extends WebSocket {
        constructor(url: string) {
          super(url);
          if (rec.closedAt !== null) rec.attempts.push(Date.now());
        }
      };
      const client = createClient({
        url: m.url,
        token,
        WebSocket: Recording as unknown as typeof globalThis.WebSocket,
      });
      clients.push(client);
      const ch = client.channel(channelUrl);
      let first = true;
      await new Promise<void>((resolve) => {
        ch.on("status", (s) => {
          if (s === "connected") {
            connected++;
            if (first) {
              first = false;
              resolve();
            } else if (rec.closedAt !== null && rec.backAt === null) rec.backAt = Date.now();
          } else if (s === "reconnecting") {
            // A refused first connect (during the ramp) also goes to "reconnecting": not the restart.
            if (first) rampRetries++;
            else {
              connected--;
              rec.closedAt ??= Date.now();
            }
          }
        });
        ch.on("message", (msg) => {
          if (msg.seq >= m.resumeSeq && rec.resumedAt === null) rec.resumedAt = Date.now();
        });
        ch.on("error", (e) => {
          errors[e.code] = (errors[e.code] ?? 0) + 1;
        });
        ch.connect();
      });
    }),
  );
  send({ type: "ready", connectMs: Date.now() - started, rampRetries });
}

process.on("message", (m: ToWorker) => {
  switch (m.type) {
    case "start":
      void start(m);
      break;
    case "progress":
      send({
        type: "progress",
        connected,
        back: records.filter((r) => r.backAt !== null).length,
        resumed: records.filter((r) => r.resumedAt !== null).length,
        closed: records.filter((r) => r.closedAt !== null).length,
        errors: Object.values(errors).reduce((a, b) => a + b, 0),
      });
      break;
    case "mark":
      loop.reset();
      break;
    case "report":
      send({
        type: "report",
        clients: records,
        errors,
        loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      });
      break;
    case "stop":
      for (const c of clients) c.close();
      setTimeout(() => process.exit(0), 200);
      break;
  }
});
