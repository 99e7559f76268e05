import { ClientFrame, CloseCode, ErrorCode, type ErrorFrame, clientFrameTypes } from "@podchat/protocol";
import type { RawData, WebSocket } from "ws";
import type { Config } from "../../config/index.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Metrics } from "../../observability/metrics.ts";
import type { Connection } from "../../realtime/connection.ts";
import { jsonProblem } from "../json-guard.ts";

const knownTypes = new Set<string>(clientFrameTypes);

export type FrameErrorSender = (
  ws: WebSocket,
  code: string,
  message: string,
  extra?: Partial<ErrorFrame>,
) => void;

/**
 * Turns one incoming WebSocket message into a validated client frame, or answers why not (the
 * socket stays open, except for an oversize frame: 1009, or a flood: 4429). Every frame takes a
 * rate-limit token first — sends, pings and invalid ones alike, so garbage cannot be flooded for
 * free — except typing frames, which are coalesced instead.
 */
export function createFrameDecoder(deps: {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  sendError: FrameErrorSender;
}) {
  const { config, logger, metrics, sendError } = deps;
  const maxFrame = config.limits.max_frame_bytes;

  /**
   * A refused frame gets RATE_LIMITED with retry_after_ms; a socket that keeps flooding past
   * `flood_max_refusals` within `flood_window_ms` is closed with 4429.
   */
  function admitFrame(conn: Connection, extra: { req_id?: string }): boolean {
    const wait = conn.bucket.take();
    if (wait === 0) return true;
    metrics.rateLimited.inc();
    const { flood_max_refusals: maxRefusals, flood_window_ms: windowMs } = config.limits;
    if (maxRefusals > 0 && conn.strike(windowMs) > maxRefusals) {
      logger.warn({ user_id: conn.userId }, "flooding socket closed");
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

  return function decode(conn: Connection, data: RawData, isBinary: boolean): ClientFrame | null {
    const ws = conn.ws;
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    if (size > maxFrame) {
      sendError(ws, ErrorCode.FRAME_TOO_LARGE, `frame of ${size} bytes exceeds the limit of ${maxFrame}`, {
        close_code: CloseCode.FRAME_TOO_LARGE,
      });
      ws.close(CloseCode.FRAME_TOO_LARGE, "frame too large");
      return null;
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
    const type = isObject ? (value as { type?: unknown }).type : undefined;
    // Typing frames are coalesced (one publish per second at most), so they take no token and
    // never count as flooding.
    const isTyping = type === "TYPING_START" || type === "TYPING_STOP";
    if (!isTyping && !admitFrame(conn, reqExtra)) return null;
    if (isBinary) {
      sendError(ws, ErrorCode.BINARY_NOT_SUPPORTED, "binary frames are not supported; send JSON text");
      return null;
    }
    if (!parsedJson) {
      sendError(ws, ErrorCode.MALFORMED_FRAME, "frame is not valid JSON");
      return null;
    }
    if (!isObject) {
      sendError(ws, ErrorCode.MALFORMED_FRAME, "frame must be a JSON object");
      return null;
    }
    if (typeof type !== "string" || !knownTypes.has(type)) {
      sendError(
        ws,
        ErrorCode.UNKNOWN_TYPE,
        `unknown frame type; expected one of ${clientFrameTypes.join(", ")}`,
        reqExtra,
      );
      return null;
    }
    const problem = jsonProblem(value, config.limits.max_json_depth);
    if (problem) {
      sendError(ws, ErrorCode.INVALID_FRAME, problem, reqExtra);
      return null;
    }
    const parsed = ClientFrame.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
      sendError(ws, ErrorCode.INVALID_FRAME, `${where}${issue?.message ?? "invalid frame"}`, reqExtra);
      return null;
    }
    return parsed.data;
  };
}
