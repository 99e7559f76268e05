import type { WebSocket } from "ws";

/**
 * A WebSocket text frame encoded once for every recipient of a broadcast: header and payload in one
 * Buffer, so each socket costs one `write` — no per-recipient options object, header allocation or
 * cork/uncork pair, which is what `ws.send` does (the fan-out profile's largest share). Socket.IO
 * broadcasts the same way (`wsPreEncodedFrame`).
 */
export interface EncodedFrame {
  /** Header + payload, ready for the wire (server frames are never masked). */
  wire: Buffer;
  /** The payload alone (a view into `wire`), for the `ws.send` fallback. */
  payload: Buffer;
}

/** Encodes `text` (UTF-8) as one final, unmasked, uncompressed text frame (RFC 6455 §5.2). */
export function encodeTextFrame(text: string): EncodedFrame {
  const len = Buffer.byteLength(text);
  const headerLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const wire = Buffer.allocUnsafe(headerLen + len);
  wire[0] = 0x81; // FIN + opcode 1 (text)
  if (len < 126) {
    wire[1] = len;
  } else if (len < 65536) {
    wire[1] = 126;
    wire.writeUInt16BE(len, 2);
  } else {
    wire[1] = 127;
    wire.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    wire.writeUInt32BE(len >>> 0, 6);
  }
  wire.write(text, headerLen);
  return { wire, payload: wire.subarray(headerLen) };
}

/** The part of ws's Sender used here (ws ≥ 8.17; Socket.IO's engine.io relies on the same). */
interface SenderInternals {
  _state: number;
  sendFrame(list: Buffer[], cb?: (err?: Error) => void): void;
}

const TEXT = { binary: false } as const;
const SENDER_IDLE = 0;

function senderOf(ws: WebSocket): SenderInternals | undefined {
  const s = (ws as unknown as { _sender?: Partial<SenderInternals> })._sender;
  return s && typeof s.sendFrame === "function" && typeof s._state === "number"
    ? (s as SenderInternals)
    : undefined;
}

/**
 * Writes a pre-encoded frame. Goes through `ws.send` instead whenever the sender is busy (a
 * compressed or blob message in flight would otherwise be overtaken) or ws no longer has the
 * internals (`usesPreEncodedFrames` tells the tests).
 */
export function writeEncodedFrame(ws: WebSocket, frame: EncodedFrame): void {
  const sender = senderOf(ws);
  if (sender && sender._state === SENDER_IDLE) sender.sendFrame([frame.wire]);
  else ws.send(frame.payload, TEXT);
}

/** An empty ping (FIN + opcode 9, no payload): the same two bytes for every socket. */
const EMPTY_PING = Buffer.from([0x89, 0x00]);

/** Sends a heartbeat ping: two constant bytes, or `ws.ping()` when the sender is busy. */
export function writePing(ws: WebSocket): void {
  const sender = senderOf(ws);
  if (sender && sender._state === SENDER_IDLE) sender.sendFrame([EMPTY_PING]);
  else ws.ping();
}

/** Whether this ws socket takes pre-encoded frames (false means every write falls back to send). */
export function usesPreEncodedFrames(ws: WebSocket): boolean {
  return senderOf(ws) !== undefined;
}

/** A WebSocket close reason is at most 123 bytes of UTF-8: cut on a character boundary. */
export function closeReason(message: string, maxBytes = 120): string {
  if (Buffer.byteLength(message) <= maxBytes) return message;
  let out = "";
  let bytes = 0;
  for (const ch of message) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}
