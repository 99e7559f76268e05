import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  type AckFrame,
  ClientFrame,
  CloseCode,
  type DeleteFrame,
  type EditFrame,
  ErrorCode,
  type ErrorFrame,
  type SendFrame,
  UserIdString,
  clientFrameTypes,
  wireUserId,
} from "@podchat/protocol";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { AuthError, type TokenVerifier } from "../auth/token-verifier.ts";
import { ChatError } from "../chat/chat-error.ts";
import type { Config } from "../config/index.ts";
import { closeReason, jsonProblem } from "../http/json-guard.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import { type ChangeDeps, deleteMessage, editMessage } from "../providers/websocket/message-changes.ts";
import type { MessagePipeline } from "../providers/websocket/message-pipeline.ts";
import { type MessageStore, StoreError } from "../store/message-store.ts";
import { Connection, TokenBucket } from "./connection.ts";
import { bump } from "./counts.ts";
import type { Bus } from "../bus/bus.ts";
import { type Hub, closeWithError, isBanned, refusalText, sendRefusal } from "./hub.ts";

const WS_PATH = /^\/api\/v1\/chat\/ws\/([^/]+)(\/test)?\/?$/;
/** Frames a client may send before its admission finishes; more are refused. */
const MAX_EARLY_FRAMES = 32;
const knownTypes = new Set<string>(clientFrameTypes);
/** At most one typing:true per socket per this many ms; starts in between are coalesced. */
const TYPING_MIN_INTERVAL_MS = 1000;

export interface WsGatewayDeps {
  config: Config;
  hub: Hub;
  store: MessageStore;
  pipeline: MessagePipeline;
  bus: Bus;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Metrics;
  isDraining: () => boolean;
}

class Refusal extends Error {
  constructor(
    readonly closeCode: number,
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * The chat socket endpoints. Upgrades are taken over from the HTTP server (plain `ws`, not a
 * framework adapter, so an idle socket costs little); admission (token, channel, membership,
 * limits) happens after the upgrade so a refusal can say why in an ERROR frame and a close code.
 */
export function createWsGateway(deps: WsGatewayDeps) {
  const { config, hub, store, pipeline, bus, verifier, logger, metrics } = deps;
  const changes: ChangeDeps = { pipeline, moderation: (url) => hub.moderation(url) };
  const typingTtl = config.realtime.typing_expires_ms;
  const maxFrame = config.limits.max_frame_bytes;
  // Frames up to 4× the limit are read and answered with an ERROR before the 1009 close; beyond
  // that ws cuts the socket itself, so an attacker cannot make us buffer more.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxFrame * 4,
    perMessageDeflate: false,
    clientTracking: false,
  });

  // Sockets per address and per user on this instance, counted from the moment admission starts
  // (not only once admitted), so a burst of parallel connects cannot slip past the limits.
  const ipSlots = new Map<string, number>();
  const userSlots = new Map<string, number>();

  function httpRefuse(socket: Duplex, status: number, text: string) {
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
    );
  }

  /** Returns false when the path is not a chat socket path (the caller answers 404). */
  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      // A request-target URL cannot parse (`//[`): answer here, never throw out of the upgrade event.
      httpRefuse(socket, 400, "Bad Request");
      return true;
    }
    const match = WS_PATH.exec(url.pathname);
    if (!match) return false;
    const isTest = match[2] !== undefined;
    // The unauthenticated test endpoint exists only in dev; anywhere else it is a plain 404.
    if (isTest && config.env !== "dev") return false;
    if (deps.isDraining()) {
      httpRefuse(socket, 503, "Service Unavailable");
      return true;
    }
    const origin = req.headers.origin;
    if (
      origin &&
      config.server.allowed_origins.length > 0 &&
      !config.server.allowed_origins.includes(origin)
    ) {
      metrics.refused.inc({ code: "ORIGIN" });
      httpRefuse(socket, 403, "Forbidden");
      return true;
    }
    let channelUrl: string;
    try {
      channelUrl = decodeURIComponent(match[1]!);
    } catch {
      httpRefuse(socket, 400, "Bad Request");
      return true;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const ip = req.socket.remoteAddress ?? "unknown";
      // Never let a failure escape as an unhandled rejection: that would take the process down.
      accept(ws, channelUrl, isTest, url.searchParams, ip).catch((err) => {
        logger.error({ err, channel_url: channelUrl }, "socket admission crashed");
        ws.terminate();
      });
    });
    return true;
  }

  async function accept(
    ws: WebSocket,
    channelUrl: string,
    isTest: boolean,
    params: URLSearchParams,
    ip: string,
  ) {
    let conn: Connection | null = null;
    let early: Array<{ data: RawData; isBinary: boolean }> | null = [];
    let socketClosed = false;
    let heldUser: string | null = null;
    let heldIp = false;
    const release = () => {
      if (heldIp) bump(ipSlots, ip, -1);
      if (heldUser !== null) bump(userSlots, heldUser, -1);
      heldIp = false;
      heldUser = null;
    };
    ws.on("error", (err) => logger.debug({ err }, "socket error"));
    ws.on("message", (data, isBinary) => {
      if (conn) conn.alive = true;
      if (early) {
        if (early.length >= MAX_EARLY_FRAMES)
          return sendError(ws, ErrorCode.RATE_LIMITED, "too many frames before the join completed");
        early.push({ data, isBinary });
        return;
      }
      if (conn) onFrame(conn, data, isBinary);
    });
    ws.on("pong", () => {
      if (conn) conn.alive = true;
    });
    ws.on("close", () => {
      socketClosed = true;
      release();
      if (conn) {
        stopTyping(conn);
        hub.leave(conn);
      }
      early = null;
    });

    try {
      if ((ipSlots.get(ip) ?? 0) >= config.limits.max_connections_per_ip) {
        throw new Refusal(
          CloseCode.RATE_LIMITED,
          ErrorCode.RATE_LIMITED,
          "too many connections from this address",
          5000,
        );
      }
      bump(ipSlots, ip, +1);
      heldIp = true;
      const sinceRaw = params.get("since_seq");
      let sinceSeq: number | undefined;
      if (sinceRaw !== null && sinceRaw !== "") {
        if (!/^[0-9]{1,15}$/.test(sinceRaw)) {
          throw new Refusal(
            CloseCode.BAD_REQUEST,
            ErrorCode.VALIDATION_FAILED,
            "since_seq must be a non-negative integer",
          );
        }
        sinceSeq = Number(sinceRaw);
      }
      let userId: string;
      if (isTest) {
        const parsed = UserIdString.safeParse(params.get("user_id") ?? "");
        if (!parsed.success)
          throw new Refusal(CloseCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, "user_id is required");
        userId = parsed.data;
      } else {
        try {
          userId = (await verifier.verify(params.get("token"))).userId;
        } catch (e) {
          if (e instanceof AuthError)
            throw new Refusal(CloseCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, e.message);
          throw e;
        }
      }
      const channel = await store.getChannel(channelUrl);
      if (!channel)
        throw new Refusal(
          CloseCode.CHANNEL_NOT_FOUND,
          ErrorCode.CHANNEL_NOT_FOUND,
          `channel ${channelUrl} does not exist`,
        );
      if (channel.provider !== "websocket") {
        throw new Refusal(
          CloseCode.WRONG_PROVIDER,
          ErrorCode.WRONG_PROVIDER,
          `channel ${channelUrl} is served by ${channel.provider}`,
        );
      }
      if (!(await store.isMember(channelUrl, userId))) {
        throw new Refusal(
          CloseCode.FORBIDDEN,
          ErrorCode.NOT_MEMBER,
          `user ${userId} is not a member of ${channelUrl}`,
        );
      }
      if (isBanned(await hub.moderation(channelUrl), userId)) {
        throw new Refusal(
          CloseCode.FORBIDDEN,
          ErrorCode.BANNED,
          `user ${userId} is banned from ${channelUrl}`,
        );
      }
      if (socketClosed || ws.readyState !== 1) return;
      if ((userSlots.get(userId) ?? 0) >= config.limits.max_connections_per_user) {
        throw new Refusal(
          CloseCode.RATE_LIMITED,
          ErrorCode.RATE_LIMITED,
          "too many connections for this user",
          5000,
        );
      }
      bump(userSlots, userId, +1);
      heldUser = userId;
      conn = new Connection(
        randomUUID(),
        ws,
        channelUrl,
        userId,
        wireUserId(userId),
        ip,
        new TokenBucket(config.limits.messages_per_second, config.limits.message_burst),
        config.limits.send_queue_bytes,
        onSlowConsumer,
      );
      await hub.admit(conn, sinceSeq, config.realtime.heartbeat_ms);
      const held = early ?? [];
      early = null;
      for (const f of held) onFrame(conn, f.data, f.isBinary);
    } catch (e) {
      early = null;
      if (conn) hub.leave(conn);
      const r =
        e instanceof Refusal
          ? e
          : e instanceof StoreError || e instanceof ChatError
            ? new Refusal(
                CloseCode.STORE_UNAVAILABLE,
                ErrorCode.STORE_UNAVAILABLE,
                "the store is unavailable, retry shortly",
              )
            : new Refusal(CloseCode.SERVER_ERROR, ErrorCode.INTERNAL, "internal error");
      if (!(e instanceof Refusal))
        logger.error({ err: e, channel_url: channelUrl }, "socket admission failed");
      metrics.refused.inc({ code: r.code });
      const frame: ErrorFrame = { type: "ERROR", code: r.code, message: r.message, close_code: r.closeCode };
      if (r.retryAfterMs !== undefined) frame.retry_after_ms = r.retryAfterMs;
      if (ws.readyState === 1) {
        ws.send(JSON.stringify(frame));
        ws.close(r.closeCode, closeReason(r.message));
      }
    }
  }

  function onSlowConsumer(c: Connection) {
    if (c.closed) return;
    logger.warn({ channel_url: c.channelUrl, user_id: c.userId }, "slow consumer disconnected");
    metrics.errors.inc({ code: ErrorCode.SLOW_CONSUMER });
    c.ws.close(CloseCode.SLOW_CONSUMER, "send queue overflow");
    hub.leave(c);
    setTimeout(() => c.ws.terminate(), 2000).unref();
  }

  function sendError(ws: WebSocket, code: string, message: string, extra: Partial<ErrorFrame> = {}) {
    metrics.errors.inc({ code });
    if (ws.readyState !== 1) return;
    const frame: ErrorFrame = { type: "ERROR", code, message, ...extra };
    ws.send(JSON.stringify(frame));
  }

  /**
   * Every frame (sends, pings, and invalid ones alike, so garbage cannot be flooded for free) takes
   * a token. A refused frame gets RATE_LIMITED with retry_after_ms; a socket that keeps flooding
   * past `flood_max_refusals` within `flood_window_ms` is closed with 4429.
   */
  function admitFrame(conn: Connection, extra: { req_id?: string }): boolean {
    const wait = conn.bucket.take();
    if (wait === 0) return true;
    metrics.rateLimited.inc();
    const { flood_max_refusals: maxRefusals, flood_window_ms: windowMs } = config.limits;
    if (maxRefusals > 0 && conn.strike(windowMs) > maxRefusals) {
      logger.warn({ channel_url: conn.channelUrl, user_id: conn.userId }, "flooding socket closed");
      sendError(conn.ws, ErrorCode.RATE_LIMITED, "too many messages; the connection is closed", {
        ...extra,
        retry_after_ms: Math.max(wait, 1000),
        close_code: CloseCode.RATE_LIMITED,
      });
      conn.ws.close(CloseCode.RATE_LIMITED, "rate limited");
      setTimeout(() => conn.ws.terminate(), 2000).unref();
      return false;
    }
    sendError(conn.ws, ErrorCode.RATE_LIMITED, "too many messages; slow down", {
      ...extra,
      retry_after_ms: wait,
    });
    return false;
  }

  function onFrame(conn: Connection, data: RawData, isBinary: boolean) {
    const ws = conn.ws;
    // A socket we are closing (flood, 1009, drain, slow consumer) gets nothing more processed: its
    // sends could never be acknowledged.
    if (conn.closed || ws.readyState !== 1) return;
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    if (size > maxFrame) {
      sendError(ws, ErrorCode.FRAME_TOO_LARGE, `frame of ${size} bytes exceeds the limit of ${maxFrame}`, {
        close_code: CloseCode.FRAME_TOO_LARGE,
      });
      ws.close(CloseCode.FRAME_TOO_LARGE, "frame too large");
      return;
    }
    let value: unknown;
    let parsedJson = false;
    if (!isBinary) {
      try {
        value = JSON.parse(data.toString());
        parsedJson = true;
      } catch {}
    }
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    const rawReq = isObject ? (value as { req_id?: unknown }).req_id : undefined;
    const reqExtra = typeof rawReq === "string" && rawReq.length <= 64 ? { req_id: rawReq } : {};
    const rawType = isObject ? (value as { type?: unknown }).type : undefined;
    // Typing frames are coalesced (one publish per second at most), so they take no token and
    // never count as flooding.
    const isTyping = rawType === "TYPING_START" || rawType === "TYPING_STOP";
    if (!isTyping && !admitFrame(conn, reqExtra)) return;
    if (isBinary)
      return sendError(ws, ErrorCode.BINARY_NOT_SUPPORTED, "binary frames are not supported; send JSON text");
    if (!parsedJson) return sendError(ws, ErrorCode.MALFORMED_FRAME, "frame is not valid JSON");
    if (!isObject) return sendError(ws, ErrorCode.MALFORMED_FRAME, "frame must be a JSON object");
    const type = (value as { type?: unknown }).type;
    if (typeof type !== "string" || !knownTypes.has(type)) {
      return sendError(
        ws,
        ErrorCode.UNKNOWN_TYPE,
        `unknown frame type; expected one of ${clientFrameTypes.join(", ")}`,
        reqExtra,
      );
    }
    const problem = jsonProblem(value, config.limits.max_json_depth);
    if (problem) return sendError(ws, ErrorCode.INVALID_FRAME, problem, reqExtra);
    const parsed = ClientFrame.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
      return sendError(ws, ErrorCode.INVALID_FRAME, `${where}${issue?.message ?? "invalid frame"}`, reqExtra);
    }
    const frame = parsed.data;
    switch (frame.type) {
      case "PING":
        conn.sendRaw(
          JSON.stringify(frame.ts === undefined ? { type: "PONG" } : { type: "PONG", ts: frame.ts }),
        );
        return;
      case "TYPING_START":
        return startTyping(conn);
      case "TYPING_STOP":
        return stopTyping(conn);
      case "READ":
        void markRead(conn, frame.seq);
        return;
    }
    if (quiescing) {
      const extra: Partial<ErrorFrame> = frame.req_id ? { req_id: frame.req_id } : {};
      return sendError(
        conn.ws,
        ErrorCode.DRAINING,
        "the server is restarting; resend after reconnecting",
        extra,
      );
    }
    inFlight++;
    const work =
      frame.type === "EDIT" || frame.type === "DELETE" ? handleChange(conn, frame) : handleSend(conn, frame);
    void work.finally(() => {
      inFlight--;
      if (inFlight === 0) for (const w of idleWaiters.splice(0)) w();
    });
  }

  let quiescing = false;
  let inFlight = 0;
  const idleWaiters: Array<() => void> = [];

  function publishTyping(conn: Connection, typing: boolean) {
    bus
      .publishChannel(conn.channelUrl, {
        kind: "typing",
        user_id: conn.userId,
        typing,
        ...(typing ? { expires_in_ms: typingTtl } : {}),
      })
      .catch((err) => logger.debug({ err }, "typing not published"));
  }

  /** Shows the user typing for `typingTtl`; a start within a second of the last one is coalesced. */
  function startTyping(conn: Connection) {
    const cached = conn.room?.moderation;
    if (cached && sendRefusal(cached, conn.userId)) return;
    const now = performance.now();
    if (conn.typingTimer && now - conn.typingSentAt < TYPING_MIN_INTERVAL_MS) return;
    if (conn.typingTimer) clearTimeout(conn.typingTimer);
    conn.typingSentAt = now;
    // Expires on the server exactly when clients were told it would.
    conn.typingTimer = setTimeout(() => stopTyping(conn), typingTtl);
    conn.typingTimer.unref();
    publishTyping(conn, true);
  }

  function stopTyping(conn: Connection) {
    if (!conn.typingTimer) return;
    clearTimeout(conn.typingTimer);
    conn.typingTimer = null;
    conn.typingSentAt = 0;
    publishTyping(conn, false);
  }

  async function markRead(conn: Connection, seq: number) {
    try {
      const m = await store.markRead(conn.channelUrl, conn.userId, seq);
      await bus.publishChannel(conn.channelUrl, {
        kind: "read",
        user_id: conn.userId,
        seq: m.last_read_seq,
        timestamp: new Date().toISOString(),
      });
    } catch (err) {
      logger.warn({ err, channel_url: conn.channelUrl }, "read mark failed");
      sendError(conn.ws, ErrorCode.STORE_UNAVAILABLE, "the read mark was not stored; retry", {
        retry_after_ms: 1000,
      });
    }
  }

  /** ERROR for a refused or failed change/send, with its req_id; true when handled. */
  function refuse(conn: Connection, e: unknown, extra: Partial<ErrorFrame>): boolean {
    if (e instanceof ChatError && e.status < 500) {
      sendError(conn.ws, e.code, e.message, extra);
      return true;
    }
    if (e instanceof StoreError && (e.code === "MESSAGE_NOT_FOUND" || e.code === "NOT_AUTHOR")) {
      sendError(conn.ws, e.code, e.message, extra);
      return true;
    }
    if (e instanceof StoreError && e.code === "INVALID_DATA") {
      sendError(conn.ws, ErrorCode.VALIDATION_FAILED, e.message, extra);
      return true;
    }
    if (e instanceof StoreError && e.code === "CHANNEL_NOT_FOUND") {
      sendError(conn.ws, ErrorCode.CHANNEL_DELETED, "the channel no longer exists", extra);
      closeWithError(conn, CloseCode.CHANNEL_DELETED, ErrorCode.CHANNEL_DELETED, "the channel was deleted");
      return true;
    }
    return false;
  }

  async function handleChange(conn: Connection, frame: EditFrame | DeleteFrame) {
    const extra: Partial<ErrorFrame> = frame.req_id ? { req_id: frame.req_id } : {};
    try {
      const r =
        frame.type === "EDIT"
          ? await editMessage(changes, conn.channelUrl, frame.target_seq, {
              message: frame.message,
              userId: conn.userId,
              ...(frame.data !== undefined ? { data: frame.data } : {}),
            })
          : await deleteMessage(changes, conn.channelUrl, frame.target_seq, conn.userId);
      if (frame.req_id) {
        const ack: AckFrame = {
          type: "ACK",
          req_id: frame.req_id,
          message_id: r.target.message_id,
          seq: r.entry.seq,
          timestamp: r.entry.created_at,
        };
        conn.sendRaw(JSON.stringify(ack));
      }
    } catch (e) {
      if (refuse(conn, e, extra)) return;
      logger.warn({ err: e, channel_url: conn.channelUrl }, "change failed");
      sendError(conn.ws, ErrorCode.STORE_UNAVAILABLE, "the change was not stored; retry", {
        ...extra,
        retry_after_ms: 1000,
      });
    }
  }

  async function handleSend(conn: Connection, frame: SendFrame) {
    if (frame.type !== "MESG" && !frame.file && !frame.message) {
      const extra: Partial<ErrorFrame> = frame.req_id ? { req_id: frame.req_id } : {};
      return sendError(
        conn.ws,
        ErrorCode.INVALID_FRAME,
        "a FILE or IMAGE frame needs file or message",
        extra,
      );
    }
    try {
      // Cached in the room (invalidated by MODERATION events): no store round trip per send.
      const why = sendRefusal(conn.room?.moderation ?? (await hub.moderation(conn.channelUrl)), conn.userId);
      if (why) {
        const extra: Partial<ErrorFrame> = frame.req_id ? { req_id: frame.req_id } : {};
        return sendError(conn.ws, ErrorCode[why], refusalText[why], extra);
      }
      const { message, duplicate } = await pipeline.send({
        channel_url: conn.channelUrl,
        type: frame.type,
        user_id: conn.userId,
        message: frame.message ?? "",
        req_id: frame.req_id ?? null,
        custom_type: frame.custom_type ?? null,
        data: frame.data ?? null,
        file: "file" in frame ? (frame.file ?? null) : null,
      });
      if (frame.req_id) {
        const ack: AckFrame = {
          type: "ACK",
          req_id: frame.req_id,
          message_id: message.message_id,
          seq: message.seq,
          timestamp: message.created_at,
        };
        if (duplicate) ack.duplicate = true;
        conn.sendRaw(JSON.stringify(ack));
      }
    } catch (e) {
      const extra: Partial<ErrorFrame> = frame.req_id ? { req_id: frame.req_id } : {};
      if (refuse(conn, e, extra)) return;
      logger.warn({ err: e, channel_url: conn.channelUrl }, "send failed");
      sendError(conn.ws, ErrorCode.STORE_UNAVAILABLE, "the message was not stored; retry", {
        ...extra,
        retry_after_ms: 1000,
      });
    }
  }

  return {
    handleUpgrade,
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
    close() {
      wss.close();
    },
  };
}

export type WsGateway = ReturnType<typeof createWsGateway>;
