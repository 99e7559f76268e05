/**
 * The bare `ws` baseline: rooms + broadcast, no auth, no validation beyond JSON, no storage. Each
 * message is wrapped in the same envelope podchat sends (same bytes on the wire) and serialised
 * once per message. With REDIS_URL, messages go through Redis Pub/Sub (one topic per room) so two
 * instances can share rooms, as podchat does.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Redis } from "ioredis";
import { type WebSocket, WebSocketServer } from "ws";

const port = Number(process.env.PORT ?? 0);
const redisUrl = process.env.REDIS_URL;
const prefix = process.env.BUS_PREFIX ?? "wsbench";

const rooms = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();

function broadcast(room: string, frame: string) {
  const members = rooms.get(room);
  if (!members) return;
  for (const ws of members) if (ws.readyState === 1) ws.send(frame);
}

const pub = redisUrl ? new Redis(redisUrl) : null;
if (redisUrl) {
  const sub = new Redis(redisUrl);
  void sub.psubscribe(`${prefix}:*`);
  sub.on("pmessage", (_pattern: string, topic: string, frame: string) => {
    broadcast(topic.slice(prefix.length + 1), frame);
  });
}

const http = createServer((req, res) => {
  res.writeHead(req.url === "/healthz" ? 200 : 404, { "content-type": "text/plain" }).end("ok");
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 256 * 1024 });

wss.on("connection", (ws, req) => {
  const url = new URL(req.url ?? "/", "http://x");
  const room = decodeURIComponent(url.pathname.slice(1));
  const rawUser = url.searchParams.get("user_id") ?? "0";
  const userId: string | number = /^\d{1,15}$/.test(rawUser) ? Number(rawUser) : rawUser;
  let members = rooms.get(room);
  if (!members) {
    members = new Set();
    rooms.set(room, members);
  }
  members.add(ws);
  ws.send(JSON.stringify({ type: "CONNECTED", channel_url: room, user_id: userId }));
  ws.on("message", (data) => {
    let v: { type?: unknown; message?: unknown };
    try {
      v = JSON.parse(data.toString()) as typeof v;
    } catch {
      return;
    }
    if (v?.type !== "MESG" || typeof v.message !== "string") return;
    const seq = (seqs.get(room) ?? 0) + 1;
    seqs.set(room, seq);
    const frame = JSON.stringify({
      type: "MESG",
      channel_url: room,
      user_id: userId,
      message: v.message,
      timestamp: new Date().toISOString(),
      message_id: randomUUID(),
      seq,
    });
    if (pub) void pub.publish(`${prefix}:${room}`, frame);
    else broadcast(room, frame);
  });
  ws.on("close", () => {
    members.delete(ws);
    if (members.size === 0) rooms.delete(room);
  });
});

http.listen(port, "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
