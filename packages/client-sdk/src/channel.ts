import {
  CloseCode,
  type ConnectedFrame,
  type ErrorFrame,
  type FileInfo,
  type HistoryLogResponse,
  type HistoryResponse,
  type ModerationState,
  type ReadStateResponse,
  retryPolicyFor,
  type TransportResponse,
  type TypingFrame,
  type UnreadResponse,
  type WireUserId,
} from "@podchat/protocol";
import * as V from "@podchat/protocol/validate";
import { type ReconnectPolicy, reconnectDelay } from "./backoff.ts";
import { Emitter } from "./emitter.ts";
import { ClientErrorCode, PodchatError } from "./errors.ts";
import type { Parse, TokenSource } from "./http.ts";
import { Outbox, type OutboxFrame } from "./outbox.ts";
import { Sequencer } from "./sequencer.ts";
import type {
  ChannelEvents,
  ChannelStats,
  ChannelStatus,
  EditOptions,
  HistoryOptions,
  OutboxItem,
  SendFileOptions,
  SendOptions,
  SendResult,
  UploadOptions,
  WebSocketConstructor,
  WebSocketLike,
} from "./types.ts";

/** What a channel gets from its client. */
export interface ChannelContext {
  tokens: TokenSource;
  WebSocket: WebSocketConstructor | undefined;
  policy: ReconnectPolicy;
  heartbeatMs: number;
  queueLimit: number;
  releaseDelayMs: number;
  discover: boolean;
  socketUrl(channelUrl: string, base: string | undefined, token: string | undefined, since?: number): string;
  /** A REST call under `…/channels/{channelUrl}/`. */
  rest<T>(
    channelUrl: string,
    path: string,
    parse: Parse<T>,
    init?: { method?: string; body?: FormData },
  ): Promise<T>;
  /** A history page; `messages` may hold edits and deletions (log entries) too. */
  history(channelUrl: string, opts: HistoryOptions): Promise<HistoryLogResponse>;
  transport(channelUrl: string): Promise<TransportResponse>;
}

/** Options of `connect`. */
export interface ConnectOptions {
  /** Ask the transport endpoint first (overrides the client's `discover`). */
  discover?: boolean;
}

const OPEN = 1;
const noop = () => {};
/** At most one READ and one TYPING_START per this many ms. */
const throttleMs = 1_000;
/** `startTyping` not called again for this long sends TYPING_STOP. */
const typingIdleMs = 3_000;
/** How long a TYPING start without `expires_in_ms` counts. */
const typingDefaultMs = 5_000;

/**
 * One channel of a client: a socket that reconnects and resumes by itself, an outbox of sends
 * awaiting acknowledgement, and typed events. Get it with `client.channel(url)`.
 */
export class PodchatChannel {
  readonly #ctx: ChannelContext;
  readonly #events = new Emitter<ChannelEvents>();
  readonly #sequencer: Sequencer;
  readonly #outboxQueue: Outbox;
  #state: ChannelStatus = "disconnected";
  #ws: WebSocketLike | null = null;
  /** Bumped by every attempt and by disconnect, so late callbacks of an older attempt do nothing. */
  #generation = 0;
  #attempts = 0;
  #needsFreshToken = false;
  #discover = false;
  /** Socket base from transport discovery; undefined until discovered. */
  #socketBase: string | undefined;
  /** ERROR frame announcing the close that follows. */
  #refusal: ErrorFrame | undefined;
  /** Earliest time of the next attempt when the server rate-limited us. */
  #slowUntil = 0;
  #lastWrittenReqId: string | undefined;
  #lastReceivedAt = 0;
  #lastPingAt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #releaseTimer: ReturnType<typeof setTimeout> | undefined;
  #refs = 0;
  #counters = { rttMs: null as number | null, reconnects: 0, reconnectAttempts: 0, invalidFrames: 0 };
  #lastClose: { code: number; reason: string } | null = null;
  #opened = false;
  /** Highest seq the app marked read, and the highest sent as READ. */
  #readWanted = 0;
  #readSent = 0;
  #readAt = 0;
  #readTimer: ReturnType<typeof setTimeout> | undefined;
  /** Our own typing: when the last TYPING_START went out, whether a stop is owed, the idle timer. */
  #typingAt = 0;
  #typingOn = false;
  #typingIdle: ReturnType<typeof setTimeout> | undefined;
  /** Members typing now, each with the timer that expires their start. */
  readonly #typers = new Map<WireUserId, ReturnType<typeof setTimeout>>();

  /** @internal Use `client.channel(url)`. */
  constructor(
    /** The channel url this handle serves. */
    readonly url: string,
    ctx: ChannelContext,
  ) {
    this.#ctx = ctx;
    this.#outboxQueue = new Outbox(
      ctx.queueLimit,
      (snapshot) => this.#events.emit("outbox", snapshot),
      (n) => reconnectDelay(ctx.policy, n, false),
    );
    this.#sequencer = new Sequencer({
      deliver: (m) => {
        if (m.type === "MESSAGE_UPDATED") this.#events.emit("messageUpdated", m);
        else if (m.type === "MESSAGE_DELETED") this.#events.emit("messageDeleted", m);
        else {
          // A member's message ends their typing.
          if (m.user_id != null) this.#typingOf(m.user_id, false);
          this.#events.emit("message", m);
        }
        this.#outboxQueue.delivered(m.seq);
      },
      fetchAfter: async (afterSeq, limit) =>
        (await ctx.history(url, { afterSeq, limit, includeChanges: true })).messages,
      onGap: (fromSeq, toSeq) => this.#events.emit("gap", { fromSeq, toSeq }),
      onLost: (fromSeq, toSeq) =>
        this.#events.emit(
          "error",
          new PodchatError(ClientErrorCode.MESSAGES_LOST, `seq ${fromSeq}..${toSeq} not in history`, {
            fromSeq,
            toSeq,
          }),
        ),
      pause: (failures, err) => {
        if (err instanceof PodchatError && isFinalHttp(err.status)) {
          this.#events.emit("error", err);
          return Promise.resolve(false);
        }
        return new Promise((r) => setTimeout(() => r(true), reconnectDelay(ctx.policy, failures, false)));
      },
    });
  }

  /** Current connection state. */
  get status(): ChannelStatus {
    return this.#state;
  }

  /** Highest seq delivered through `message` events; undefined before the first connection. */
  get lastSeq(): number | undefined {
    return this.#sequencer.last;
  }

  /** Snapshot of sends not yet acknowledged (and acknowledged ones until their message arrives). */
  get outbox(): readonly OutboxItem[] {
    return this.#outboxQueue.snapshot;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof ChannelEvents>(event: K, fn: (payload: ChannelEvents[K]) => void): () => void {
    return this.#events.on(event, fn);
  }

  /** Opens the connection; from then on it reconnects by itself until `disconnect` or a final refusal. */
  connect(opts: ConnectOptions = {}): void {
    if (this.#state !== "disconnected") return;
    this.#discover = opts.discover ?? this.#ctx.discover;
    this.#attempts = 0;
    this.#setStatus("connecting");
    void this.#open();
  }

  /** Closes the connection and stops reconnecting. Queued sends stay queued for the next `connect`. */
  disconnect(): void {
    this.#generation++;
    clearTimeout(this.#releaseTimer);
    this.#stopRetry();
    const ws = this.#ws;
    this.#dropSocket();
    ws?.close(CloseCode.NORMAL, "client disconnect");
    this.#sequencer.stop();
    this.#setStatus("disconnected");
  }

  /**
   * Sends a message. Resolves once the server stored it; while disconnected it waits in the outbox
   * and goes out on reconnect with the same `req_id`. Rejects with a {@link PodchatError} whose
   * `code` is the server's (e.g. `NOT_MEMBER`) or `QUEUE_FULL`.
   */
  send(text: string, opts: SendOptions = {}): Promise<SendResult> {
    this.stopTyping();
    return this.#enqueue({
      type: opts.type ?? "MESG",
      message: text,
      custom_type: opts.customType,
      data: opts.data,
      file: opts.file,
    });
  }

  /**
   * Edits one's own message `seq`. Queued, resent and acknowledged like `send`; resolves with the
   * seq of the edit's own log entry. Rejects with e.g. `NOT_AUTHOR`, `MESSAGE_NOT_FOUND`, `MUTED`.
   */
  edit(seq: number, text: string, opts: EditOptions = {}): Promise<SendResult> {
    return this.#enqueue({ type: "EDIT", target_seq: seq, message: text, data: opts.data });
  }

  /** Deletes one's own message `seq` (it becomes a tombstone). Queued and acknowledged like `send`. */
  delete(seq: number): Promise<SendResult> {
    return this.#enqueue({ type: "DELETE", target_seq: seq });
  }

  /**
   * Uploads a file (`POST …/files`, multipart field `file`) and resolves with the {@link FileInfo}
   * to put in a FILE or IMAGE message. Rejects with e.g. `FILE_TOO_LARGE`, `UNSUPPORTED_MEDIA_TYPE`.
   */
  upload(file: Blob, opts: UploadOptions = {}): Promise<FileInfo> {
    const body = new FormData();
    body.append("file", file, opts.name ?? (file as Partial<File>).name ?? "file");
    return this.#ctx.rest(this.url, "files", V.parser(V.FileInfo), { method: "POST", body });
  }

  /** `upload`, then a send of it: IMAGE when its mime type is `image/…`, else FILE. */
  async sendFile(file: Blob, opts: SendFileOptions = {}): Promise<SendResult> {
    const info = await this.upload(file, opts);
    return this.send(opts.caption ?? "", {
      type: info.mime_type.startsWith("image/") ? "IMAGE" : "FILE",
      file: info,
      customType: opts.customType,
      data: opts.data,
    });
  }

  /**
   * Marks the channel read up to `seq` (default: the last seq delivered) with a READ frame. Calls
   * are coalesced (at most one READ per second, always the highest seq) and wait for a connection.
   */
  markRead(seq = this.#sequencer.last): void {
    if (seq === undefined || seq <= this.#readWanted) return;
    this.#readWanted = seq;
    this.#sendRead();
  }

  /** This member's unread count (`GET …/unread`). */
  unread(): Promise<UnreadResponse> {
    return this.#ctx.rest(this.url, "unread", V.parser(V.UnreadResponse));
  }

  /** How far each member has read (`GET …/read-state`). Live updates come as `readReceipt`. */
  readState(): Promise<ReadStateResponse> {
    return this.#ctx.rest(this.url, "read-state", V.parser(V.ReadStateResponse));
  }

  /** Bans, mutes, operators and whether the channel is frozen (`GET …/moderation`). */
  moderation(): Promise<ModerationState> {
    return this.#ctx.rest(this.url, "moderation", V.parser(V.ModerationState));
  }

  /**
   * Call on every keystroke: sends TYPING_START at most once a second, and TYPING_STOP after 3 s
   * without a call. Nothing is sent while not connected.
   */
  startTyping(): void {
    clearTimeout(this.#typingIdle);
    this.#typingIdle = setTimeout(() => this.stopTyping(), typingIdleMs);
    const now = Date.now();
    if (now - this.#typingAt >= throttleMs && this.#write({ type: "TYPING_START" })) {
      this.#typingAt = now;
      this.#typingOn = true;
    }
  }

  /** Sends TYPING_STOP when a start is showing (also done by `send`). */
  stopTyping(): void {
    clearTimeout(this.#typingIdle);
    if (this.#typingOn) this.#write({ type: "TYPING_STOP" });
    this.#typingOn = false;
  }

  /** Members typing now (starts expire by their `expires_in_ms`); the `typing` event says when it changes. */
  get typingUsers(): WireUserId[] {
    return [...this.#typers.keys()];
  }

  /** Drops a send from the outbox (a failed one the app gave up on, or a waiting one, which rejects). */
  discard(reqId: string): boolean {
    return this.#outboxQueue.discard(reqId);
  }

  /**
   * One page of stored messages, ascending by seq, each in its current state (edited, or a
   * tombstone). Edit and deletion entries of the seq log are left out of `messages`.
   */
  async history(opts: HistoryOptions = {}): Promise<HistoryResponse> {
    const page = await this.#ctx.history(this.url, opts);
    return { ...page, messages: page.messages.filter(V.isMessageFrame) };
  }

  /**
   * Reference-counted connect for UI components: the first `acquire` connects, and the channel
   * disconnects `releaseDelayMs` after the last release (so a quick unmount/remount keeps one socket).
   * @returns the release function; calling it more than once has no further effect.
   */
  acquire(): () => void {
    this.#refs++;
    clearTimeout(this.#releaseTimer);
    this.connect();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#refs > 0) return;
      this.#releaseTimer = setTimeout(() => {
        if (this.#refs === 0) this.disconnect();
      }, this.#ctx.releaseDelayMs);
    };
  }

  /** Telemetry: RTT, reconnects, last close, queue depth, in-flight sends. */
  stats(): ChannelStats {
    return {
      status: this.#state,
      ...this.#counters,
      lastClose: this.#lastClose,
      queueDepth: this.#outboxQueue.count("pending"),
      inFlight: this.#outboxQueue.count("sent"),
      lastSeq: this.#sequencer.last ?? null,
    };
  }

  /**
   * The network came back or the page became visible: retry now instead of waiting out the
   * backoff (never before a rate-limit hint), or check a connected socket is still alive.
   * @internal called by the client.
   */
  wake(): void {
    if (this.#state === "connected") {
      this.#tick(true);
      return;
    }
    if (this.#state === "reconnecting" && this.#retryTimer !== undefined) {
      const wait = this.#slowUntil - Date.now();
      if (wait > 0) return;
      this.#stopRetry();
      void this.#open();
    }
  }

  #setStatus(next: ChannelStatus): void {
    if (next === this.#state) return;
    this.#state = next;
    this.#events.emit("status", next);
  }

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    this.#retryTimer = undefined;
    let token: string | undefined;
    try {
      token = this.#needsFreshToken ? await this.#ctx.tokens.refresh() : await this.#ctx.tokens.get();
      this.#needsFreshToken = false;
      if (this.#discover && this.#socketBase === undefined) {
        const transport = await this.#ctx.transport(this.url);
        if (generation !== this.#generation) return;
        if (transport.provider === "sendbird") {
          this.#fail(wrongProvider(transport.sendbird?.app_id));
          return;
        }
        this.#socketBase = transport.websocket?.url ?? "";
      }
    } catch (err) {
      if (generation !== this.#generation) return;
      if (err instanceof PodchatError && isFinalHttp(err.status)) this.#fail(err);
      else this.#retry(false);
      return;
    }
    if (generation !== this.#generation) return;
    const Ctor = this.#ctx.WebSocket;
    let ws: WebSocketLike;
    try {
      if (!Ctor) throw new Error("no WebSocket: pass `WebSocket` to createClient (in Node, from `ws`)");
      ws = new Ctor(
        this.#ctx.socketUrl(this.url, this.#socketBase || undefined, token, this.#sequencer.last),
      );
    } catch (cause) {
      this.#fail(new PodchatError("UNSUPPORTED", String((cause as Error).message ?? cause), { cause }));
      return;
    }
    if (this.#opened) this.#counters.reconnectAttempts++;
    this.#opened = true;
    this.#ws = ws;
    this.#lastReceivedAt = Date.now();
    this.#lastPingAt = this.#lastReceivedAt;
    ws.onopen = () => {
      if (this.#ws === ws) this.#lastReceivedAt = Date.now();
    };
    ws.onmessage = (ev) => {
      if (this.#ws === ws) this.#onFrame(ev.data);
    };
    ws.onclose = (ev) => {
      if (this.#ws === ws) this.#onClose(ev.code, ev.reason);
    };
    ws.onerror = noop;
    // Half the interval: a ping is due every heartbeatMs, and a dead socket is noticed by 2.5×.
    this.#heartbeatTimer = setInterval(() => this.#tick(false), Math.max(1, this.#ctx.heartbeatMs / 2));
  }

  #onFrame(data: unknown): void {
    if (typeof data !== "string") return;
    this.#lastReceivedAt = Date.now();
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.#counters.invalidFrames++;
      return;
    }
    const parsed = V.parseChannelServerFrame(json);
    if (!parsed.success) {
      this.#counters.invalidFrames++;
      return;
    }
    const f = parsed.data;
    switch (f.type) {
      case "CONNECTED":
        this.#onConnected(f);
        break;
      case "USER_JOINED":
        this.#events.emit("userJoined", f);
        break;
      case "USER_LEFT":
        this.#events.emit("userLeft", f);
        break;
      case "ACK":
        this.#outboxQueue.ack(f);
        if (this.#sequencer.last !== undefined) this.#outboxQueue.delivered(this.#sequencer.last);
        break;
      case "ERROR":
        this.#onError(f);
        break;
      case "PONG":
        if (f.ts !== undefined) this.#counters.rttMs = Math.max(0, Date.now() - f.ts);
        break;
      case "READ_RECEIPT":
        this.#events.emit("readReceipt", f);
        break;
      case "TYPING":
        this.#typingOf(f.user_id, f.typing, f);
        break;
      case "MODERATION":
        this.#events.emit("moderation", f);
        break;
      default:
        // Messages, edits and deletions: entries of the seq log.
        this.#sequencer.push(f);
    }
  }

  #onConnected(f: ConnectedFrame): void {
    if (this.#state === "reconnecting") this.#counters.reconnects++;
    this.#attempts = 0;
    this.#slowUntil = 0;
    this.#sequencer.start(f.last_seq);
    this.#setStatus("connected");
    if (f.gap) this.#sequencer.gap(f.gap.from_seq, f.gap.to_seq);
    this.#flush();
    this.#sendRead();
  }

  /** A member's typing changed (a frame, their message, or their start expiring). */
  #typingOf(id: WireUserId, typing: boolean, f?: TypingFrame): void {
    clearTimeout(this.#typers.get(id));
    if (typing) {
      this.#typers.set(
        id,
        setTimeout(() => this.#typingOf(id, false), f?.expires_in_ms ?? typingDefaultMs),
      );
    } else if (!this.#typers.delete(id)) return;
    this.#events.emit("typing", f ?? { type: "TYPING", channel_url: this.url, user_id: id, typing });
  }

  /** Sends the READ owed, coalescing calls within a second into one frame. */
  #sendRead(): void {
    if (this.#readTimer !== undefined || this.#readWanted <= this.#readSent) return;
    this.#readTimer = setTimeout(
      () => {
        this.#readTimer = undefined;
        const seq = this.#readWanted;
        if (seq > this.#readSent && this.#write({ type: "READ", seq })) {
          this.#readSent = seq;
          this.#readAt = Date.now();
        }
      },
      Math.max(0, this.#readAt + throttleMs - Date.now()),
    );
  }

  /** Writes a frame that needs no acknowledgement; false when not connected. */
  #write(frame: object): boolean {
    const ws = this.#ws;
    if (this.#state !== "connected" || !ws || ws.readyState !== OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  #enqueue(frame: OutboxFrame): Promise<SendResult> {
    const result = this.#outboxQueue.add(frame);
    this.#flush();
    return result;
  }

  #onError(f: ErrorFrame): void {
    if (f.close_code !== undefined) this.#refusal = f;
    if (f.req_id !== undefined) {
      if (this.#outboxQueue.error({ ...f, req_id: f.req_id })) this.#flush();
      return;
    }
    if (f.close_code === undefined) {
      this.#events.emit("error", new PodchatError(f.code, f.message, { retryAfterMs: f.retry_after_ms }));
    }
  }

  #onClose(code: number, reason: string): void {
    const lastWritten = this.#lastWrittenReqId;
    this.#dropSocket();
    this.#lastClose = { code, reason };
    const refusal = this.#refusal;
    this.#refusal = undefined;
    if (code === CloseCode.FRAME_TOO_LARGE && lastWritten !== undefined) {
      // The server could not read the frame, so it cannot name it: the last one written is the culprit;
      // resending it would only close the next socket too.
      this.#outboxQueue.error({
        type: "ERROR",
        code: "FRAME_TOO_LARGE",
        message: refusal?.message ?? "frame too large",
        req_id: lastWritten,
      });
    }
    const policy = retryPolicyFor(code);
    if (policy === "never") {
      if (code === CloseCode.WRONG_PROVIDER) {
        void this.#failWrongProvider();
        return;
      }
      this.#fail(
        new PodchatError(
          refusal?.code ?? ClientErrorCode.CONNECTION_CLOSED,
          refusal?.message ?? `closed (${code})`,
          {
            closeCode: code,
          },
        ),
      );
    } else if (policy === "refresh-token") {
      if (!this.#ctx.tokens.canRefresh) {
        this.#fail(
          new PodchatError(refusal?.code ?? "UNAUTHORIZED", refusal?.message ?? "token rejected", {
            closeCode: code,
          }),
        );
        return;
      }
      this.#needsFreshToken = true;
      this.#retry(false);
    } else {
      this.#retry(policy === "retry-slow", refusal?.retry_after_ms, code === CloseCode.GOING_AWAY);
    }
  }

  #retry(slow: boolean, retryAfterMs?: number, drained?: boolean): void {
    this.#setStatus("reconnecting");
    // The short drain delay only right after a connection (a drain refusal on retry backs off).
    const n = this.#attempts++;
    const delay =
      drained && !n
        ? Math.ceil(Math.random() * this.#ctx.policy.drainMaxDelayMs)
        : reconnectDelay(this.#ctx.policy, n, slow, retryAfterMs);
    this.#slowUntil = slow ? Date.now() + delay : 0;
    this.#stopRetry();
    this.#retryTimer = setTimeout(() => void this.#open(), delay);
  }

  #stopRetry(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  /** Heartbeat: wall-clock based, so throttled background timers still notice a dead socket. */
  #tick(force: boolean): void {
    const ws = this.#ws;
    if (!ws) return;
    const now = Date.now();
    if (now - this.#lastReceivedAt > 2 * this.#ctx.heartbeatMs) {
      this.#dropSocket();
      ws.close(4000, "heartbeat timeout");
      this.#lastClose = { code: 1006, reason: "heartbeat timeout" };
      this.#retry(false);
      return;
    }
    if (this.#state !== "connected" || ws.readyState !== OPEN) return;
    if (force || now - this.#lastPingAt >= this.#ctx.heartbeatMs) {
      this.#lastPingAt = now;
      ws.send(JSON.stringify({ type: "PING", ts: now }));
    }
  }

  #flush(): void {
    const ws = this.#ws;
    if (this.#state !== "connected" || !ws || ws.readyState !== OPEN) return;
    clearTimeout(this.#flushTimer);
    const wait = this.#outboxQueue.flush((frame, reqId) => {
      this.#lastWrittenReqId = reqId;
      ws.send(frame);
    });
    if (wait !== undefined) this.#flushTimer = setTimeout(() => this.#flush(), wait);
  }

  #dropSocket(): void {
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#flushTimer);
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      // Handlers stay set to no-ops: `ws` throws on an 'error' event nobody listens to.
      ws.onopen = noop;
      ws.onmessage = noop;
      ws.onclose = noop;
      ws.onerror = noop;
    }
    this.#lastWrittenReqId = undefined;
    this.#outboxQueue.requeue();
  }

  /** Final refusal: stop, fail what cannot be delivered, tell the app. */
  #fail(err: PodchatError): void {
    this.#generation++;
    this.#stopRetry();
    const ws = this.#ws;
    this.#dropSocket();
    ws?.close(CloseCode.NORMAL, err.code);
    this.#sequencer.stop();
    this.#setStatus("disconnected");
    this.#outboxQueue.failAll(err);
    this.#events.emit("error", err);
  }

  async #failWrongProvider(): Promise<void> {
    const generation = ++this.#generation;
    this.#setStatus("disconnected");
    let appId: string | undefined;
    try {
      appId = (await this.#ctx.transport(this.url)).sendbird?.app_id;
    } catch {
      // Best effort: the error still says which provider is wrong.
    }
    if (generation === this.#generation) this.#fail(wrongProvider(appId));
  }
}

function wrongProvider(appId: string | undefined): PodchatError {
  return new PodchatError(ClientErrorCode.WRONG_PROVIDER, "this channel is served by Sendbird", {
    closeCode: CloseCode.WRONG_PROVIDER,
    sendbirdAppId: appId,
  });
}

/** HTTP statuses that retrying will not change. */
function isFinalHttp(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}
