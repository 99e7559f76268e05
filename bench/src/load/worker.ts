/**
 * One load-generator process (forked by Fleet). Holds a share of the client sockets; bulk sockets
 * only count frames, probe sockets parse them and record latency, sender sockets send at a rate.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import WebSocket from "ws";
import type { CollectResult, ConnSpec, ConnectResult, WorkerReply, WorkerRequest } from "./messages.ts";
import { RawCountingClient } from "./raw-client.ts";

interface Client {
  ws: WebSocket;
  spec: ConnSpec;
  ready: boolean;
  closedByUs: boolean;
}

const clients: Client[] = [];
const bulk: RawCountingClient[] = [];
/** Every data frame since connect, measuring or not (the main process waits for it to go quiet). */
let totalFrames = 0;
const senders: Client[] = [];
let frames = 0;
let sent = 0;
let latencies: number[] = [];
let unexpectedCloses = 0;
let measuring = false;
let markedAt = 0;

// The load generator's own event-loop delay: when it is high, the clients (not the server) are
// the bottleneck and latencies say more about this process than about the server.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const now = () => performance.timeOrigin + performance.now();

function reply(r: WorkerReply) {
  process.send?.(r);
}

/** The send timestamp a sender put at the start of the message text (`<ms>|padding`). */
function sentAt(raw: string, dialect: ConnSpec["dialect"]): number | null {
  let text: unknown;
  if (dialect === "sio") {
    if (!raw.startsWith("42")) return null;
    const arr = JSON.parse(raw.slice(2)) as unknown[];
    text = (arr[1] as { message?: unknown } | undefined)?.message;
  } else {
    const o = JSON.parse(raw) as { type?: unknown; message?: unknown };
    if (o.type !== "MESG") return null;
    text = o.message;
  }
  if (typeof text !== "string") return null;
  const bar = text.indexOf("|");
  const t = Number(text.slice(0, bar));
  return bar > 0 && Number.isFinite(t) ? t : null;
}

function onLive(c: Client, data: WebSocket.RawData) {
  const buf = data as Buffer;
  // Engine.IO ping "2" → pong "3" (the only frame a Socket.IO client must answer).
  if (c.spec.dialect === "sio" && buf.length === 1 && buf[0] === 0x32) {
    c.ws.send("3");
    return;
  }
  totalFrames++;
  if (!measuring) return;
  frames++;
  if (c.spec.probe) {
    const t = sentAt(buf.toString(), c.spec.dialect);
    if (t !== null) latencies.push(now() - t);
  }
}

const countBulk = () => {
  totalFrames++;
  if (measuring) frames++;
};

/** Bulk sockets: frame counting only, over a hand-rolled WebSocket client (see RawCountingClient). */
function openBulk(spec: ConnSpec, timeoutMs: number): Promise<RawCountingClient> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      client.terminate();
      reject(new Error("handshake timeout"));
    }, timeoutMs);
    const client: RawCountingClient = new RawCountingClient(
      spec.url,
      spec.dialect,
      () => {
        settled = true;
        clearTimeout(timer);
        resolve(client);
      },
      (why) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new Error(why));
      },
      countBulk,
      () => {
        unexpectedCloses++;
      },
    );
  });
}

function open(spec: ConnSpec, timeoutMs: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(spec.url, { perMessageDeflate: false, skipUTF8Validation: true });
    const c: Client = { ws, spec, ready: false, closedByUs: false };
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      c.closedByUs = true;
      ws.terminate();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail("handshake timeout"), timeoutMs);
    const admitted = () => {
      settled = true;
      clearTimeout(timer);
      c.ready = true;
      ws.removeListener("message", handshake);
      ws.on("message", (d) => onLive(c, d));
      resolve(c);
    };
    const handshake = (data: WebSocket.RawData) => {
      const s = (data as Buffer).toString();
      if (spec.dialect === "sio") {
        if (s.startsWith("0{")) ws.send("40");
        else if (s.startsWith("40")) admitted();
        else if (s === "2") ws.send("3");
        else fail(`unexpected Engine.IO frame: ${s.slice(0, 160)}`);
        return;
      }
      if (s.startsWith('{"type":"CONNECTED"')) admitted();
      else fail(`refused: ${s.slice(0, 160)}`);
    };
    ws.on("message", handshake);
    ws.on("error", (e) => fail(`socket error: ${e.message}`));
    ws.on("unexpected-response", (_req, res) => fail(`HTTP ${res.statusCode} on upgrade`));
    ws.on("close", (code, reason) => {
      if (!settled) fail(`closed ${code} ${reason.toString().slice(0, 120)}`);
      else if (c.ready && !c.closedByUs) unexpectedCloses++;
    });
  });
}

async function connect(conns: ConnSpec[], concurrency: number, timeoutMs: number): Promise<ConnectResult> {
  let next = 0;
  let ok = 0;
  let failed = 0;
  const errors: string[] = [];
  const lane = async () => {
    while (next < conns.length) {
      const spec = conns[next++]!;
      try {
        if (!spec.probe && !spec.sender) {
          bulk.push(await openBulk(spec, timeoutMs));
        } else {
          const c = await open(spec, timeoutMs);
          clients.push(c);
          if (spec.sender) senders.push(c);
        }
        ok++;
      } catch (e) {
        failed++;
        if (errors.length < 5) errors.push((e as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  return { ok, failed, errors, senders: senders.length };
}

// Paced sending: every tick sends what the rate allows since the rate was set (no drift, bursts
// catch up after a late timer), round-robin over this worker's sender sockets.
let rateTimer: NodeJS.Timeout | null = null;
function setRate(msgsPerSec: number, payloadBytes: number) {
  if (rateTimer) clearInterval(rateTimer);
  rateTimer = null;
  if (msgsPerSec <= 0 || senders.length === 0) return;
  const pad = "x".repeat(Math.max(0, payloadBytes - 20));
  const start = performance.now();
  let due = 0;
  let rr = 0;
  rateTimer = setInterval(() => {
    const target = Math.floor(((performance.now() - start) / 1000) * msgsPerSec);
    // Never queue more than a second of backlog (the process was starved): drop it instead.
    if (target - due > msgsPerSec) due = target - Math.ceil(msgsPerSec);
    while (due < target) {
      due++;
      const c = senders[rr++ % senders.length]!;
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      const text = `${now().toFixed(3)}|${pad}`;
      c.ws.send(
        c.spec.dialect === "sio" ? `42["MESG",{"message":"${text}"}]` : `{"type":"MESG","message":"${text}"}`,
      );
      if (measuring) sent++;
    }
  }, 5);
}

function collect(): CollectResult {
  measuring = false;
  const r: CollectResult = {
    frames,
    sent,
    latencies,
    unexpectedCloses,
    seconds: (performance.now() - markedAt) / 1000,
    loopDelayP99: loopDelay.percentile(99) / 1e6,
  };
  latencies = [];
  return r;
}

async function disconnect() {
  setRate(0, 0);
  measuring = false;
  const closing = clients.splice(0).map(
    (c) =>
      new Promise<void>((resolve) => {
        c.closedByUs = true;
        if (c.ws.readyState === WebSocket.CLOSED) return resolve();
        const t = setTimeout(() => {
          c.ws.terminate();
          resolve();
        }, 2000);
        c.ws.once("close", () => {
          clearTimeout(t);
          resolve();
        });
        c.ws.close();
      }),
  );
  const closingBulk = bulk.splice(0).map(
    (c) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          c.terminate();
          resolve();
        }, 2000);
        c.onceClosed(() => {
          clearTimeout(t);
          resolve();
        });
        c.close();
      }),
  );
  senders.length = 0;
  await Promise.all([...closing, ...closingBulk]);
  totalFrames = 0;
  unexpectedCloses = 0;
}

process.on("message", (m: WorkerRequest) => {
  void (async () => {
    try {
      switch (m.t) {
        case "connect":
          return reply({ id: m.id, ok: true, result: await connect(m.conns, m.concurrency, m.timeoutMs) });
        case "rate":
          setRate(m.msgsPerSec, m.payloadBytes);
          return reply({ id: m.id, ok: true });
        case "mark":
          frames = 0;
          sent = 0;
          latencies = [];
          markedAt = performance.now();
          loopDelay.reset();
          measuring = true;
          return reply({ id: m.id, ok: true });
        case "frames":
          return reply({ id: m.id, ok: true, result: totalFrames });
        case "collect":
          return reply({ id: m.id, ok: true, result: collect() });
        case "disconnect":
          await disconnect();
          return reply({ id: m.id, ok: true });
      }
    } catch (e) {
      reply({ id: m.id, ok: false, error: (e as Error).stack ?? String(e) });
    }
  })();
});

process.on("disconnect", () => process.exit(0));
