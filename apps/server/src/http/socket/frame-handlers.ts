import {
  type AckFrame,
  CloseCode,
  type ClientFrame,
  type ConnectedFrame,
  type DeleteFrame,
  type EditFrame,
  ErrorCode,
  type ErrorFrame,
  type InboxListFrame,
  type InboxPageFrame,
  type SendFrame,
  type SubscribeFrame,
  type SubscribedFrame,
  type UnsubscribedFrame,
} from "@podchat/protocol";
import type { Bus } from "../../bus/bus.ts";
import type { ChannelAccess, ChatService } from "../../chat/chat-service.ts";
import { ChatError } from "../../errors/chat-error.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Connection, Subscription } from "../../realtime/connection.ts";
import { type Hub, type SubscriptionStart, closeWithError } from "../../realtime/hub.ts";
import type { FrameErrorSender } from "./frame-decoder.ts";

/** At most one typing:true per socket per this many ms; starts in between are coalesced. */
const TYPING_MIN_INTERVAL_MS = 1000;

/** What one admitted socket holds: its connection, and its access to each subscribed channel. */
export interface SocketSession {
  conn: Connection;
  /** The per-channel endpoint's one channel; null on the user connection. */
  fixedChannel: string | null;
  access: Map<string, ChannelAccess>;
}

type ChannelFrame = Exclude<ClientFrame, { type: "PING" | "SUBSCRIBE" | "UNSUBSCRIBE" | "INBOX_LIST" }>;

/**
 * What each client frame does, for both socket endpoints. Sends, edits, deletes and read marks go
 * through the session's ChannelAccess — ChatService's rules, the same as REST's.
 */
export function createFrameHandlers(deps: {
  chat: ChatService;
  hub: Hub;
  bus: Bus;
  logger: Logger;
  typingTtlMs: number;
  heartbeatMs: number;
  /** `limits.max_subscriptions_per_socket`. */
  maxSubscriptions: number;
  sendError: FrameErrorSender;
}) {
  const { chat, hub, bus, logger, sendError } = deps;
  let quiescing = false;
  let inFlight = 0;
  const idleWaiters: Array<() => void> = [];

  const withReq = (req_id: string | undefined): Partial<ErrorFrame> => (req_id ? { req_id } : {});

  /** ERROR for a refused or failed operation, with its req_id (and channel on the user connection). */
  function fail(s: SocketSession, e: unknown, extra: Partial<ErrorFrame>, what: string) {
    if (!s.fixedChannel && extra.channel_url === undefined) delete extra.channel_url;
    if (e instanceof ChatError && e.code === ErrorCode.CHANNEL_NOT_FOUND && extra.channel_url === undefined) {
      // The per-channel endpoint's channel is gone: say so, then close as a deletion would.
      sendError(s.conn.ws, ErrorCode.CHANNEL_DELETED, "the channel no longer exists", extra);
      closeWithError(s.conn, CloseCode.CHANNEL_DELETED, ErrorCode.CHANNEL_DELETED, "the channel was deleted");
      return;
    }
    if (e instanceof ChatError && e.status < 500) {
      sendError(s.conn.ws, e.code, e.message, extra);
      return;
    }
    logger.warn({ err: e, user_id: s.conn.userId }, `${what} failed`);
    sendError(s.conn.ws, ErrorCode.STORE_UNAVAILABLE, `the ${what} was not stored; retry`, {
      ...extra,
      retry_after_ms: 1000,
    });
  }

  function publishTyping(channelUrl: string, userId: string, typing: boolean) {
    bus
      .publishChannel(channelUrl, {
        kind: "typing",
        user_id: userId,
        typing,
        ...(typing ? { expires_in_ms: deps.typingTtlMs } : {}),
      })
      .catch((err) => logger.debug({ err }, "typing not published"));
  }

  /**
   * Typing frames of one subscription take effect in arrival order, though a start first asks
   * whether the user may send (a cached moderation read).
   */
  const typingQueue = new WeakMap<Subscription, Promise<void>>();
  function typing(sub: Subscription, op: () => void | Promise<void>) {
    const next = (typingQueue.get(sub) ?? Promise.resolve())
      .then(op)
      .catch((err) => logger.debug({ err }, "typing frame failed"));
    typingQueue.set(sub, next);
  }

  /** Shows the user typing for the TTL; a start within a second of the last one is coalesced. */
  async function startTyping(sub: Subscription, access: ChannelAccess) {
    const now = performance.now();
    if (sub.typingTimer && now - sub.typingSentAt < TYPING_MIN_INTERVAL_MS) return;
    if (!(await access.maySend()) || sub.closed) return;
    if (sub.typingTimer) clearTimeout(sub.typingTimer);
    sub.typingSentAt = now;
    // Expires on the server exactly when clients were told it would.
    sub.typingTimer = setTimeout(() => stopTyping(sub), deps.typingTtlMs);
    sub.typingTimer.unref();
    publishTyping(sub.channelUrl, sub.conn.userId, true);
  }

  function stopTyping(sub: Subscription) {
    if (!sub.typingTimer) return;
    clearTimeout(sub.typingTimer);
    sub.typingTimer = null;
    sub.typingSentAt = 0;
    publishTyping(sub.channelUrl, sub.conn.userId, false);
  }

  function ack(
    conn: Connection,
    req_id: string,
    message_id: string,
    seq: number,
    timestamp: string,
    duplicate?: boolean,
    rewritten?: string,
  ) {
    const frame: AckFrame = { type: "ACK", req_id, message_id, seq, timestamp };
    if (duplicate) frame.duplicate = true;
    if (rewritten !== undefined) frame.message = rewritten;
    conn.sendRaw(JSON.stringify(frame));
  }

  async function send(s: SocketSession, access: ChannelAccess, frame: SendFrame, extra: Partial<ErrorFrame>) {
    if (frame.type !== "MESG" && !frame.file && !frame.message) {
      return sendError(
        s.conn.ws,
        ErrorCode.INVALID_FRAME,
        "a FILE or IMAGE frame needs file or message",
        extra,
      );
    }
    try {
      const { message, duplicate } = await access.send({
        type: frame.type,
        message: frame.message ?? "",
        ...(frame.req_id ? { reqId: frame.req_id } : {}),
        ...(frame.custom_type ? { customType: frame.custom_type } : {}),
        ...(frame.data ? { data: frame.data } : {}),
        ...("file" in frame && frame.file ? { file: frame.file } : {}),
      });
      if (frame.req_id) {
        // A pre-store hook's rewrite is told to the sender in its ACK (never set without hooks).
        const stored = !duplicate && message.message !== (frame.message ?? "") ? message.message : undefined;
        ack(s.conn, frame.req_id, message.message_id, message.seq, message.timestamp, duplicate, stored);
      }
    } catch (e) {
      fail(s, e, extra, "message");
    }
  }

  async function change(
    s: SocketSession,
    access: ChannelAccess,
    frame: EditFrame | DeleteFrame,
    extra: Partial<ErrorFrame>,
  ) {
    try {
      const entry =
        frame.type === "EDIT"
          ? (
              await access.edit(frame.target_seq, {
                message: frame.message,
                ...(frame.data !== undefined ? { data: frame.data } : {}),
              })
            ).entry
          : await access.delete(frame.target_seq);
      // The ACK names the change's own seq-log entry (its seq) and the changed message's id.
      if (frame.req_id && entry) ack(s.conn, frame.req_id, entry.message_id, entry.seq, entry.timestamp);
    } catch (e) {
      fail(s, e, extra, "change");
    }
  }

  async function markRead(s: SocketSession, channelUrl: string, seq: number) {
    try {
      const access = s.access.get(channelUrl);
      if (access) await access.markRead(seq);
      else await chat.markRead(channelUrl, s.conn.userId, seq);
    } catch (e) {
      if (e instanceof ChatError && e.status < 500)
        return sendError(s.conn.ws, e.code, e.message, s.fixedChannel ? {} : { channel_url: channelUrl });
      logger.warn({ err: e, channel_url: channelUrl }, "read mark failed");
      sendError(s.conn.ws, ErrorCode.STORE_UNAVAILABLE, "the read mark was not stored; retry", {
        retry_after_ms: 1000,
        ...(s.fixedChannel ? {} : { channel_url: channelUrl }),
      });
    }
  }

  /** SUBSCRIBE on the user connection: admission to the channel, then replay and live entries. */
  async function subscribe(s: SocketSession, frame: SubscribeFrame) {
    const extra: Partial<ErrorFrame> = { ...withReq(frame.req_id), channel_url: frame.channel_url };
    let access: ChannelAccess;
    try {
      access = await chat.admit(frame.channel_url, s.conn.userId);
    } catch (e) {
      return fail(s, e, extra, "subscription");
    }
    // Checked after the await, so concurrent SUBSCRIBEs cannot pass the limit together.
    const max = deps.maxSubscriptions;
    if (!s.access.has(frame.channel_url) && s.access.size >= max) {
      return sendError(
        s.conn.ws,
        ErrorCode.TOO_MANY_SUBSCRIPTIONS,
        `this connection already has ${max} subscriptions (limits.max_subscriptions_per_socket); unsubscribe from one first`,
        extra,
      );
    }
    s.access.set(frame.channel_url, access);
    try {
      await hub.subscribe(s.conn, frame.channel_url, frame.since_seq, (start) => {
        const subscribed: SubscribedFrame = {
          type: "SUBSCRIBED",
          channel_url: frame.channel_url,
          last_seq: start.lastSeq,
        };
        if (frame.since_seq !== undefined) subscribed.since_seq = frame.since_seq;
        if (start.gap) subscribed.gap = start.gap;
        if (frame.req_id) subscribed.req_id = frame.req_id;
        s.conn.sendRaw(JSON.stringify(subscribed));
      });
    } catch (e) {
      s.access.delete(frame.channel_url);
      fail(s, e, extra, "subscription");
    }
  }

  function unsubscribe(s: SocketSession, channelUrl: string, reqId?: string) {
    const sub = s.conn.subs.get(channelUrl);
    if (sub) {
      stopTyping(sub);
      hub.unsubscribe(sub);
    }
    s.access.delete(channelUrl);
    const frame: UnsubscribedFrame = { type: "UNSUBSCRIBED", channel_url: channelUrl };
    if (reqId) frame.req_id = reqId;
    s.conn.sendRaw(JSON.stringify(frame));
  }

  async function inboxList(s: SocketSession, frame: InboxListFrame) {
    try {
      const { type: _type, req_id, ...query } = frame;
      const page = await chat.listUserChannels(s.conn.userId, query);
      const out: InboxPageFrame = { type: "INBOX_PAGE", ...page };
      if (req_id) out.req_id = req_id;
      s.conn.sendRaw(JSON.stringify(out));
    } catch (e) {
      fail(s, e, withReq(frame.req_id), "inbox page");
    }
  }

  /** The subscription (and access) a channel-scoped frame acts on; answers NOT_SUBSCRIBED when none. */
  function target(s: SocketSession, frame: ChannelFrame, extra: Partial<ErrorFrame>) {
    // The per-channel endpoint is bound to its URL's channel: a channel_url in a frame is ignored.
    const url = s.fixedChannel ?? frame.channel_url;
    if (url === undefined) {
      sendError(s.conn.ws, ErrorCode.NOT_SUBSCRIBED, "channel_url is required on the user connection", extra);
      return null;
    }
    const sub = s.conn.subs.get(url);
    const access = s.access.get(url);
    if (!sub || !access) {
      sendError(s.conn.ws, ErrorCode.NOT_SUBSCRIBED, `subscribe to ${url} first`, {
        ...extra,
        channel_url: url,
      });
      return null;
    }
    return { sub, access };
  }

  function track(work: Promise<void>) {
    inFlight++;
    void work.finally(() => {
      inFlight--;
      if (inFlight === 0) for (const w of idleWaiters.splice(0)) w();
    });
  }

  function handle(s: SocketSession, frame: ClientFrame) {
    const conn = s.conn;
    switch (frame.type) {
      case "PING":
        conn.sendRaw(
          JSON.stringify(frame.ts === undefined ? { type: "PONG" } : { type: "PONG", ts: frame.ts }),
        );
        return;
      case "SUBSCRIBE":
      case "UNSUBSCRIBE":
      case "INBOX_LIST":
        if (s.fixedChannel) {
          return sendError(
            conn.ws,
            ErrorCode.INVALID_FRAME,
            `${frame.type} is for the user connection (/api/v1/chat/ws)`,
            withReq(frame.req_id),
          );
        }
        if (frame.type === "SUBSCRIBE") void subscribe(s, frame);
        else if (frame.type === "UNSUBSCRIBE") unsubscribe(s, frame.channel_url, frame.req_id);
        else void inboxList(s, frame);
        return;
      case "READ": {
        const url = s.fixedChannel ?? frame.channel_url;
        if (url === undefined)
          return sendError(
            conn.ws,
            ErrorCode.NOT_SUBSCRIBED,
            "channel_url is required on the user connection",
          );
        void markRead(s, url, frame.seq);
        return;
      }
    }
    const extra = withReq("req_id" in frame ? frame.req_id : undefined);
    const t = target(s, frame, extra);
    if (!t) return;
    if (frame.type === "TYPING_START") return typing(t.sub, () => startTyping(t.sub, t.access));
    if (frame.type === "TYPING_STOP") return typing(t.sub, () => stopTyping(t.sub));
    if (!s.fixedChannel) extra.channel_url = t.sub.channelUrl;
    if (quiescing) {
      return sendError(
        conn.ws,
        ErrorCode.DRAINING,
        "the server is restarting; resend after reconnecting",
        extra,
      );
    }
    track(
      frame.type === "EDIT" || frame.type === "DELETE"
        ? change(s, t.access, frame, extra)
        : send(s, t.access, frame, extra),
    );
  }

  return {
    handle,
    stopTyping,
    /** The per-channel endpoint's first frame. */
    connected(s: SocketSession, start: SubscriptionStart, sinceSeq: number | undefined): string {
      const frame: ConnectedFrame = {
        type: "CONNECTED",
        channel_url: s.fixedChannel!,
        user_id: s.conn.wireUserId,
        connection_id: s.conn.id,
        last_seq: start.lastSeq,
        heartbeat_ms: deps.heartbeatMs,
        server_time: new Date().toISOString(),
      };
      if (sinceSeq !== undefined) frame.since_seq = sinceSeq;
      if (start.gap) frame.gap = start.gap;
      return JSON.stringify(frame);
    },
    /**
     * Drain step: stop taking sends (answered DRAINING with their req_id, so SDKs resend after
     * reconnecting) and wait, at most `ms`, for accepted ones to be stored and acknowledged.
     */
    async quiesce(ms: number) {
      quiescing = true;
      if (inFlight === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        timer.unref();
        idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
