/** How a channel waits between reconnect attempts. All delays in milliseconds. */
export interface ReconnectPolicy {
  /** Lower bound of the normal tier. */
  minDelayMs: number;
  /** Upper bound of the normal tier. */
  maxDelayMs: number;
  /** Growth of the upper bound per failed attempt. */
  factor: number;
  /** Lower bound of the slow tier, used after the server rate-limited the connection (close 4429). */
  slowMinDelayMs: number;
  /** Upper bound of the slow tier. */
  slowMaxDelayMs: number;
  /**
   * @since 0.3 After the server closed a connected socket with 1001 (draining for a restart or
   * deploy) the first attempt waits a uniform random delay in `[0, drainMaxDelayMs]` instead of the
   * backoff; if it fails, the normal backoff goes on (as after a first failed attempt).
   */
  drainMaxDelayMs: number;
}

/** The defaults: 500 ms .. 20 s, doubling; slow tier 5 s .. 60 s; 0 .. 1 s after a drain. */
export const defaultReconnectPolicy: Readonly<ReconnectPolicy> = Object.freeze({
  minDelayMs: 500,
  maxDelayMs: 20_000,
  factor: 2,
  slowMinDelayMs: 5_000,
  slowMaxDelayMs: 60_000,
  drainMaxDelayMs: 1_000,
});

/**
 * Full-jitter exponential backoff: a random delay in `[min, min + min(max, min·factor^attempt)]`,
 * clamped to `max`. Randomness spreads a herd of clients that lost the same server.
 * @param attempt 0 for the first retry after a failure.
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  factor: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * factor ** Math.min(attempt, 60));
  return Math.min(maxMs, Math.round(minMs + random() * ceiling));
}

/** The delay before the next attempt, on the normal or the slow tier. */
export function reconnectDelay(
  policy: ReconnectPolicy,
  attempt: number,
  slow: boolean,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  if (!slow) return backoffDelay(attempt, policy.minDelayMs, policy.maxDelayMs, policy.factor, random);
  const jittered = backoffDelay(attempt, policy.slowMinDelayMs, policy.slowMaxDelayMs, policy.factor, random);
  return Math.max(retryAfterMs, jittered);
}
