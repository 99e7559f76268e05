import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import type { Dialect } from "./messages.ts";

const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** A client frame (always masked) with a short payload. */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length > 125) throw new Error("raw client frames are short");
  const mask = randomBytes(4);
  const out = Buffer.allocUnsafe(6 + payload.length);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | payload.length;
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/**
 * A bulk WebSocket client that only counts frames: the upgrade is done by hand over a TCP socket
 * and server frames are walked header to header, their payloads skipped unread — no Buffer, no
 * event and no parse per message. One such process takes several times the frames a `ws` client
 * does, so the load generator stays ahead of the server. Payloads are read only while admitting
 * (CONNECTED / Engine.IO open) and for control frames (ping → pong, close) and Engine.IO pings.
 */
export class RawCountingClient {
  /** Data messages received since construction (the worker resets its own window counter). */
  frames = 0;
  closedByUs = false;
  ready = false;
  private socket: Socket;
  private handshaking = true;
  private pending: Buffer | null = null;
  private skip = 0;
  private capture: { opcode: number; fin: boolean; parts: Buffer[] } | null = null;
  private upgraded = false;
  private head = "";

  constructor(
    url: string,
    private readonly dialect: Dialect,
    private readonly onReady: () => void,
    private readonly onFail: (why: string) => void,
    private readonly onFrame: () => void,
    private readonly onClose: () => void,
  ) {
    const u = new URL(url);
    const key = randomBytes(16).toString("base64");
    this.socket = connect({ host: u.hostname, port: Number(u.port) }, () => {
      this.socket.setNoDelay(true);
      this.socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.socket.on("error", (e) => this.fail(`socket error: ${e.message}`));
    this.socket.on("close", () => {
      if (!this.ready) this.fail("closed before admission");
      else if (!this.closedByUs) this.onClose();
    });
  }

  private fail(why: string) {
    if (this.ready || this.closedByUs) return;
    this.closedByUs = true;
    this.socket.destroy();
    this.onFail(why);
  }

  close() {
    if (this.closedByUs && this.socket.destroyed) return;
    this.closedByUs = true;
    if (this.socket.writable) this.socket.end(maskedFrame(OP_CLOSE, Buffer.from([0x03, 0xe8])));
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  terminate() {
    this.closedByUs = true;
    this.socket.destroy();
  }

  get destroyed() {
    return this.socket.destroyed;
  }

  onceClosed(cb: () => void) {
    if (this.socket.destroyed) cb();
    else this.socket.once("close", cb);
  }

  private send(opcode: number, text: string | Buffer) {
    this.socket.write(maskedFrame(opcode, typeof text === "string" ? Buffer.from(text) : text));
  }

  private onData(chunk: Buffer) {
    if (!this.upgraded) {
      this.head += chunk.toString("latin1");
      const end = this.head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (this.head.length > 16_384) this.fail("oversized upgrade response");
        return;
      }
      const status = this.head.slice(0, this.head.indexOf("\r\n"));
      if (!/^HTTP\/1\.1 101/.test(status)) return this.fail(`upgrade refused: ${status}`);
      this.upgraded = true;
      const rest = Buffer.from(this.head.slice(end + 4), "latin1");
      this.head = "";
      if (rest.length === 0) return;
      chunk = rest;
    }
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let i = 0;
    const n = buf.length;
    while (i < n) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, n - i);
        if (this.capture) this.capture.parts.push(buf.subarray(i, i + take));
        this.skip -= take;
        i += take;
        if (this.skip === 0 && this.capture) this.finishCaptured();
        continue;
      }
      if (n - i < 2) {
        this.pending = Buffer.from(buf.subarray(i));
        return;
      }
      const b0 = buf[i]!;
      const b1 = buf[i + 1]!;
      let len = b1 & 0x7f;
      let hl = 2;
      if (len === 126) hl = 4;
      else if (len === 127) hl = 10;
      if (n - i < hl) {
        this.pending = Buffer.from(buf.subarray(i));
        return;
      }
      if (len === 126) len = buf.readUInt16BE(i + 2);
      else if (len === 127) len = buf.readUIntBE(i + 4, 6);
      i += hl;
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      const wanted = opcode >= 0x8 || this.handshaking || (this.dialect === "sio" && len === 1);
      if (!wanted) {
        if (fin) this.countData();
        this.skip = len;
        continue;
      }
      this.capture = { opcode, fin, parts: [] };
      this.skip = len;
      if (len === 0) this.finishCaptured();
    }
  }

  private countData() {
    this.frames++;
    this.onFrame();
  }

  private finishCaptured() {
    const c = this.capture!;
    this.capture = null;
    const payload = c.parts.length === 1 ? c.parts[0]! : Buffer.concat(c.parts);
    if (c.opcode === OP_PING) return this.send(OP_PONG, Buffer.from(payload));
    if (c.opcode === OP_PONG) return;
    if (c.opcode === OP_CLOSE) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (!this.ready) return this.fail(`closed ${code} ${payload.subarray(2).toString().slice(0, 120)}`);
      if (!this.closedByUs) this.socket.end(maskedFrame(OP_CLOSE, payload.subarray(0, 2)));
      return;
    }
    const text = payload.toString();
    if (this.dialect === "sio" && text === "2") return this.send(OP_TEXT, "3");
    if (!this.handshaking) {
      if (c.fin) this.countData();
      return;
    }
    if (this.dialect === "sio") {
      if (text.startsWith("0{")) this.send(OP_TEXT, "40");
      else if (text.startsWith("40")) this.admitted();
      else this.fail(`unexpected Engine.IO frame: ${text.slice(0, 160)}`);
      return;
    }
    if (text.startsWith('{"type":"CONNECTED"')) this.admitted();
    else this.fail(`refused: ${text.slice(0, 160)}`);
  }

  private admitted() {
    this.handshaking = false;
    this.ready = true;
    this.onReady();
  }
}
