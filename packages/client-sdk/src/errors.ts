/** Error codes the SDK raises itself, beside the server's `ErrorCode`s it passes through. */
export const ClientErrorCode = {
  /** `send` was called while `queueLimit` messages were already waiting. */
  QUEUE_FULL: "QUEUE_FULL",
  /** The channel lives on Sendbird; use Sendbird's SDK with `sendbirdAppId`. */
  WRONG_PROVIDER: "WRONG_PROVIDER",
  /** The server could not provide some messages (history trimmed); `fromSeq..toSeq` are lost. */
  MESSAGES_LOST: "MESSAGES_LOST",
  /** A REST call failed at the network level or returned something unexpected. */
  NETWORK_ERROR: "NETWORK_ERROR",
  /** The server sent a frame or body that does not match the protocol. */
  BAD_RESPONSE: "BAD_RESPONSE",
  /** The socket closed with a code that says not to retry. */
  CONNECTION_CLOSED: "CONNECTION_CLOSED",
  /** The send was discarded by the app before it was acknowledged. */
  DISCARDED: "DISCARDED",
} as const;

/** Optional details carried by a {@link PodchatError}. */
export interface PodchatErrorDetails {
  /** WebSocket close code that ended the connection, when any. */
  closeCode?: number;
  /** HTTP status of a failed REST call, when any. */
  status?: number;
  /** Server hint: wait this long before retrying. */
  retryAfterMs?: number;
  /** `req_id` of the send this error belongs to. */
  reqId?: string;
  /** Set with `WRONG_PROVIDER`: the Sendbird application serving the channel. */
  sendbirdAppId?: string;
  /** Set with `MESSAGES_LOST`: the first and last seq that could not be recovered. */
  fromSeq?: number;
  toSeq?: number;
  cause?: unknown;
}

/**
 * The one error type of the SDK. `code` is a server `ErrorCode` (e.g. `NOT_MEMBER`,
 * `RATE_LIMITED`) or a {@link ClientErrorCode}.
 */
export class PodchatError extends Error {
  readonly code: string;
  // `declare`: set by Object.assign below, so the build emits no field list.
  declare readonly closeCode?: number;
  declare readonly status?: number;
  declare readonly retryAfterMs?: number;
  declare readonly reqId?: string;
  declare readonly sendbirdAppId?: string;
  declare readonly fromSeq?: number;
  declare readonly toSeq?: number;

  constructor(code: string, message: string, { cause, ...details }: PodchatErrorDetails = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "PodchatError";
    this.code = code;
    Object.assign(this, details);
  }
}
