import { randomUUID } from "node:crypto";
import { WEBHOOK_HEADERS } from "@podchat/protocol";
import type { Config } from "../config/index.ts";
import type { Logger } from "../observability/logger.ts";
import type { OutboxOutcome, OutboxRow, WebhookOutbox } from "../store/webhook-outbox.ts";
import type { WebhookEndpoint } from "./endpoints.ts";
import { signWebhook } from "./signature.ts";

/** Most bytes of an endpoint's answer that are read (kept as last_error on failure). */
const RESPONSE_BYTES = 1024;

export type WebhookSettings = Config["webhooks"];

export interface DispatcherDeps {
  outbox: WebhookOutbox;
  endpoints: WebhookEndpoint[];
  settings: WebhookSettings;
  logger: Logger;
  /** PostgreSQL: several instances may send; SQLite: this is the only one (stale leases are dropped at start). */
  sharedStore: boolean;
  /** Injected in tests. */
  fetch?: typeof fetch;
}

/** Wait before attempt `attempt + 1`: base · 2^(attempt-1), capped, with ±20 % jitter. */
export function backoffMs(attempt: number, s: Pick<WebhookSettings, "backoff_base_ms" | "backoff_max_ms">) {
  const raw = Math.min(s.backoff_max_ms, s.backoff_base_ms * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

/**
 * Sends the outbox: per endpoint, claims due rows (each the head of its channel's queue for that
 * endpoint) up to the free request slots, POSTs them signed, and records the outcome. Chat never
 * waits for it: changes only insert rows, and what is in memory here is bounded by the slots
 * (`concurrency`, `per_endpoint_concurrency`), whatever the backlog or the endpoints' speed.
 */
export class WebhookDispatcher {
  private readonly owner = `${process.pid}-${randomUUID()}`;
  private readonly inFlight = new Map<string, number>();
  private total = 0;
  private attempts = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private pruneTimer: NodeJS.Timeout | null = null;
  private ticking = false;
  private current: Promise<void> = Promise.resolve();
  private again = false;
  private stopped = true;
  private readonly requests = new Set<Promise<void>>();
  /** Outcomes of finished requests, recorded together at the next tick (one transaction). */
  private finished: Array<{ endpointId: string; id: number; outcome: OutboxOutcome }> = [];
  private readonly aborts = new Set<AbortController>();
  private readonly fetch: typeof fetch;

  constructor(private readonly d: DispatcherDeps) {
    this.fetch = d.fetch ?? fetch;
  }

  /** Lease of a claimed row: longer than one request may take, so no other instance sends it meanwhile. */
  private get leaseMs() {
    return this.d.settings.timeout_ms * 2 + 5000;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    if (!this.d.sharedStore) await this.d.outbox.releaseAllLeases();
    this.schedule(0);
    const prune = () => {
      const before = new Date(Date.now() - this.d.settings.retention_hours * 3600_000).toISOString();
      this.d.outbox.prune(before).catch((err) => this.d.logger.warn({ err }, "webhooks: prune failed"));
    };
    this.pruneTimer = setInterval(prune, 60_000);
    this.pruneTimer.unref();
    prune();
  }

  /** A change was committed or a request slot freed: look for due rows now. */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) this.again = true;
    else this.schedule(0);
  }

  /** Stops claiming, aborts requests in flight (their rows are retried: at least once). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.timer = null;
    // A tick under way finishes first, so what it claims is sent or aborted below, not left leased.
    await this.current;
    for (const a of this.aborts) a.abort(new Error("server shutting down"));
    await Promise.allSettled([...this.requests]);
    // The aborted attempts are recorded as failures (retried later, by any instance).
    await this.recordFinished();
  }

  stats() {
    return { in_flight: this.total, attempts: this.attempts };
  }

  /** Runs a tick in `ms`, unless one is already due sooner. */
  private schedule(ms: number) {
    if (this.stopped) return;
    const due = Date.now() + ms;
    if (this.timer) {
      if (this.timerDue <= due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.current = this.tick();
    }, ms);
    this.timer.unref?.();
  }

  private async tick() {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    let claimedAny = false;
    const finished = this.finished.splice(0);
    try {
      const { settings } = this.d;
      // Slots of the finished requests are free once their outcomes are recorded (below).
      this.release(finished);
      const claims: Array<{ endpointId: string; limit: number }> = [];
      let free = settings.concurrency - this.total;
      for (const e of this.d.endpoints) {
        if (!e.active || free <= 0) continue;
        const n = Math.min(settings.per_endpoint_concurrency - (this.inFlight.get(e.id) ?? 0), free);
        if (n <= 0) continue;
        claims.push({ endpointId: e.id, limit: n });
        free -= n;
      }
      if (claims.length === 0 && finished.length === 0) return;
      const now = Date.now();
      // One transaction: the outcomes, then the next claims (one commit per tick, not per request).
      const claimed = await this.d.outbox.step(
        this.owner,
        finished.map(({ id, outcome }) => ({ id, outcome })),
        claims,
        now,
        now + this.leaseMs,
      );
      for (const e of this.d.endpoints) {
        for (const row of claimed.get(e.id) ?? []) {
          claimedAny = true;
          this.send(e, row);
        }
      }
    } catch (err) {
      // Rows whose outcome could not be recorded stay leased: sent again when the lease ends.
      this.d.logger.warn({ err }, "webhooks: recording outcomes or claiming from the outbox failed");
    } finally {
      this.ticking = false;
      // Claimed something, or woken meanwhile: there may be more due now. Otherwise poll.
      if (this.again || claimedAny || this.finished.length > 0) {
        this.again = false;
        this.schedule(0);
      } else this.schedule(this.d.settings.poll_ms);
    }
  }

  private release(batch: Array<{ endpointId: string }>) {
    for (const { endpointId } of batch) {
      this.total--;
      this.inFlight.set(endpointId, (this.inFlight.get(endpointId) ?? 1) - 1);
    }
  }

  private send(e: WebhookEndpoint, row: OutboxRow) {
    this.total++;
    this.attempts++;
    this.inFlight.set(e.id, (this.inFlight.get(e.id) ?? 0) + 1);
    const p = this.deliver(e, row).then((outcome) => {
      this.finished.push({ endpointId: e.id, id: row.id, outcome });
      this.requests.delete(p);
      // Its slot frees once the outcome is recorded; the channel's next row may then be due.
      this.wake();
    });
    this.requests.add(p);
  }

  /** At stop: records the outcomes not recorded yet (aborted attempts count as failures). */
  private async recordFinished() {
    const batch = this.finished.splice(0);
    if (batch.length === 0) return;
    this.release(batch);
    await this.d.outbox
      .settleMany(
        this.owner,
        batch.map(({ id, outcome }) => ({ id, outcome })),
      )
      .catch((err: unknown) => this.d.logger.warn({ err }, "webhooks: recording outcomes failed"));
  }

  /** One attempt; never throws. */
  private async deliver(e: WebhookEndpoint, row: OutboxRow): Promise<OutboxOutcome> {
    const { settings } = this.d;
    const ts = Math.floor(Date.now() / 1000);
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = setTimeout(
      () => abort.abort(new Error(`timed out after ${settings.timeout_ms} ms`)),
      settings.timeout_ms,
    );
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await this.fetch(e.url, {
        method: "POST",
        redirect: "manual",
        signal: abort.signal,
        headers: {
          "content-type": "application/json",
          "user-agent": "podchat-webhooks/1",
          [WEBHOOK_HEADERS.id]: row.event_id,
          [WEBHOOK_HEADERS.timestamp]: String(ts),
          [WEBHOOK_HEADERS.signature]: signWebhook(e.secret, ts, row.payload),
          [WEBHOOK_HEADERS.event]: row.type,
          [WEBHOOK_HEADERS.attempt]: String(row.attempts),
        },
        body: row.payload,
      });
      status = res.status;
      const text = await readCapped(res, RESPONSE_BYTES);
      if (status >= 200 && status < 300) return { state: "delivered", status, error: null };
      error = `HTTP ${status}${text ? `: ${text}` : ""}`;
      // The endpoint says it is gone for good: no retries (docs/webhooks.md).
      if (status === 410) return { state: "dead", status, error };
    } catch (err) {
      const reason = abort.signal.aborted ? abort.signal.reason : err;
      error = reason instanceof Error ? reason.message : String(reason);
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      if (cause && !abort.signal.aborted) error = `${error} (${cause})`;
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
    }
    if (row.attempts >= settings.max_attempts) {
      this.d.logger.warn(
        { endpoint: e.id, event_id: row.event_id, attempts: row.attempts, status },
        "webhooks: giving up on an event (dead letter)",
      );
      return { state: "dead", status, error };
    }
    return {
      state: "pending",
      next_attempt_at: Date.now() + backoffMs(row.attempts, settings),
      status,
      error,
    };
  }
}

/** At most `max` bytes of the body as text; the rest is not read. */
async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      n += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, max).toString("utf8").trim();
}
