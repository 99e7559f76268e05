/** Backoff of the Sendbird client: full-jitter exponential, as AWS' "Exponential Backoff And Jitter". */
export interface BackoffOptions {
  /** Cap of the first retry's delay; doubles per retry. */
  baseMs: number;
  /** Upper bound of any jittered delay. */
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 250, maxMs: 8_000 };

/** Delay before retry number `retry` (0-based): uniformly random in [0, min(max, base·2^retry)). */
export function fullJitterDelay(retry: number, options: BackoffOptions, random: () => number = Math.random) {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * How long the server asked us to wait, in ms, from (in order) Sendbird's `X-RateLimit-RetryAfter`
 * (seconds, may be fractional), the standard `Retry-After` (seconds or an HTTP date), or
 * `X-RateLimit-Reset` (seconds until the window resets, or an epoch in seconds).
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const sendbird = seconds(headers.get("x-ratelimit-retryafter"));
  if (sendbird !== undefined) return sendbird;

  const standard = headers.get("retry-after");
  if (standard !== null) {
    const s = seconds(standard);
    if (s !== undefined) return s;
    const date = Date.parse(standard);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }

  const reset = headers.get("x-ratelimit-reset");
  const r = seconds(reset);
  if (r !== undefined) {
    // Values this large are epoch seconds rather than a relative wait.
    return r > 1e12 ? Math.max(0, r - now) : r;
  }
  return undefined;
}

function seconds(value: string | null): number | undefined {
  if (value === null || !/^\s*[0-9]+(\.[0-9]+)?\s*$/.test(value)) return undefined;
  return Math.ceil(Number(value) * 1000);
}
