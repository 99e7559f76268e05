/**
 * Failed admin sign-ins per key (an IP, a username) in a sliding window. Per instance: behind a
 * load balancer with N instances a guesser gets at most N × `max` tries per window per key.
 */
export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until every key may try again; 0 when none is blocked. */
  retryAfterS(keys: string[]): number {
    const t = this.now();
    let wait = 0;
    for (const k of keys) {
      const recent = this.#recent(k, t);
      if (recent.length >= this.max)
        wait = Math.max(wait, recent[recent.length - this.max]! + this.windowMs - t);
    }
    return wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) : 0;
  }

  fail(keys: string[]): void {
    const t = this.now();
    for (const k of keys) {
      const recent = this.#recent(k, t);
      recent.push(t);
      // Only the newest `max` matter; bounded per key.
      this.#failures.set(k, recent.slice(-this.max));
    }
    if (this.#failures.size > 10_000) this.#sweep(t);
  }

  #recent(key: string, t: number): number[] {
    return (this.#failures.get(key) ?? []).filter((at) => at > t - this.windowMs);
  }

  #sweep(t: number) {
    for (const [k, times] of this.#failures)
      if (times.every((at) => at <= t - this.windowMs)) this.#failures.delete(k);
  }
}
