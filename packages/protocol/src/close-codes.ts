/**
 * WebSocket close codes podchat uses. Application codes live in 4000–4999; the few standard
 * codes it sends (1000, 1001, 1009, 1011) are listed too so clients have one table.
 */
export const CloseCode = {
  NORMAL: 1000,
  /** Server draining (deploy, SIGTERM): reconnect, ideally to another instance. */
  GOING_AWAY: 1001,
  /** A frame exceeded the configured maximum size. */
  FRAME_TOO_LARGE: 1009,
  INTERNAL_ERROR: 1011,
  /** The connection request itself was malformed (e.g. a bad since_seq). */
  BAD_REQUEST: 4400,
  /** Missing, malformed, badly signed or expired token: fetch a fresh token, then retry. */
  UNAUTHORIZED: 4401,
  /** Authenticated but not a member (or banned): do not retry. */
  FORBIDDEN: 4403,
  /** No such channel: do not retry. */
  CHANNEL_NOT_FOUND: 4404,
  /** The channel is served by another provider (Sendbird): use transport discovery, do not retry here. */
  WRONG_PROVIDER: 4409,
  /** The channel was deleted while connected: do not retry. */
  CHANNEL_DELETED: 4410,
  /** The client stopped reading and its send queue overflowed: reconnect and resume. */
  SLOW_CONSUMER: 4420,
  /** Too many connections or messages: retry after the hint, on the slow tier. */
  RATE_LIMITED: 4429,
  /** Server-side failure: retry with backoff. */
  SERVER_ERROR: 4500,
  /** The store is unavailable: retry with backoff. */
  STORE_UNAVAILABLE: 4503,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** What a client should do after a close with a given code. */
export type RetryPolicy = "retry" | "retry-slow" | "refresh-token" | "never";

/**
 * Codes that are not simply retried (1001, 1009, 1011, 4420, 4500, 4503 and unknown ones are).
 * Literal keys, not `[CloseCode.X]`: the SDK core counts its bytes; a test checks them against CloseCode.
 */
const policies: Record<number, RetryPolicy> = {
  1000: "never", // NORMAL
  4400: "never", // BAD_REQUEST
  4401: "refresh-token", // UNAUTHORIZED
  4403: "never", // FORBIDDEN
  4404: "never", // CHANNEL_NOT_FOUND
  4409: "never", // WRONG_PROVIDER
  4410: "never", // CHANNEL_DELETED
  4429: "retry-slow", // RATE_LIMITED
};

/**
 * The retry policy for a close code. Unknown codes (network drops give 1006, proxies give others)
 * are retried: only codes the server chose to mean "stop" are terminal.
 */
export function retryPolicyFor(code: number): RetryPolicy {
  return policies[code] ?? "retry";
}
