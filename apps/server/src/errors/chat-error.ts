import { ErrorCode } from "@podchat/protocol";

/**
 * The one error type ChatService and providers throw. `status` is the HTTP status the edge
 * answers with; `retryable` says whether the same call may succeed later (408/409/429/5xx).
 */
export class ChatError extends Error {
  readonly code: ErrorCode | string;
  readonly status: number;
  readonly retryable: boolean;
  readonly field: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** @since 0.4 Extra fields of the REST error body (e.g. EVENTS_EXPIRED's `oldest_position`). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode | string,
    message: string,
    options: {
      status?: number;
      retryable?: boolean;
      field?: string;
      retryAfterMs?: number;
      extra?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ChatError";
    this.code = code;
    this.status = options.status ?? defaultStatus(code);
    this.retryable = options.retryable ?? isRetryableStatus(this.status);
    this.field = options.field;
    this.retryAfterMs = options.retryAfterMs;
    this.extra = options.extra;
  }
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function defaultStatus(code: string): number {
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
    case ErrorCode.INVALID_FRAME:
    case ErrorCode.MALFORMED_FRAME:
      return 400;
    case ErrorCode.UNAUTHORIZED:
      return 401;
    case ErrorCode.FORBIDDEN:
    case ErrorCode.NOT_MEMBER:
    case ErrorCode.BANNED:
    case ErrorCode.MUTED:
    case ErrorCode.FROZEN:
    case ErrorCode.NOT_AUTHOR:
      return 403;
    case ErrorCode.CHANNEL_NOT_FOUND:
    case ErrorCode.NOT_FOUND:
    case ErrorCode.MESSAGE_NOT_FOUND:
      return 404;
    case ErrorCode.CHANNEL_EXISTS:
    case ErrorCode.WRONG_PROVIDER:
      return 409;
    case ErrorCode.FRAME_TOO_LARGE:
    case ErrorCode.FILE_TOO_LARGE:
      return 413;
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
    case ErrorCode.CONTENT_MISMATCH:
      return 415;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.EVENTS_EXPIRED:
      return 410;
    case ErrorCode.MESSAGE_REJECTED:
      return 422;
    case ErrorCode.UNSUPPORTED:
      return 501;
    case ErrorCode.STORE_UNAVAILABLE:
    case ErrorCode.DRAINING:
      return 503;
    case ErrorCode.PROVIDER_ERROR:
      return 502;
    default:
      return 500;
  }
}
