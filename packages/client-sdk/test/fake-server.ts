import {
  isMessageFrame,
  type MessageDeletedFrame,
  type MessageFrame,
  type MessageUpdatedFrame,
  type ModerationState,
  type TransportResponse,
} from "@podchat/protocol";
import type { FetchLike, LogEntry, WebSocketConstructor, WebSocketLike } from "../src/types.ts";

/** What the fake server decides when a socket arrives. */
export type Admission =
  | { accept: true }
  | { accept: false; closeCode: number; code: string; retryAfterMs?: number };

/** The connection request as the server parsed it. */
export interface SocketRequest {
  channelUrl: string;
  token: string | null;
  userId: string | null;
  sinceSeq: number | undefined;
  test: boolean;
  /** The user connection (`/api/v1/chat/ws`, no channel in the path). */
  user: boolean;
}

/** A channel of the fake user's inbox: what INBOX_LIST lists (the rest comes from the seq log). */
export interface FakeInboxEntry {
  name: string;
  created_at: string;
  last_read_seq: number;
}

type Frame = Record<string, unknown>;

/**
 * An in-process podchat server speaking the real protocol over fake sockets. Every delivery is a
 * separate microtask, so nothing is re-entrant (as on a network) and fake time never has to move
 * for a frame to arrive; time only matters for the client's own timers.
 */
export class FakeServer {
  readonly sockets: FakeSocket[] = [];
  readonly httpCalls: { url: string; method: string; authorization: string | undefined; body?: FormData }[] =
    [];
  /** When set, sends, edits and deletions are refused with this code (e.g. MUTED, FROZEN). */
  refuseWrites: string | undefined;
  /** READ frames received, as `userId:seq`. */
  readonly reads: string[] = [];
  /** Answer of `GET …/moderation`. */
  moderationState: Omit<ModerationState, "channel_url"> = {
    frozen: false,
    operators: [],
    banned: [],
    muted: [],
  };
  /** Decides each connection; accepts all by default (after the token check below). */
  admit: (req: SocketRequest) => Admission = () => ({ accept: true });
  /** When set, sockets and REST calls must carry one of these tokens. */
  validTokens: Set<string> | undefined;
  /** Replays at most this many missed messages; older ones are announced as a CONNECTED gap. */
  replayLimit = Number.POSITIVE_INFINITY;
  /** Messages with seq at or below this are no longer in history. */
  historyFloor = 0;
  answerPings = true;
  /** Send the ACK before the broadcast of the sender's own message. */
  ackFirst = false;
  /** Hook for a client send; return true when the test handled it. */
  onSend: ((socket: FakeSocket, frame: Frame) => boolean) | undefined;
  /** Fail this many upcoming REST calls at the network level. */
  failFetches = 0;
  transportOf: (channelUrl: string) => TransportResponse = (channelUrl) => ({
    channel_url: channelUrl,
    provider: "websocket",
    websocket: { url: `ws://fake/api/v1/chat/ws/${channelUrl}` },
  });

  /** The user's channels (user connection): INBOX_LIST lists them, INBOX_MESSAGE goes for them. */
  readonly inbox = new Map<string, FakeInboxEntry>();
  /** Refuses a SUBSCRIBE with this code (e.g. NOT_MEMBER) when it returns one. */
  refuseSubscribe: (channelUrl: string) => string | undefined = (url) =>
    this.inbox.size === 0 || this.inbox.has(url) ? undefined : "NOT_MEMBER";
  /** INBOX_LIST frames received. */
  readonly inboxLists: Frame[] = [];

  private readonly store = new Map<string, LogEntry[]>();
  private readonly byReqId = new Map<string, LogEntry>();
  private connectionIds = 0;

  /** The WebSocket constructor to give the client. */
  readonly WebSocket: WebSocketConstructor;
  /** The fetch to give the client. */
  readonly fetch: FetchLike;

  constructor() {
    const server = this;
    this.WebSocket = class extends FakeSocket {
      constructor(url: string) {
        super(url, server);
      }
    };
    this.fetch = (url, init) => this.handleFetch(url, init);
  }

  /** The channel's seq log: messages (in their current state), edits and deletions. */
  messages(channelUrl: string): LogEntry[] {
    let list = this.store.get(channelUrl);
    if (!list) {
      list = [];
      this.store.set(channelUrl, list);
    }
    return list;
  }

  /** The socket opened most recently. */
  get latest(): FakeSocket {
    const s = this.sockets.at(-1);
    if (!s) throw new Error("no socket yet");
    return s;
  }

  /** Stores a message without telling any socket (it happened while the client was away). */
  storeMessage(channelUrl: string, text: string, userId: number | string = 2, reqId?: string): MessageFrame {
    const list = this.messages(channelUrl);
    const m: MessageFrame = {
      type: "MESG",
      channel_url: channelUrl,
      user_id: userId,
      message: text,
      timestamp: new Date().toISOString(),
      message_id: `m${list.length + 1}`,
      seq: list.length + 1,
    };
    list.push(m);
    if (reqId !== undefined) this.byReqId.set(`${channelUrl}/${reqId}`, m);
    return m;
  }

  /** The message with seq `seq`, when there is one. */
  message(channelUrl: string, seq: number): MessageFrame | undefined {
    const m = this.messages(channelUrl).find((x) => x.seq === seq);
    return m && isMessageFrame(m) ? m : undefined;
  }

  /** Stores an edit entry and updates its target, without telling any socket. */
  storeEdit(
    channelUrl: string,
    targetSeq: number,
    text: string,
    reqId?: string,
    userId: number | string = 2,
  ) {
    const list = this.messages(channelUrl);
    const target = this.message(channelUrl, targetSeq);
    if (!target) throw new Error(`no message ${targetSeq}`);
    const e: MessageUpdatedFrame = {
      type: "MESSAGE_UPDATED",
      channel_url: channelUrl,
      seq: list.length + 1,
      target_seq: targetSeq,
      message_id: target.message_id,
      user_id: userId,
      message: text,
      edited_at: new Date().toISOString(),
    };
    target.message = text;
    target.edited_at = e.edited_at;
    list.push(e);
    if (reqId !== undefined) this.byReqId.set(`${channelUrl}/${reqId}`, e);
    return e;
  }

  /** Stores a deletion entry and makes its target a tombstone, without telling any socket. */
  storeDelete(channelUrl: string, targetSeq: number, reqId?: string, userId: number | string = 2) {
    const list = this.messages(channelUrl);
    const target = this.message(channelUrl, targetSeq);
    if (!target) throw new Error(`no message ${targetSeq}`);
    const e: MessageDeletedFrame = {
      type: "MESSAGE_DELETED",
      channel_url: channelUrl,
      seq: list.length + 1,
      target_seq: targetSeq,
      message_id: target.message_id,
      user_id: userId,
      deleted_at: new Date().toISOString(),
    };
    target.message = "";
    target.deleted = true;
    delete target.data;
    delete target.file;
    list.push(e);
    if (reqId !== undefined) this.byReqId.set(`${channelUrl}/${reqId}`, e);
    return e;
  }

  /** Another member edits a message: stored, then broadcast. */
  edit(channelUrl: string, targetSeq: number, text: string): MessageUpdatedFrame {
    const e = this.storeEdit(channelUrl, targetSeq, text);
    this.broadcast(channelUrl, e);
    return e;
  }

  /** Another member (or an operator) deletes a message: stored, then broadcast. */
  remove(channelUrl: string, targetSeq: number): MessageDeletedFrame {
    const e = this.storeDelete(channelUrl, targetSeq);
    this.broadcast(channelUrl, e);
    return e;
  }

  /** Another member posts: stored, then broadcast to every open socket of the channel. */
  post(channelUrl: string, text: string, userId: number | string = 2): MessageFrame {
    const m = this.storeMessage(channelUrl, text, userId);
    this.broadcast(channelUrl, m);
    return m;
  }

  broadcast(channelUrl: string, frame: Frame | LogEntry): void {
    const entry = "seq" in frame && typeof frame.seq === "number" && frame.type !== "READ_RECEIPT";
    for (const s of this.sockets) {
      if (s.readyState !== 1) continue;
      if (!s.request?.user) {
        if (s.request?.channelUrl === channelUrl) s.deliver(frame);
      } else if (s.subs.has(channelUrl)) s.deliver(frame);
      else if (entry && this.inbox.has(channelUrl))
        s.deliver({ type: "INBOX_MESSAGE", channel_url: channelUrl, entry: frame });
    }
  }

  /** Every open user connection. */
  get userSockets(): FakeSocket[] {
    return this.sockets.filter((s) => s.request?.user && s.readyState === 1);
  }

  /** The inbox row of a channel, as the server would list it for user 1. */
  row(channelUrl: string): Frame {
    const meta = this.inbox.get(channelUrl);
    if (!meta) throw new Error(`${channelUrl} is not in the inbox`);
    const log = this.messages(channelUrl);
    const msgs = log.filter(isMessageFrame);
    const last = msgs.at(-1) ?? null;
    return {
      channel_url: channelUrl,
      name: meta.name,
      data: {},
      provider: "websocket",
      member_count: 2,
      created_at: meta.created_at,
      last_seq: log.length,
      last_message: last,
      unread_count: msgs.filter((m) => m.seq > meta.last_read_seq && m.user_id !== 1 && !m.deleted).length,
      last_read_seq: meta.last_read_seq,
      last_activity_at: last?.timestamp ?? meta.created_at,
    };
  }

  /** Every row, newest activity first (ties by channel_url), and the total unread. */
  rows(): { rows: Frame[]; total: number } {
    const rows = [...this.inbox.keys()].map((u) => this.row(u));
    rows.sort((a, b) => {
      const d = Date.parse(String(b["last_activity_at"])) - Date.parse(String(a["last_activity_at"]));
      return d || (String(a["channel_url"]) < String(b["channel_url"]) ? -1 : 1);
    });
    return { rows, total: rows.reduce((n, r) => n + Number(r["unread_count"]), 0) };
  }

  /** Called by a socket that finished its handshake. */
  accept(socket: FakeSocket): void {
    const u = new URL(socket.url);
    const parts = u.pathname.split("/");
    const test = parts.at(-1) === "test";
    const user = parts.at(-1) === "ws";
    const channelUrl = user
      ? ""
      : decodeURIComponent(parts[test ? parts.length - 2 : parts.length - 1] ?? "");
    const since = u.searchParams.get("since_seq");
    const req: SocketRequest = {
      channelUrl,
      token: u.searchParams.get("token"),
      userId: u.searchParams.get("user_id"),
      sinceSeq: since === null ? undefined : Number(since),
      test,
      user,
    };
    socket.request = req;
    socket.open();
    let admission: Admission = { accept: true };
    if (
      this.validTokens &&
      !test &&
      !(user && req.userId !== null) &&
      !this.validTokens.has(req.token ?? "")
    ) {
      admission = { accept: false, closeCode: 4401, code: "UNAUTHORIZED" };
    } else {
      admission = this.admit(req);
    }
    if (!admission.accept) {
      socket.deliver({
        type: "ERROR",
        code: admission.code,
        message: `refused: ${admission.code}`,
        close_code: admission.closeCode,
        ...(admission.retryAfterMs === undefined ? {} : { retry_after_ms: admission.retryAfterMs }),
      });
      socket.serverClose(admission.closeCode, admission.code);
      return;
    }
    if (user) {
      socket.deliver({
        type: "READY",
        user_id: req.userId === null ? 1 : req.userId,
        connection_id: `c${++this.connectionIds}`,
        heartbeat_ms: 30_000,
        server_time: new Date().toISOString(),
        total_unread: this.rows().total,
      });
      return;
    }
    const { first, replay } = this.start(channelUrl, req.sinceSeq);
    socket.deliver({
      type: "CONNECTED",
      channel_url: channelUrl,
      user_id: req.userId === null ? 1 : req.userId,
      connection_id: `c${++this.connectionIds}`,
      ...first,
      heartbeat_ms: 30_000,
      server_time: new Date().toISOString(),
    });
    for (const m of replay) socket.deliver(m);
  }

  /** Where a subscription starts: last_seq, since_seq, gap, and the entries to replay. */
  private start(channelUrl: string, sinceSeq: number | undefined) {
    const req = { sinceSeq };
    const list = this.messages(channelUrl);
    const lastSeq = list.length;
    let replay: LogEntry[] = [];
    let gap: { from_seq: number; to_seq: number } | undefined;
    if (req.sinceSeq !== undefined) {
      const missed = list.filter((m) => m.seq > (req.sinceSeq ?? 0));
      if (missed.length > this.replayLimit) {
        const cut = missed.length - this.replayLimit;
        gap = { from_seq: req.sinceSeq + 1, to_seq: req.sinceSeq + cut };
        replay = missed.slice(cut);
      } else {
        replay = missed;
      }
    }
    const first = {
      last_seq: lastSeq,
      ...(req.sinceSeq === undefined ? {} : { since_seq: req.sinceSeq }),
      ...(gap ? { gap } : {}),
    };
    return { first, replay };
  }

  /** The user connection's own frames; true when handled. */
  private receiveUser(socket: FakeSocket, frame: Frame): boolean {
    const url = frame["channel_url"] as string | undefined;
    const reqId = frame["req_id"] as string | undefined;
    const withReq = reqId === undefined ? {} : { req_id: reqId };
    switch (frame["type"]) {
      case "SUBSCRIBE": {
        const refusal = this.refuseSubscribe(url ?? "");
        if (refusal) {
          socket.deliver({
            type: "ERROR",
            code: refusal,
            message: `refused: ${refusal}`,
            channel_url: url,
            ...withReq,
          });
          return true;
        }
        socket.subs.add(url ?? "");
        const since = frame["since_seq"] as number | undefined;
        const { first, replay } = this.start(url ?? "", since);
        socket.deliver({ type: "SUBSCRIBED", channel_url: url, ...first, ...withReq });
        for (const m of replay) socket.deliver(m);
        return true;
      }
      case "UNSUBSCRIBE":
        socket.subs.delete(url ?? "");
        socket.deliver({ type: "UNSUBSCRIBED", channel_url: url, ...withReq });
        return true;
      case "INBOX_LIST": {
        this.inboxLists.push(frame);
        const { rows, total } = this.rows();
        const from = Number(frame["cursor"] ?? 0);
        const limit = Number(frame["limit"] ?? 20);
        const page = rows.slice(from, from + limit);
        socket.deliver({
          type: "INBOX_PAGE",
          channels: page,
          next_cursor: from + limit < rows.length ? String(from + limit) : null,
          total_unread: total,
          ...withReq,
        });
        return true;
      }
      case "READ": {
        const meta = this.inbox.get(url ?? "");
        if (meta) meta.last_read_seq = Math.max(meta.last_read_seq, Number(frame["seq"]));
        this.reads.push(`1:${frame["seq"]}`);
        const row = meta ? this.row(url ?? "") : undefined;
        for (const s of this.userSockets)
          s.deliver({
            type: "INBOX_READ",
            channel_url: url,
            last_read_seq: meta?.last_read_seq ?? 0,
            unread_count: row?.["unread_count"] ?? 0,
            total_unread: this.rows().total,
          });
        return true;
      }
    }
    if (frame["type"] === "TYPING_START" || frame["type"] === "TYPING_STOP")
      return !socket.subs.has(url ?? "");
    if (url === undefined || !socket.subs.has(url)) {
      socket.deliver({
        type: "ERROR",
        code: "NOT_SUBSCRIBED",
        message: "subscribe first",
        channel_url: url,
        ...withReq,
      });
      return true;
    }
    return false;
  }

  /** Called for every frame a client sends. */
  receive(socket: FakeSocket, frame: Frame): void {
    if (frame["type"] === "PING") {
      if (this.answerPings) socket.deliver({ type: "PONG", ts: frame["ts"] });
      return;
    }
    if (this.onSend?.(socket, frame)) return;
    if (socket.request?.user && this.receiveUser(socket, frame)) return;
    const channelUrl =
      (socket.request?.user ? (frame["channel_url"] as string) : socket.request?.channelUrl) ?? "";
    const type = frame["type"];
    if (type === "READ") {
      this.reads.push(`1:${frame["seq"]}`);
      this.broadcast(channelUrl, {
        type: "READ_RECEIPT",
        channel_url: channelUrl,
        user_id: 1,
        seq: frame["seq"],
        timestamp: new Date().toISOString(),
      });
      return;
    }
    if (type === "TYPING_START" || type === "TYPING_STOP") return;
    const reqId = frame["req_id"] as string | undefined;
    const seen = reqId === undefined ? undefined : this.byReqId.get(`${channelUrl}/${reqId}`);
    if (seen && reqId !== undefined) {
      socket.deliver(ackOf(seen, reqId, true));
      return;
    }
    const target = this.message(channelUrl, Number(frame["target_seq"]));
    const refusal =
      this.refuseWrites ??
      (type !== "EDIT" && type !== "DELETE"
        ? undefined
        : !target || target.deleted
          ? "MESSAGE_NOT_FOUND"
          : target.user_id !== 1
            ? "NOT_AUTHOR"
            : undefined);
    if (refusal) {
      socket.deliver({ type: "ERROR", code: refusal, message: `refused: ${refusal}`, req_id: reqId });
      return;
    }
    let m: LogEntry;
    if (target && (type === "EDIT" || type === "DELETE")) {
      m =
        type === "EDIT"
          ? this.storeEdit(channelUrl, target.seq, String(frame["message"]), reqId, 1)
          : this.storeDelete(channelUrl, target.seq, reqId, 1);
    } else {
      m = this.storeMessage(channelUrl, String(frame["message"]), 1, reqId);
      if (frame["file"]) m.file = frame["file"] as MessageFrame["file"];
      if (type === "FILE" || type === "IMAGE") m.type = type;
    }
    if (this.ackFirst && reqId !== undefined) socket.deliver(ackOf(m, reqId, false));
    this.broadcast(channelUrl, m);
    if (!this.ackFirst && reqId !== undefined) socket.deliver(ackOf(m, reqId, false));
  }

  private async handleFetch(url: string, init: Parameters<FetchLike>[1]) {
    const { headers, method, body } = init;
    this.httpCalls.push({ url, method, authorization: headers["authorization"], body });
    if (this.failFetches > 0) {
      this.failFetches--;
      throw new TypeError("fetch failed");
    }
    const token = headers["authorization"]?.replace(/^Bearer /, "");
    if (this.validTokens && !this.validTokens.has(token ?? "")) {
      return respond(401, { error: { code: "UNAUTHORIZED", message: "bad token" } });
    }
    const u = new URL(url);
    const m = /^\/api\/v1\/chat\/channels\/([^/]+)\/([a-z-]+)$/.exec(u.pathname);
    if (!m) return respond(404, { error: { code: "NOT_FOUND", message: "no route" } });
    const channelUrl = decodeURIComponent(m[1] ?? "");
    const lastSeq = this.messages(channelUrl).length;
    const lastRead = Number(this.reads.at(-1)?.split(":")[1] ?? 0);
    switch (`${method} ${m[2]}`) {
      case "GET transport":
        return respond(200, this.transportOf(channelUrl));
      case "GET unread":
        return respond(200, {
          channel_url: channelUrl,
          user_id: 1,
          last_read_seq: lastRead,
          last_seq: lastSeq,
          unread_count: this.messages(channelUrl).filter(
            (x) => x.seq > lastRead && x.user_id !== 1 && "timestamp" in x && !x.deleted,
          ).length,
        });
      case "GET read-state":
        return respond(200, {
          channel_url: channelUrl,
          members: [
            { user_id: 1, last_read_seq: lastRead },
            { user_id: 2, last_read_seq: 1 },
          ],
        });
      case "GET moderation":
        return respond(200, { channel_url: channelUrl, ...this.moderationState });
      case "POST files": {
        const file = body?.get("file");
        if (!(file instanceof Blob)) {
          return respond(400, { error: { code: "VALIDATION_FAILED", message: "no file field" } });
        }
        if (file.size > 1000)
          return respond(413, { error: { code: "FILE_TOO_LARGE", message: "too large" } });
        const name = (file as File).name;
        return respond(200, { url: `/files/${name}`, name, size: file.size, mime_type: file.type });
      }
      case "GET messages":
        break;
      default:
        return respond(404, { error: { code: "NOT_FOUND", message: "no route" } });
    }
    const q = u.searchParams;
    const limit = Number(q.get("limit") ?? 50);
    const kept = this.messages(channelUrl).filter((x) => x.seq > this.historyFloor);
    let page: LogEntry[];
    let hasMore: boolean;
    if (q.has("after_seq")) {
      const after = kept.filter((x) => x.seq > Number(q.get("after_seq")));
      page = after.slice(0, limit);
      hasMore = after.length > limit;
    } else {
      const before = q.has("before_seq") ? kept.filter((x) => x.seq < Number(q.get("before_seq"))) : kept;
      page = before.slice(Math.max(0, before.length - limit));
      hasMore = before.length > limit;
    }
    return respond(200, {
      messages: page,
      has_more: hasMore,
      prev_before_seq: page[0]?.seq ?? null,
      next_after_seq: page.at(-1)?.seq ?? null,
    });
  }
}

function ackOf(m: LogEntry, reqId: string, duplicate: boolean): Frame {
  return {
    type: "ACK",
    req_id: reqId,
    message_id: m.message_id,
    seq: m.seq,
    timestamp: "timestamp" in m ? m.timestamp : new Date().toISOString(),
    ...(duplicate ? { duplicate: true } : {}),
  };
}

function respond(status: number, body: unknown) {
  return { ok: status >= 200 && status < 300, status, json: async () => structuredClone(body) };
}

/** A socket whose other end is a {@link FakeServer}. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  /** Frames the client sent, parsed. */
  readonly sent: Frame[] = [];
  request: SocketRequest | undefined;
  /** Channels subscribed on this (user) connection. */
  readonly subs = new Set<string>();
  closedByClient: { code: number | undefined; reason: string | undefined } | undefined;
  /** A silently dead connection: nothing gets through either way, and no close event comes. */
  dead = false;

  constructor(
    readonly url: string,
    private readonly server: FakeServer,
  ) {
    server.sockets.push(this);
    queueMicrotask(() => {
      if (this.readyState === 0 && !this.dead) server.accept(this);
    });
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    const frame = JSON.parse(data) as Frame;
    this.sent.push(frame);
    if (this.dead) return;
    queueMicrotask(() => {
      if (this.readyState === 1 && !this.dead) this.server.receive(this, frame);
    });
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.closedByClient = { code, reason };
    queueMicrotask(() => {
      this.readyState = 3;
      this.onclose?.({ code: code ?? 1005, reason: reason ?? "" });
    });
  }

  /** Client frames sent of one type. */
  sentOf(type: string): Frame[] {
    return this.sent.filter((f) => f["type"] === type);
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  deliver(frame: Frame | LogEntry): void {
    const data = JSON.stringify(frame);
    queueMicrotask(() => {
      if (this.readyState === 1 && !this.dead) this.onmessage?.({ data });
    });
  }

  /** The server closes the connection with a code (after any frames already queued). */
  serverClose(code: number, reason = ""): void {
    queueMicrotask(() => {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.onclose?.({ code, reason });
    });
  }
}
