import type { WebhookDeliveryState, WebhookEventType } from "@podchat/protocol";

/** An outbox row as the dispatcher and the admin see it. Times are epoch ms / ISO-8601 as named. */
export interface OutboxRow {
  id: number;
  endpoint_id: string;
  event_id: string;
  channel_url: string;
  type: WebhookEventType;
  payload: string;
  state: WebhookDeliveryState;
  attempts: number;
  /** Epoch ms of the next attempt (pending rows). */
  next_attempt_at: number;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
  last_status: number | null;
  last_error: string | null;
}

export interface OutboxOutcome {
  /** delivered, dead (given up), or pending again at `next_attempt_at`. */
  state: WebhookDeliveryState;
  next_attempt_at?: number;
  status: number | null;
  error: string | null;
}

export interface OutboxListOptions {
  endpointId?: string;
  state?: WebhookDeliveryState;
  /** Rows with id < before (newest first paging). */
  before?: number;
  limit: number;
}

/**
 * The webhooks' durable outbox (rows written by the store's changes, see change-recorder.ts).
 * Claims are leases: a claimed row is not claimed again until its lease ends, so several
 * instances on one PostgreSQL send each row once (while the claimer lives); rows whose claimer
 * died are claimed again when the lease ends. @since 0.4
 */
export interface WebhookOutbox {
  /**
   * Up to `limit` due rows of the endpoint, each the oldest pending row of its channel for that
   * endpoint (per-channel order: a channel's next row waits until the one before is delivered or
   * dead), leased to `owner` until `leaseUntil`, attempts counted up.
   */
  claim(
    endpointId: string,
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<OutboxRow[]>;
  /**
   * A dispatcher's tick in one transaction: records `finished` outcomes (as `settle`), then claims
   * for each endpoint (as `claim`). Rows claimed per endpoint id.
   */
  step(
    owner: string,
    finished: Array<{ id: number; outcome: OutboxOutcome }>,
    claims: Array<{ endpointId: string; limit: number }>,
    now: number,
    leaseUntil: number,
  ): Promise<Map<string, OutboxRow[]>>;
  /** Records an attempt's outcome; false when the lease was no longer the owner's. */
  settle(id: number, owner: string, outcome: OutboxOutcome): Promise<boolean>;
  /** Several outcomes in one transaction; how many were still the owner's. */
  settleMany(owner: string, outcomes: Array<{ id: number; outcome: OutboxOutcome }>): Promise<number>;
  /** Ends every lease (SQLite at start-up: one instance, so any lease is a dead process's). */
  releaseAllLeases(): Promise<void>;
  list(options: OutboxListOptions): Promise<OutboxRow[]>;
  get(id: number): Promise<OutboxRow | null>;
  /** Pending and dead rows per endpoint. */
  counts(): Promise<Array<{ endpoint_id: string; state: WebhookDeliveryState; n: number }>>;
  /** Puts dead rows back in the queue (attempts from 0, due now); how many. */
  redeliver(filter: { id: number } | { endpointId: string }, now: number): Promise<number>;
  /** Deletes delivered rows delivered before `before` (ISO-8601); how many. */
  prune(before: string): Promise<number>;
}
