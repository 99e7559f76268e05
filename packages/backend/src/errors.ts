/**
 * The one error the backend client throws: every non-2xx answer of the REST API (with the server's
 * `code`, `message` and, on validation failures, the offending `field`), and network failures and
 * time-outs (`status` 0). `retryable` says whether the same call may succeed later: the server's
 * word when it gives one, else 408/429/5xx and network failures.
 */
export class PodchatApiError extends Error {
  /** HTTP status; 0 when no answer came (network failure, time-out). */
  readonly status: number;
  /** The server's error code (`CHANNEL_NOT_FOUND`, `VALIDATION_FAILED`, …), or `NETWORK_ERROR` / `TIMEOUT`. */
  readonly code: string;
  /** The request field that failed validation, when the server names one. */
  readonly field: string | undefined;
  readonly retryable: boolean;
  /** From `Retry-After`, when the server sent one (429). */
  readonly retryAfterMs: number | undefined;
  /** `METHOD path` of the failed call. */
  readonly request: string;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    request: string;
    field?: string | undefined;
    retryable?: boolean | undefined;
    retryAfterMs?: number | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "PodchatApiError";
    this.status = init.status;
    this.code = init.code;
    this.field = init.field;
    this.request = init.request;
    this.retryAfterMs = init.retryAfterMs;
    this.retryable = init.retryable ?? isRetryableStatus(init.status);
  }
}

/**
 * `GET /api/v1/events` answered 410 `EVENTS_EXPIRED`: the position asked for is older than the
 * feed's retention, so events were lost to this consumer. Resynchronise (e.g. from the REST API),
 * then consume from `oldestPosition - 1`.
 */
export class PodchatEventsExpiredError extends PodchatApiError {
  /** The oldest position the server still holds. */
  readonly oldestPosition: number;

  constructor(init: ConstructorParameters<typeof PodchatApiError>[0] & { oldestPosition: number }) {
    super({ ...init, retryable: false });
    this.name = "PodchatEventsExpiredError";
    this.oldestPosition = init.oldestPosition;
  }
}

/** 408, 429, 5xx and no answer at all (0). */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}
