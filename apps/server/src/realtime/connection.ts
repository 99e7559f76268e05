import type { WireUserId } from "@podchat/protocol";
import type { WebSocket } from "ws";
import { type EncodedFrame, writeEncodedFrame } from "./ws-frame.ts";

/**
 * A seq-log entry ready to send: its seq, its JSON, and its WebSocket frame, serialised, UTF-8
 * encoded and framed once for every socket (the benchmark profile showed the per-recipient
 * encoding and framing).
 */
export interface Deliverable {
  seq: number;
  json: string;
  frame: EncodedFrame;
}

/** Sends a pre-encoded Buffer as a text frame. */
const TEXT = { binary: false } as const;

/** Token bucket: `rate` tokens per second, at most `burst` saved. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  /** Takes a token; returns 0 when granted, else the ms until one is available. */
  take(): number {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}

/**
 * One channel as one socket receives it: what was sent (each seq once, in order) and the live
 * entries held back while history is replayed. The per-channel endpoint has exactly one per
 * socket; the user connection one per subscribed channel.
 */
export class Subscription {
  /** Highest seq sent to this socket; anything at or below it is not sent again. */
  sentSeq = 0;
  /** Live messages held back while history is replayed; null once live. */
  backlog: Deliverable[] | null = [];
  /** Joined its room (set once the room is ready). */
  joined = false;
  closed = false;
  /** Counted in presence (a subscription ended before its replay finished is not). */
  present = false;
  /** Pending automatic typing:false while this socket's user is shown typing. */
  typingTimer: NodeJS.Timeout | null = null;
  /** When the last typing:true was published (performance.now()), for coalescing. */
  typingSentAt = 0;

  constructor(
    readonly conn: Connection,
    readonly channelUrl: string,
  ) {}

  /** Delivers a seq-ordered entry: held while replaying, skipped when already sent. */
  deliver(d: Deliverable): boolean {
    if (this.closed) return false;
    if (this.backlog) {
      this.backlog.push(d);
      return false;
    }
    if (d.seq <= this.sentSeq) return false;
    this.sentSeq = d.seq;
    return this.conn.sendEncoded(d.frame);
  }
}

/** One admitted socket. Kept small: there may be tens of thousands. */
export class Connection {
  /** Saw traffic (or a pong) since the last heartbeat tick. */
  alive = true;
  /** Which heartbeat slice pings this socket (set when it is attached). */
  heartbeatSlice = 0;
  closed = false;
  /** Subscribed channels, by url. */
  readonly subs = new Map<string, Subscription>();
  /**
   * The user connection (@since 0.3): inbox events of the user's channels reach this socket.
   * The per-channel endpoint's sockets get only their channel.
   */
  readonly inbox: boolean;
  /** Channels whose inbox events reach this socket (user connection only). */
  readonly watching = new Set<string>();
  /**
   * The `iat` (epoch seconds) of the token the socket was admitted with; null without one (no
   * `iat` claim, or the dev test endpoint). Checked when the user's tokens are revoked.
   */
  readonly tokenIssuedAt: number | null;
  /** When the socket was admitted (epoch ms), for the admin's view of a user. */
  readonly connectedAt = Date.now();
  /** Rate-limited frames in the current flood window, and when that window started. */
  private refusals = 0;
  private refusalsSince = 0;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    readonly userId: string,
    readonly wireUserId: WireUserId,
    readonly ip: string,
    readonly bucket: TokenBucket,
    private readonly maxQueuedBytes: number,
    private readonly onSlow: (c: Connection) => void,
    options: { inbox: boolean; tokenIssuedAt?: number | null },
  ) {
    this.inbox = options.inbox;
    this.tokenIssuedAt = options.tokenIssuedAt ?? null;
  }

  /** Counts a rate-limited frame; returns how many fell in the current window of `windowMs`. */
  strike(windowMs: number): number {
    const now = performance.now();
    if (now - this.refusalsSince > windowMs) {
      this.refusalsSince = now;
      this.refusals = 0;
    }
    return ++this.refusals;
  }

  /** Sends a raw frame unless the socket is closed; drops a consumer whose queue overflows. */
  sendRaw(frame: string | Buffer): boolean {
    if (!this.writable()) return false;
    this.ws.send(frame, TEXT);
    return true;
  }

  /** Sends a pre-encoded frame, with the same checks as `sendRaw`. */
  sendEncoded(frame: EncodedFrame): boolean {
    if (!this.writable()) return false;
    writeEncodedFrame(this.ws, frame);
    return true;
  }

  private writable(): boolean {
    if (this.closed || this.ws.readyState !== 1) return false;
    if (this.ws.bufferedAmount > this.maxQueuedBytes) {
      this.onSlow(this);
      return false;
    }
    return true;
  }
}
