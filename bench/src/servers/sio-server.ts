/**
 * The Socket.IO 4 baseline (websocket transport only): the same rooms and broadcast as the bare
 * `ws` server, same envelope, no storage. Clients join with `?room=…&user_id=…` in the handshake.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.env.PORT ?? 0);
const seqs = new Map<string, number>();

const http = createServer((req, res) => {
  res.writeHead(req.url === "/healthz" ? 200 : 404, { "content-type": "text/plain" }).end("ok");
});
const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  maxHttpBufferSize: 256 * 1024,
});

io.on("connection", (socket) => {
  const room = String(socket.handshake.query.room ?? "");
  const rawUser = String(socket.handshake.query.user_id ?? "0");
  const userId: string | number = /^\d{1,15}$/.test(rawUser) ? Number(rawUser) : rawUser;
  void socket.join(room);
  socket.on("MESG", (body: { message?: unknown } | undefined) => {
    if (!body || typeof body.message !== "string") return;
    const seq = (seqs.get(room) ?? 0) + 1;
    seqs.set(room, seq);
    io.to(room).emit("MESG", {
      type: "MESG",
      channel_url: room,
      user_id: userId,
      message: body.message,
      timestamp: new Date().toISOString(),
      message_id: randomUUID(),
      seq,
    });
  });
});

http.listen(port, "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
