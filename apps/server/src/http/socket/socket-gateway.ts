import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  CloseCode,
  ErrorCode,
  type ErrorFrame,
  type ReadyFrame,
  UserIdString,
  wireUserId,
} from "@podchat/protocol";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { REVOKED_MESSAGE } from "../../auth/token-revocations.ts";
import { AuthError, type TokenVerifier } from "../../auth/token-verifier.ts";
import type { Bus } from "../../bus/bus.ts";
import type { ChannelAccess, ChatService } from "../../chat/chat-service.ts";
import type { Config } from "../../config/index.ts";
import { ChatError } from "../../errors/chat-error.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Metrics } from "../../observability/metrics.ts";
import { Connection, TokenBucket } from "../../realtime/connection.ts";
import { bump } from "../../realtime/counts.ts";
import type { Hub } from "../../realtime/hub.ts";
import { closeReason } from "../../realtime/ws-frame.ts";
import { createFrameDecoder } from "./frame-decoder.ts";
import { type SocketSession, createFrameHandlers } from "./frame-handlers.ts";

/** The seed's per-channel endpoint (and its dev test form), and the user connection (@since 0.3). */
const CHANNEL_PATH = /^\/api\/v1\/chat\/ws\/([^/]+)(\/test)?\/?$/;
// Exactly this path: `/ws/` (what a client sends for a channel named "." after URL normalisation) is not it.
const USER_PATH = /^\/api\/v1\/chat\/ws$/;
/** Frames a client may send before its admission finishes; more are refused. */
const MAX_EARLY_FRAMES = 32;

export interface SocketGatewayDeps {
  config: Config;
  chat: ChatService;
  hub: Hub;
  bus: Bus;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Metrics;
  isDraining: () => boolean;
  /**
   * @since 0.4 Whether the user's tokens issued at `iat` were revoked meanwhile: checked once the
   * socket is attached, so a revocation that arrived during admission is not missed.
   */
  tokenRevoked?: (userId: string, iat: number | null) => boolean;
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

/** Close codes for the admission rules ChatService enforces. */
const refusalClose: Partial<Record<string, number>> = {
  [ErrorCode.CHANNEL_NOT_FOUND]: CloseCode.CHANNEL_NOT_FOUND,
  [ErrorCode.WRONG_PROVIDER]: CloseCode.WRONG_PROVIDER,
  [ErrorCode.NOT_MEMBER]: CloseCode.FORBIDDEN,
  [ErrorCode.BANNED]: CloseCode.FORBIDDEN,
};

/** An admission failure as what the client is told: a rule's refusal, or a retryable failure. */
function refusalOf(e: unknown): Refusal {
  if (e instanceof Refusal) return e;
  if (e instanceof ChatError) {
    const close = refusalClose[e.code];
    if (close !== undefined) return new Refusal(close, e.code, e.message);
    return new Refusal(
      CloseCode.STORE_UNAVAILABLE,
      ErrorCode.STORE_UNAVAILABLE,
      "the store is unavailable, retry shortly",
    );
  }
  return new Refusal(CloseCode.SERVER_ERROR, ErrorCode.INTERNAL, "internal error");
}

interface Target {
  /** The per-channel endpoint's channel; null for the user connection. */
  channelUrl: string | null;
  /** Dev test endpoint: `user_id` from the query string, no token. */
  isTest: boolean;
}

/**
 * The chat socket endpoints. Upgrades are taken over from the HTTP server (plain `ws`, not a
 * framework adapter, so an idle socket costs little); admission (token, channel, membership,
 * limits) happens after the upgrade so a refusal can say why in an ERROR frame and a close code.
 */
export function createSocketGateway(deps: SocketGatewayDeps) {
  const { config, chat, hub, verifier, logger, metrics } = deps;
  // Frames up to 4× the limit are read and answered with an ERROR before the 1009 close; beyond
  // that ws cuts the socket itself, so an attacker cannot make us buffer more.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.limits.max_frame_bytes * 4,
    perMessageDeflate: false,
    clientTracking: false,
  });

  function sendError(ws: WebSocket, code: string, message: string, extra: Partial<ErrorFrame> = {}) {
    metrics.errors.inc({ code });
    if (ws.readyState !== 1) return;
    const frame: ErrorFrame = { type: "ERROR", code, message, ...extra };
    ws.send(JSON.stringify(frame));
  }

  const decode = createFrameDecoder({ config, logger, metrics, sendError });
  const handlers = createFrameHandlers({
    chat,
    hub,
    bus: deps.bus,
    logger,
    typingTtlMs: config.realtime.typing_expires_ms,
    heartbeatMs: config.realtime.heartbeat_ms,
    maxSubscriptions: config.limits.max_subscriptions_per_socket,
    sendError,
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

  /** Which endpoint a path is; null when it is not a chat socket path (the caller answers 404). */
  function targetOf(pathname: string): Target | null | "bad" {
    if (USER_PATH.test(pathname)) return { channelUrl: null, isTest: false };
    const match = CHANNEL_PATH.exec(pathname);
    if (!match) return null;
    const isTest = match[2] !== undefined;
    // The unauthenticated test endpoint exists only in dev; anywhere else it is a plain 404.
    if (isTest && config.env !== "dev") return null;
    try {
      return { channelUrl: decodeURIComponent(match[1]!), isTest };
    } catch {
      return "bad";
    }
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
    const target = targetOf(url.pathname);
    if (target === null) return false;
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
    if (target === "bad") {
      httpRefuse(socket, 400, "Bad Request");
      return true;
    }
    // The user connection's dev form: `?user_id=` without a token, in dev only.
    if (
      target.channelUrl === null &&
      config.env === "dev" &&
      !url.searchParams.has("token") &&
      url.searchParams.has("user_id")
    )
      target.isTest = true;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const ip = req.socket.remoteAddress ?? "unknown";
      // Never let a failure escape as an unhandled rejection: that would take the process down.
      accept(ws, target, url.searchParams, ip).catch((err) => {
        logger.error({ err, channel_url: target.channelUrl }, "socket admission crashed");
        ws.terminate();
      });
    });
    return true;
  }

  /** Who connects, and the `iat` of their token (null without one). */
  async function userOf(
    target: Target,
    params: URLSearchParams,
  ): Promise<{ userId: string; issuedAt: number | null }> {
    if (target.isTest) {
      const parsed = UserIdString.safeParse(params.get("user_id") ?? "");
      if (!parsed.success)
        throw new Refusal(CloseCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, "user_id is required");
      return { userId: parsed.data, issuedAt: null };
    }
    try {
      const v = await verifier.verify(params.get("token"));
      return { userId: v.userId, issuedAt: typeof v.claims.iat === "number" ? v.claims.iat : null };
    } catch (e) {
      if (e instanceof AuthError)
        throw new Refusal(CloseCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, e.message);
      throw e;
    }
  }

  function sinceSeqOf(params: URLSearchParams): number | undefined {
    const raw = params.get("since_seq");
    if (raw === null || raw === "") return undefined;
    if (!/^[0-9]{1,15}$/.test(raw))
      throw new Refusal(
        CloseCode.BAD_REQUEST,
        ErrorCode.VALIDATION_FAILED,
        "since_seq must be a non-negative integer",
      );
    return Number(raw);
  }

  async function accept(ws: WebSocket, target: Target, params: URLSearchParams, ip: string) {
    let session: SocketSession | null = null;
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
    const onFrame = (s: SocketSession, data: RawData, isBinary: boolean) => {
      // A socket we are closing (flood, 1009, drain, slow consumer) gets nothing more processed:
      // its sends could never be acknowledged.
      if (s.conn.closed || ws.readyState !== 1) return;
      const frame = decode(s.conn, data, isBinary);
      if (frame) handlers.handle(s, frame);
    };
    ws.on("error", (err) => logger.debug({ err }, "socket error"));
    ws.on("message", (data, isBinary) => {
      if (session) session.conn.alive = true;
      if (early) {
        if (early.length >= MAX_EARLY_FRAMES)
          return sendError(ws, ErrorCode.RATE_LIMITED, "too many frames before the join completed");
        early.push({ data, isBinary });
        return;
      }
      if (session) onFrame(session, data, isBinary);
    });
    ws.on("pong", () => {
      if (session) session.conn.alive = true;
    });
    ws.on("close", () => {
      socketClosed = true;
      release();
      if (session) {
        for (const sub of session.conn.subs.values()) handlers.stopTyping(sub);
        hub.detach(session.conn);
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
      const sinceSeq = sinceSeqOf(params);
      const { userId, issuedAt } = await userOf(target, params);
      let access: ChannelAccess | null = null;
      if (target.channelUrl !== null) access = await chat.admit(target.channelUrl, userId);
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
      const conn = new Connection(
        randomUUID(),
        ws,
        userId,
        wireUserId(userId),
        ip,
        new TokenBucket(config.limits.messages_per_second, config.limits.message_burst),
        config.limits.send_queue_bytes,
        onSlowConsumer,
        { inbox: target.channelUrl === null, tokenIssuedAt: issuedAt },
      );
      const s: SocketSession = { conn, fixedChannel: target.channelUrl, access: new Map() };
      session = s;
      hub.attach(conn);
      // The revocation's socket sweep may have run between the token check and the attach above.
      if (!target.isTest && deps.tokenRevoked?.(userId, issuedAt))
        throw new Refusal(CloseCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, REVOKED_MESSAGE);
      if (access) {
        s.access.set(access.channelUrl, access);
        await hub.subscribe(conn, access.channelUrl, sinceSeq, (start) =>
          conn.sendRaw(handlers.connected(s, start, sinceSeq)),
        );
      } else {
        // The user's events first, then the list they change: no change falls in between.
        await hub.listen(conn);
        const [urls, total] = await Promise.all([chat.userChannelUrls(userId), chat.totalUnread(userId)]);
        await hub.watch(conn, urls);
        const ready: ReadyFrame = {
          type: "READY",
          user_id: conn.wireUserId,
          connection_id: conn.id,
          heartbeat_ms: config.realtime.heartbeat_ms,
          server_time: new Date().toISOString(),
          total_unread: total,
        };
        conn.sendRaw(JSON.stringify(ready));
      }
      const held = early ?? [];
      early = null;
      for (const f of held) onFrame(s, f.data, f.isBinary);
    } catch (e) {
      early = null;
      if (session) hub.detach(session.conn);
      const r = refusalOf(e);
      if (r.code === ErrorCode.STORE_UNAVAILABLE || r.code === ErrorCode.INTERNAL)
        logger.error({ err: e, channel_url: target.channelUrl }, "socket admission failed");
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
    logger.warn({ user_id: c.userId }, "slow consumer disconnected");
    metrics.errors.inc({ code: ErrorCode.SLOW_CONSUMER });
    c.ws.close(CloseCode.SLOW_CONSUMER, "send queue overflow");
    hub.detach(c);
    setTimeout(() => c.ws.terminate(), 2000).unref();
  }

  return {
    handleUpgrade,
    quiesce: (ms: number) => handlers.quiesce(ms),
    close() {
      wss.close();
    },
  };
}
