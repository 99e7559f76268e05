import type { EventsPage, FeedEvent } from "@podchat/protocol";
import { PodchatApiError } from "./errors.ts";

export interface ListEventsInput {
  /** Events with a position greater than this (0 = from the start of what is kept). */
  after: number;
  /** 1..1000, default 100. */
  limit?: number;
  /** Long-poll: wait up to this many ms for an event when there is none (the server bounds it). */
  waitMs?: number;
}

export interface ConsumeOptions {
  /** The last position you processed (stored by you; 0 the first time). Events after it come. */
  from: number;
  /**
   * Called once per event, in position order; the next one waits until it resolves. Store
   * `event.position` once you have handled the event: pass it as `from` after a restart. A throw
   * stops the consumer (the event comes again from a consumer started at the same `from`).
   */
  onEvent: (event: FeedEvent) => void | Promise<void>;
  /** Stops the consumer: `consume` then resolves with the last position handled. */
  signal?: AbortSignal;
  /** Page size (default 100). */
  limit?: number;
  /** Long-poll time per request (default 25 000 ms), so an idle consumer does not spin. */
  waitMs?: number;
  /** First retry delay after a retryable failure (default 250 ms), doubled up to `maxBackoffMs`. */
  backoffMs?: number;
  /** Longest retry delay (default 30 000 ms). */
  maxBackoffMs?: number;
  /** Told of each retryable failure (network error, 5xx, 429) before the consumer waits `delayMs`. */
  onRetry?: (error: PodchatApiError, delayMs: number) => void;
}

type List = (q: ListEventsInput, signal?: AbortSignal, timeoutMs?: number) => Promise<EventsPage>;

export interface EventsApi {
  /** One page of `GET /api/v1/events`. */
  list(input: ListEventsInput): Promise<EventsPage>;
  /**
   * Reads the feed in order from `from`, forever (until `signal` aborts), retrying with backoff
   * through outages; persists nothing itself. Rejects with a {@link PodchatEventsExpiredError}
   * when `from` is older than the server's retention (events were lost to this consumer), with a
   * non-retryable {@link PodchatApiError} (e.g. 401, 501 when the feed is off), or with what
   * `onEvent` threw. Resolves with the last position handled when aborted.
   */
  consume(options: ConsumeOptions): Promise<number>;
}

export function eventsApi(list: List): EventsApi {
  return {
    list: (input) => list(input),
    async consume(o) {
      if (!Number.isInteger(o.from) || o.from < 0)
        throw new TypeError("consume: from must be a position ≥ 0");
      const waitMs = o.waitMs ?? 25_000;
      const base = o.backoffMs ?? 250;
      const max = o.maxBackoffMs ?? 30_000;
      let after = o.from;
      let delay = base;
      while (!o.signal?.aborted) {
        let page: EventsPage;
        try {
          page = await list({ after, limit: o.limit ?? 100, waitMs }, o.signal, waitMs + 10_000);
        } catch (e) {
          if (o.signal?.aborted) break;
          if (!(e instanceof PodchatApiError) || !e.retryable) throw e;
          const wait = Math.min(max, Math.max(delay, e.retryAfterMs ?? 0));
          o.onRetry?.(e, wait);
          await sleep(wait * (0.8 + Math.random() * 0.4), o.signal);
          delay = Math.min(max, delay * 2);
          continue;
        }
        delay = base;
        for (const event of page.events) {
          // A position at or below `after` cannot come from the server; skip it rather than twice.
          if (event.position <= after) continue;
          await o.onEvent(event);
          after = event.position;
        }
      }
      return after;
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
