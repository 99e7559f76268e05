import { ErrorCode, type EventsPage, type FeedEvent } from "@podchat/protocol";
import { ChatError } from "../errors/chat-error.ts";
import type { Logger } from "../observability/logger.ts";
import type { EventLog } from "../store/message-store.ts";

const HOUR_MS = 3600_000;

export interface EventFeedSettings {
  enabled: boolean;
  retention_hours: number;
  max_wait_ms: number;
}

/**
 * The events feed (docs/webhooks.md#the-events-feed): pages of the numbered event log, a
 * long-poll woken by local commits (and re-checked every second for other instances' commits),
 * and the hourly prune past the retention.
 */
export class EventFeed {
  #waiters = new Set<() => void>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(
    private readonly log: EventLog,
    private readonly settings: EventFeedSettings,
    private readonly logger: Logger,
  ) {}

  get enabled() {
    return this.settings.enabled;
  }

  /** Told after events were committed here: wakes the long-polls. */
  notify(): void {
    for (const w of this.#waiters) w();
    this.#waiters.clear();
  }

  /** Events after `after`, in order; waits up to `waitMs` (bounded) for one when there is none. */
  async page(after: number, limit: number, waitMs = 0, signal?: AbortSignal): Promise<EventsPage> {
    if (!this.settings.enabled)
      throw new ChatError(ErrorCode.UNSUPPORTED, "the events feed is off (events.feed.enabled)");
    const deadline = Date.now() + Math.min(waitMs, this.settings.max_wait_ms);
    for (;;) {
      const rows = await this.log.read(after, limit + 1);
      if (rows.length === 0 || rows[0]!.position !== after + 1) {
        // Nothing right after `after`: either it is new (wait) or pruned (the gap error).
        const { oldest, last } = await this.log.bounds();
        // Ahead of every committed position: a consumer of another database (a restore, a reset).
        if (after > last)
          throw new ChatError(
            ErrorCode.VALIDATION_FAILED,
            `after: ${after} is beyond the last position ${last}; was the database restored or reset?`,
            { status: 400, field: "after" },
          );
        if (after + 1 < oldest)
          throw new ChatError(
            ErrorCode.EVENTS_EXPIRED,
            `events after ${after} are past the retention (events.retention_hours); the oldest kept is ${oldest}: resynchronise, then read from ${oldest - 1}`,
            { extra: { oldest_position: oldest } },
          );
      }
      if (rows.length > 0 || Date.now() >= deadline || signal?.aborted || this.#stopped) {
        const page = rows.slice(0, limit);
        return {
          events: page.map((r) => ({ position: r.position, ...JSON.parse(r.payload) }) as FeedEvent),
          next_after: page.at(-1)?.position ?? after,
          has_more: rows.length > limit,
        };
      }
      await this.#wait(Math.min(1000, deadline - Date.now()), signal);
    }
  }

  #wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.#waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.#waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  async prune(now = Date.now()): Promise<number> {
    if (this.settings.retention_hours === 0) return 0;
    const before = new Date(now - this.settings.retention_hours * HOUR_MS).toISOString();
    const n = await this.log.prune(before);
    if (n > 0) this.logger.info({ deleted: n, before }, "events: pruned the feed past the retention");
    return n;
  }

  /** Prunes now and every hour (every instance does; deleting what is gone is free). */
  start(): void {
    if (this.#timer || !this.settings.enabled || this.settings.retention_hours === 0) return;
    const run = () =>
      this.prune().catch((err: unknown) =>
        this.logger.warn({ err }, "events: prune failed; retrying in an hour"),
      );
    void run();
    this.#timer = setInterval(run, HOUR_MS);
    this.#timer.unref();
  }

  /** Ends the prune timer and answers the long-polls now (drain). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#stopped = true;
    this.notify();
  }
}
