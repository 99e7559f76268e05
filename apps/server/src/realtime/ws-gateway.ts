import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  type AckFrame,
  ClientFrame,
  CloseCode,
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
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { MessagePipeline } from "../providers/websocket/message-pipeline.ts";
import { type MessageStore, StoreError } from "../store/message-store.ts";
import { Connection, TokenBucket } from "./connection.ts";
import { type Hub, closeWithError } from "./hub.ts";

const WS_PATH = /^\/api\/v1\/chat\/ws\/([^/]+)(\/test)?\/?$/;
/** Frames a client may send before its admission finishes; more are refused. */
const MAX_EARLY_FRAMES = 32;
const knownTypes = new Set<string>(clientFrameTypes);

export interface WsGatewayDeps {
  config: Config;
  hub: Hub;
  store: MessageStore;
  pipeline: MessagePipeline;
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
  const { config, hub, store, pipeline, verifier, logger, metrics } = deps;
  const maxFrame = config.limits.max_frame_bytes;
  // Frames up to 4× the limit are read and answered with an ERROR before the 1009 close; beyond
  // that ws cuts the socket itself, so an attacker cannot make us buffer more.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxFrame * 4,
    perMessageDeflate: false,
    clientTracking: false,
  });

  function httpRefuse(socket: Duplex, status: number, text: string) {
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
    );
  }

  /** Returns false when the path is not a chat socket path (the caller answers 404). */
  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://localhost");
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
      void accept(ws, channelUrl, isTest, url.searchParams, ip);
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
      if (conn) hub.leave(conn);
      early = null;
    });

    try {
      if (hub.ipConnections(ip) >= config.limits.max_connections_per_ip) {
        throw new Refusal(
          CloseCode.RATE_LIMITED,
          ErrorCode.RATE_LIMITED,
          "too many connections from this address",
          5000,
        );
      }
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
      if (hub.userConnections(userId) >= config.limits.max_connections_per_user) {
        throw new Refusal(
          CloseCode.RATE_LIMITED,
          ErrorCode.RATE_LIMITED,
          "too many connections for this user",
          5000,
        );
      }
      if (ws.readyState !== 1) return;
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
        ws.close(r.closeCode, r.message.slice(0, 120));
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

  function onFrame(conn: Connection, data: RawData, isBinary: boolean) {
    const ws = conn.ws;
    if (isBinary)
      return sendError(ws, ErrorCode.BINARY_NOT_SUPPORTED, "binary frames are not supported; send JSON text");
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    if (size > maxFrame) {
      sendError(ws, ErrorCode.FRAME_TOO_LARGE, `frame of ${size} bytes exceeds the limit of ${maxFrame}`, {
        close_code: CloseCode.FRAME_TOO_LARGE,
      });
      ws.close(CloseCode.FRAME_TOO_LARGE, "frame too large");
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(data.toString());
    } catch {
      return sendError(ws, ErrorCode.MALFORMED_FRAME, "frame is not valid JSON");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return sendError(ws, ErrorCode.MALFORMED_FRAME, "frame must be a JSON object");
    }
    const rawReq = (value as { req_id?: unknown }).req_id;
    const reqExtra = typeof rawReq === "string" && rawReq.length <= 64 ? { req_id: rawReq } : {};
    const type = (value as { type?: unknown }).type;
    if (typeof type !== "string" || !knownTypes.has(type)) {
      return sendError(
        ws,
        ErrorCode.UNKNOWN_TYPE,
        `unknown frame type; expected one of ${clientFrameTypes.join(", ")}`,
        reqExtra,
      );
    }
    const parsed = ClientFrame.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
      return sendError(ws, ErrorCode.INVALID_FRAME, `${where}${issue?.message ?? "invalid frame"}`, reqExtra);
    }
    const frame = parsed.data;
    if (frame.type === "PING") {
      conn.sendRaw(
        JSON.stringify(frame.ts === undefined ? { type: "PONG" } : { type: "PONG", ts: frame.ts }),
      );
      return;
    }
    void handleSend(conn, frame);
  }

  async function handleSend(conn: Connection, frame: SendFrame) {
    const wait = conn.bucket.take();
    if (wait > 0) {
      metrics.rateLimited.inc();
      const extra: Partial<ErrorFrame> = { retry_after_ms: wait };
      if (frame.req_id) extra.req_id = frame.req_id;
      return sendError(conn.ws, ErrorCode.RATE_LIMITED, "too many messages; slow down", extra);
    }
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
      if (e instanceof StoreError && e.code === "CHANNEL_NOT_FOUND") {
        sendError(conn.ws, ErrorCode.CHANNEL_DELETED, "the channel no longer exists", extra);
        closeWithError(conn, CloseCode.CHANNEL_DELETED, ErrorCode.CHANNEL_DELETED, "the channel was deleted");
        return;
      }
      logger.warn({ err: e, channel_url: conn.channelUrl }, "send failed");
      sendError(conn.ws, ErrorCode.STORE_UNAVAILABLE, "the message was not stored; retry", {
        ...extra,
        retry_after_ms: 1000,
      });
    }
  }

  return {
    handleUpgrade,
    close() {
      wss.close();
    },
  };
}

export type WsGateway = ReturnType<typeof createWsGateway>;
