import { SendbirdErrorCode } from "./sendbird-error.ts";

/** One injected fault, consumed by exactly one request to `/v3`. */
export type Fault =
  | { kind: "fail"; status: number; code: number; retryAfterMs: number | undefined }
  | { kind: "delay"; ms: number };

export interface FailOptions {
  /** Sent as `Retry-After` (whole seconds, rounded up) and `X-RateLimit-Reset` on the failure. */
  retryAfterMs?: number;
}

/**
 * Fault injection: the next requests fail or are delayed, in the order the faults were queued.
 * Requests beyond the queue are served normally.
 */
export interface Faults {
  /** Fails the next `n` requests with `status`; `code` defaults to 500910 for 429, else 500901. */
  failNext(n: number, status: number, code?: number, options?: FailOptions): void;
  /** Holds the next `n` requests for `ms` before serving them (to exercise client timeouts). */
  delayNext(n: number, ms: number): void;
  /** Drops queued faults and releases requests being held. */
  reset(): void;
  /** Faults not consumed yet. */
  readonly pending: number;
}

export interface FaultQueue extends Faults {
  take(): Fault | undefined;
  /** Resolves after `ms`, or early when the queue is reset (so `close()` never waits on a delay). */
  hold(ms: number): Promise<void>;
}

export function createFaultQueue(): FaultQueue {
  const queue: Fault[] = [];
  let released = new AbortController();

  return {
    failNext(n, status, code, options = {}) {
      if (!Number.isInteger(n) || n < 0) throw new RangeError("n must be a non-negative integer");
      if (!Number.isInteger(status) || status < 400 || status > 599)
        throw new RangeError("status must be 4xx/5xx");
      const resolved =
        code ??
        (status === 429 ? SendbirdErrorCode.RATE_LIMIT_EXCEEDED : SendbirdErrorCode.INTERNAL_SERVER_ERROR);
      for (let i = 0; i < n; i++) {
        queue.push({ kind: "fail", status, code: resolved, retryAfterMs: options.retryAfterMs });
      }
    },
    delayNext(n, ms) {
      if (!Number.isInteger(n) || n < 0) throw new RangeError("n must be a non-negative integer");
      if (!(ms >= 0)) throw new RangeError("ms must be >= 0");
      for (let i = 0; i < n; i++) queue.push({ kind: "delay", ms });
    },
    reset() {
      queue.length = 0;
      released.abort();
      released = new AbortController();
    },
    get pending() {
      return queue.length;
    },
    take() {
      return queue.shift();
    },
    hold(ms) {
      const signal = released.signal;
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        }
        signal.addEventListener("abort", done, { once: true });
      });
    },
  };
}
