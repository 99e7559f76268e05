/** Error codes carried by ERROR frames and REST error bodies. */
export const ErrorCode = {
  /** The frame is not JSON, or not a JSON object. */
  MALFORMED_FRAME: "MALFORMED_FRAME",
  /** The frame is JSON but does not match the schema of its type. */
  INVALID_FRAME: "INVALID_FRAME",
  /** The frame's `type` is not one the server accepts. */
  UNKNOWN_TYPE: "UNKNOWN_TYPE",
  FRAME_TOO_LARGE: "FRAME_TOO_LARGE",
  /** Binary frames are not part of the protocol. */
  BINARY_NOT_SUPPORTED: "BINARY_NOT_SUPPORTED",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_MEMBER: "NOT_MEMBER",
  CHANNEL_NOT_FOUND: "CHANNEL_NOT_FOUND",
  CHANNEL_EXISTS: "CHANNEL_EXISTS",
  WRONG_PROVIDER: "WRONG_PROVIDER",
  CHANNEL_DELETED: "CHANNEL_DELETED",
  NOT_FOUND: "NOT_FOUND",
  VALIDATION_FAILED: "VALIDATION_FAILED",
  RATE_LIMITED: "RATE_LIMITED",
  SLOW_CONSUMER: "SLOW_CONSUMER",
  STORE_UNAVAILABLE: "STORE_UNAVAILABLE",
  PROVIDER_ERROR: "PROVIDER_ERROR",
  UNSUPPORTED: "UNSUPPORTED",
  DRAINING: "DRAINING",
  /** @since 0.2 Banned from the channel: cannot connect or send. */
  BANNED: "BANNED",
  /** @since 0.2 Muted: can read, cannot send. */
  MUTED: "MUTED",
  /** @since 0.2 The channel is frozen: only operators send. */
  FROZEN: "FROZEN",
  /** @since 0.2 Only the author (or an operator/admin for deletes) may change this message. */
  NOT_AUTHOR: "NOT_AUTHOR",
  MESSAGE_NOT_FOUND: "MESSAGE_NOT_FOUND",
  /** @since 0.2 Uploads: over the size limit, a type not allowed, or content that is not what it claims. */
  FILE_TOO_LARGE: "FILE_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  CONTENT_MISMATCH: "CONTENT_MISMATCH",
  INTERNAL: "INTERNAL",
  /**
   * @since 0.3 On the user connection: a frame for a channel this socket has not subscribed to
   * (SUBSCRIBE first), or a channel-scoped frame without `channel_url`.
   */
  NOT_SUBSCRIBED: "NOT_SUBSCRIBED",
  /** @since 0.3 SUBSCRIBE past `limits.max_subscriptions_per_socket`: unsubscribe from another first. */
  TOO_MANY_SUBSCRIPTIONS: "TOO_MANY_SUBSCRIPTIONS",
  /** @since 0.4 `GET /api/v1/events`: `after` is older than the feed's retention (410; see `oldest_position`). */
  EVENTS_EXPIRED: "EVENTS_EXPIRED",
  /** @since 0.4 A pre-store message hook rejected the message: nothing was stored (422 over REST). */
  MESSAGE_REJECTED: "MESSAGE_REJECTED",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
