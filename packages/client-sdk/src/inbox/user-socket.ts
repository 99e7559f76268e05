import type { ReadyFrame, SubscribedFrame, UserServerFrame } from "@podchat/protocol";
import { parseUserServerFrame } from "@podchat/protocol/validate";
import {
  CloseCode,
  type PodchatChannel,
  type PodchatError,
  type WebSocketConstructor,
  type WebSocketLike,
} from "@podchat/client-sdk";

/**
 * The user connection under a client's channel handles. A {@link PodchatChannel} talks to a
 * {@link WebSocketLike}: here each handle gets a {@link SubscriptionSocket} instead of a socket of
 * its own — SUBSCRIBE/SUBSCRIBED on one shared socket, frames routed by `channel_url` and `req_id`
 * — so its outbox, sequencer, resume, backoff and events run unchanged. The shared socket itself is
 * driven by one more, hidden, channel handle (the "manager"), whose socket is a {@link Wire} that
 * presents READY as its CONNECTED: token refresh on 4401, backoff, heartbeat and the close-code
 * table are the channel's own, not a copy.
 */

/** The hidden handle's url; no channel can have it (channel urls are validated on the server). */
export const USER_SOCKET = "\u0000user";

const OPEN = 1;
const noop = () => {};

/** What a subscription refusal means, as the per-channel endpoint's close code for it. */
const refusalClose: Record<string, number> = {
  NOT_MEMBER: CloseCode.FORBIDDEN,
  BANNED: CloseCode.FORBIDDEN,
  FORBIDDEN: CloseCode.FORBIDDEN,
  CHANNEL_NOT_FOUND: CloseCode.CHANNEL_NOT_FOUND,
  WRONG_PROVIDER: CloseCode.WRONG_PROVIDER,
  CHANNEL_DELETED: CloseCode.CHANNEL_DELETED,
  INVALID_FRAME: CloseCode.BAD_REQUEST,
  RATE_LIMITED: CloseCode.RATE_LIMITED,
};

/** Where the user connection's frames go besides the channel handles (the inbox). */
export interface UserSocketListener {
  /** A READY (the socket is up, every subscription is being renewed). */
  ready(f: ReadyFrame): void;
  /** Inbox frames, channel-scoped frames, and errors no handle claimed; true when handled. */
  frame(f: UserServerFrame): boolean;
  /** The socket is gone (it reconnects by itself while anything needs it). */
  down(): void;
}

/** The core client's socket url: `…/api/v1/chat/ws/{channel}[/test][?query]`. */
const coreUrl = /^(.*\/api\/v1\/chat\/ws)\/([^/?]*)(?:\/test)?(?:\?(.*))?$/;

export class UserSocket {
  #manager: PodchatChannel | undefined;
  #wire: Wire | null = null;
  #ready: ReadyFrame | undefined;
  /** The current subscription socket of each channel handle. */
  readonly #subs = new Map<string, SubscriptionSocket>();
  /** Channel of each frame written with a `req_id`, until its ACK or ERROR. */
  readonly #reqs = new Map<string, string>();
  readonly #listeners = new Set<UserSocketListener>();
  #lastWriter: string | undefined;
  #lastError: PodchatError | undefined;
  #n = 0;
  /** Frames that failed validation. */
  invalidFrames = 0;

  constructor(readonly Real: WebSocketConstructor | undefined) {}

  /** @internal Wires the hidden handle that drives the shared socket. */
  set manager(ch: PodchatChannel) {
    this.#manager = ch;
    ch.on("error", (e) => {
      this.#lastError = e;
    });
    ch.on("status", (s) => {
      if (s !== "connected" || !this.#ready) return;
      this.#lastError = undefined;
      for (const sub of this.#subs.values()) if (sub.state === "waiting") this.#subscribe(sub);
      for (const l of this.#listeners) l.ready(this.#ready);
    });
  }

  get manager(): PodchatChannel {
    if (!this.#manager) throw new Error("user socket has no manager");
    return this.#manager;
  }

  /** READY of the socket up now; undefined while it is not. */
  get ready(): ReadyFrame | undefined {
    return this.manager.status === "connected" ? this.#ready : undefined;
  }

  listen(l: UserSocketListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** A fresh `req_id` for frames of the user connection itself. */
  reqId(prefix: string): string {
    return `${prefix}${(++this.#n).toString(36)}`;
  }

  /** Writes a frame of the user connection (INBOX_LIST, READ); false when the socket is not up. */
  write(frame: object): boolean {
    const wire = this.#wire;
    if (!this.ready || !wire || wire.readyState !== OPEN) return false;
    wire.send(JSON.stringify(frame));
    return true;
  }

  /** The WebSocket constructor given to the core client: the wire for the manager, else a subscription. */
  socketFor(url: string): WebSocketLike {
    const m = coreUrl.exec(url);
    if (!m) throw new Error(`not a podchat socket url: ${url}`);
    const channelUrl = decodeURIComponent(m[2] ?? "");
    const q = new URLSearchParams(m[3] ?? "");
    if (channelUrl === USER_SOCKET) {
      if (!this.Real)
        throw new Error("no WebSocket: pass `WebSocket` to createInboxClient (in Node, from `ws`)");
      q.delete("since_seq");
      const query = q.toString();
      const wire = new Wire(this, new this.Real(query ? `${m[1]}?${query}` : (m[1] ?? "")));
      this.#wire = wire;
      return wire;
    }
    const since = q.get("since_seq");
    const sub = new SubscriptionSocket(this, channelUrl, since === null ? undefined : Number(since));
    this.#subs.get(channelUrl)?.close();
    this.#subs.set(channelUrl, sub);
    sub.release = this.manager.acquire();
    if (this.ready) this.#subscribe(sub);
    return sub;
  }

  #subscribe(sub: SubscriptionSocket): void {
    sub.state = "subscribing";
    sub.reqId = this.reqId("sub");
    this.write({
      type: "SUBSCRIBE",
      channel_url: sub.url,
      req_id: sub.reqId,
      ...(sub.since === undefined ? {} : { since_seq: sub.since }),
    });
  }

  /** @internal A subscription socket's frame: PINGs are answered here (the wire has its own heartbeat). */
  send(sub: SubscriptionSocket, data: string): void {
    const f = JSON.parse(data) as { type: string; ts?: number; req_id?: unknown; channel_url?: string };
    if (f.type === "PING") {
      const rtt = this.manager.stats().rttMs;
      const pong = rtt === null || f.ts === undefined ? { type: "PONG" } : { type: "PONG", ts: f.ts - rtt };
      queueMicrotask(() => sub.deliver(JSON.stringify(pong)));
      return;
    }
    f.channel_url = sub.url;
    if (typeof f.req_id === "string") this.#reqs.set(f.req_id, sub.url);
    this.#lastWriter = sub.url;
    this.#wire?.send(JSON.stringify(f));
  }

  /** @internal A subscription socket the handle closed: unsubscribe, stop holding the socket up. */
  closed(sub: SubscriptionSocket, wasLive: boolean): void {
    if (this.#subs.get(sub.url) === sub) {
      this.#subs.delete(sub.url);
      if (wasLive) this.write({ type: "UNSUBSCRIBE", channel_url: sub.url, req_id: this.reqId("uns") });
    }
  }

  /** @internal A frame from the shared socket. */
  receive(wire: Wire, data: unknown): void {
    if (wire !== this.#wire || typeof data !== "string") return;
    let parsed: ReturnType<typeof parseUserServerFrame>;
    try {
      parsed = parseUserServerFrame(JSON.parse(data));
    } catch {
      parsed = { success: false, error: "not JSON" };
    }
    if (!parsed.success) {
      this.invalidFrames++;
      return;
    }
    const f = parsed.data;
    switch (f.type) {
      case "READY":
        this.#ready = f;
        wire.deliver({
          type: "CONNECTED",
          channel_url: USER_SOCKET,
          user_id: f.user_id,
          connection_id: f.connection_id,
          last_seq: 0,
          heartbeat_ms: f.heartbeat_ms,
          server_time: f.server_time,
        });
        return;
      case "PONG":
        wire.deliver(f);
        return;
      case "SUBSCRIBED": {
        const sub = this.#subs.get(f.channel_url);
        if (sub?.state === "subscribing" && sub.reqId === f.req_id) sub.opened(f, this.#ready!);
        // An older SUBSCRIBE answered after its handle let go: end what the server started.
        else if (!sub || sub.state === "closed")
          this.write({ type: "UNSUBSCRIBE", channel_url: f.channel_url, req_id: this.reqId("uns") });
        return;
      }
      case "UNSUBSCRIBED": {
        const sub = this.#subs.get(f.channel_url);
        if (f.code !== undefined && sub) sub.refused(f.code, f.message ?? f.code);
        return;
      }
      case "ACK": {
        const url = this.#reqs.get(f.req_id);
        this.#reqs.delete(f.req_id);
        if (url !== undefined) this.#subs.get(url)?.deliver(data);
        return;
      }
      case "ERROR": {
        const url = f.channel_url ?? (f.req_id === undefined ? undefined : this.#reqs.get(f.req_id));
        if (f.req_id !== undefined) this.#reqs.delete(f.req_id);
        const sub = url === undefined ? undefined : this.#subs.get(url);
        if (sub?.state === "subscribing" && (f.req_id === undefined || f.req_id === sub.reqId)) {
          sub.refused(f.code, f.message, f.retry_after_ms);
        } else if (sub?.state === "open" && f.req_id !== undefined) sub.deliver(data);
        else if (!this.#tell(f)) wire.deliver(f);
        return;
      }
      case "INBOX_PAGE":
      case "INBOX_MESSAGE":
      case "INBOX_READ":
      case "INBOX_ADDED":
      case "INBOX_REMOVED":
      case "INBOX_UPDATED":
      case "INBOX_MODERATION":
        this.#tell(f);
        return;
      default:
        // Channel-scoped: seq-log entries, receipts, typing, moderation, presence.
        this.#subs.get(f.channel_url)?.deliver(data);
        this.#tell(f);
    }
  }

  #tell(f: UserServerFrame): boolean {
    let handled = false;
    for (const l of this.#listeners) handled = l.frame(f) || handled;
    return handled;
  }

  /**
   * @internal The shared socket ended (closed by the server or the network, or by the manager).
   * Once the manager has decided (retry or stop), every subscription ends the way a socket of its
   * own would: a retryable close (1006, or 1009 for the handle that wrote the frame too large), or
   * the manager's final refusal.
   */
  ended(wire: Wire, code: number, reason: string): void {
    if (wire !== this.#wire) return;
    this.#wire = null;
    this.#ready = undefined;
    this.#reqs.clear();
    const writer = this.#lastWriter;
    this.#lastWriter = undefined;
    // Taken now: a handle that connects meanwhile gets a subscription of the next socket.
    const subs = [...this.#subs.values()];
    this.#subs.clear();
    for (const sub of subs) sub.readyState = 3;
    queueMicrotask(() => {
      const final = this.manager.status === "disconnected";
      const err = this.#lastError;
      for (const sub of subs) {
        if (!final) sub.down(code === CloseCode.FRAME_TOO_LARGE && sub.url === writer ? code : 1006, reason);
        else if (err) sub.down(err.closeCode ?? CloseCode.NORMAL, err.message, err);
        else sub.down(CloseCode.NORMAL, "user connection closed");
      }
      for (const l of this.#listeners) l.down();
    });
  }
}

/** The shared socket as the manager sees it: READY comes as CONNECTED, channel traffic is routed away. */
class Wire implements WebSocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(
    private readonly user: UserSocket,
    private readonly ws: WebSocketLike,
  ) {
    ws.onopen = (ev) => this.onopen?.(ev);
    ws.onmessage = (ev) => user.receive(this, ev.data);
    ws.onclose = (ev) => {
      this.#detach();
      // The manager decides first (retry, refresh the token, or stop); the subscriptions follow it.
      this.onclose?.({ code: ev.code, reason: ev.reason });
      user.ended(this, ev.code, ev.reason);
    };
    ws.onerror = noop;
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  send(data: string): void {
    this.ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.#detach();
    this.ws.close(code, reason);
    this.user.ended(this, code ?? CloseCode.NORMAL, reason ?? "");
  }

  /** A frame for the manager. */
  deliver(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  #detach(): void {
    this.ws.onopen = noop;
    this.ws.onmessage = noop;
    this.ws.onclose = noop;
  }
}

/** One channel handle's subscription on the shared socket, shaped as the socket the handle expects. */
class SubscriptionSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  state: "waiting" | "subscribing" | "open" | "closed" = "waiting";
  reqId: string | undefined;
  release: () => void = noop;

  constructor(
    private readonly user: UserSocket,
    readonly url: string,
    readonly since: number | undefined,
  ) {}

  send(data: string): void {
    if (this.readyState === OPEN) this.user.send(this, data);
  }

  /** The handle let go (disconnect, a final refusal, or its heartbeat gave up). */
  close(): void {
    if (this.state === "closed") return;
    const wasLive = this.state !== "waiting";
    this.#end();
    this.user.closed(this, wasLive);
  }

  /** SUBSCRIBED: the handle gets the CONNECTED its own socket would have sent. */
  opened(f: SubscribedFrame, ready: ReadyFrame): void {
    this.state = "open";
    this.readyState = OPEN;
    this.onopen?.({});
    this.deliver(
      JSON.stringify({
        type: "CONNECTED",
        channel_url: this.url,
        user_id: ready.user_id,
        connection_id: ready.connection_id,
        last_seq: f.last_seq,
        ...(f.since_seq === undefined ? {} : { since_seq: f.since_seq }),
        ...(f.gap ? { gap: f.gap } : {}),
        heartbeat_ms: ready.heartbeat_ms,
        server_time: ready.server_time,
      }),
    );
  }

  deliver(data: string): void {
    if (this.state === "open") this.onmessage?.({ data });
  }

  /** The server refused or ended this subscription: the handle sees that refusal and its close code. */
  refused(code: string, message: string, retryAfterMs?: number): void {
    const closeCode = refusalClose[code] ?? CloseCode.STORE_UNAVAILABLE;
    this.user.closed(this, false);
    this.down(closeCode, message, {
      code,
      message,
      ...(retryAfterMs === undefined ? {} : { retry_after_ms: retryAfterMs }),
    });
  }

  /** Ends as a socket that closed with `code`, after the refusal that explains it (when final). */
  down(
    code: number,
    reason: string,
    refusal?: { code: string; message: string; retry_after_ms?: number },
  ): void {
    if (this.state === "closed") return;
    const onmessage = this.onmessage;
    const onclose = this.onclose;
    this.#end();
    if (refusal) {
      onmessage?.({
        data: JSON.stringify({
          type: "ERROR",
          code: refusal.code,
          message: refusal.message,
          close_code: code,
          ...(refusal.retry_after_ms === undefined ? {} : { retry_after_ms: refusal.retry_after_ms }),
        }),
      });
    }
    onclose?.({ code, reason });
  }

  #end(): void {
    this.state = "closed";
    this.readyState = 3;
    this.release();
    this.release = noop;
  }
}
