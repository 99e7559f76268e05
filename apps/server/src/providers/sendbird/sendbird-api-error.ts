/**
 * Sendbird Platform API v3 error codes the client gives meaning to
 * (https://sendbird.com/docs/chat/v3/platform-api/error-codes).
 */
export const SendbirdErrorCode = {
  UNAUTHORIZED_REQUEST: 400108,
  INVALID_VALUE: 400111,
  RESOURCE_NOT_FOUND: 400201,
  RESOURCE_ALREADY_EXISTS: 400202,
  INVALID_API_TOKEN: 400401,
  /** "BannedUser.EnterChannelNotAllowed": inviting (or a banned user joining) is refused. */
  BANNED_USER: 400750,
  INTERNAL_SERVER_ERROR: 500901,
  RATE_LIMIT_EXCEEDED: 500910,
} as const;

/** Why the call failed: Sendbird answered with an error, or no usable answer came back. */
export type SendbirdFailureKind = "api" | "timeout" | "network" | "invalid_response";

/**
 * A failed Sendbird Platform API call. `code` is Sendbird's numeric code (0 when Sendbird did not
 * answer); `retryable` says whether the same call may succeed later (429, 5xx, timeouts, network).
 */
export class SendbirdApiError extends Error {
  readonly kind: SendbirdFailureKind;
  /** HTTP status; 0 when there was no response. */
  readonly status: number;
  readonly code: number;
  readonly retryable: boolean;
  /**
   * Sendbird refused for rate limiting: HTTP 429, or its code 500910 whatever the status (the
   * docs give the code; a proxy or an older endpoint may not send 429 with it). Never processed,
   * so always safe to repeat.
   */
  readonly rateLimited: boolean;
  /** How long Sendbird asked to wait (rate limiting), when it said. */
  readonly retryAfterMs: number | undefined;
  readonly method: string;
  readonly path: string;
  /** Attempts made before giving up (1 when the first failure was final). */
  readonly attempts: number;

  constructor(options: {
    kind: SendbirdFailureKind;
    status: number;
    code: number;
    message: string;
    method: string;
    path: string;
    attempts?: number;
    retryable?: boolean;
    retryAfterMs?: number | undefined;
    cause?: unknown;
  }) {
    super(options.message, { cause: options.cause });
    this.name = "SendbirdApiError";
    this.kind = options.kind;
    this.status = options.status;
    this.code = options.code;
    this.method = options.method;
    this.path = options.path;
    this.attempts = options.attempts ?? 1;
    this.retryAfterMs = options.retryAfterMs;
    this.rateLimited =
      options.kind === "api" &&
      (options.status === 429 || options.code === SendbirdErrorCode.RATE_LIMIT_EXCEEDED);
    this.retryable = options.retryable ?? (this.rateLimited || isRetryableStatus(options.status));
  }
}

/** 429 and 5xx may succeed later; other 4xx (validation, not found, bad token) will not. */
function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

export function isSendbirdApiError(error: unknown, code?: number): error is SendbirdApiError {
  return error instanceof SendbirdApiError && (code === undefined || error.code === code);
}
