import type { WebhookDelivery, WebhookDeliveryState, WebhookEndpointView } from "@podchat/protocol";
import type { Config } from "../config/index.ts";
import type { Logger } from "../observability/logger.ts";
import type { MessageStore } from "../store/message-store.ts";
import type { OutboxRow } from "../store/webhook-outbox.ts";
import { WebhookDispatcher } from "./dispatcher.ts";
import { displayUrl, endpointsFromConfig, maskSecret, type WebhookEndpoint } from "./endpoints.ts";
import { createWebhookRecorder } from "./recorder.ts";

export interface WebhookServiceDeps {
  config: Config;
  store: MessageStore;
  logger: Logger;
  fetch?: typeof fetch;
  /** @since 0.4 Told after rows were committed (wakes the events feed's long-polls). */
  onRecorded?: () => void;
}

function toDelivery(r: OutboxRow): WebhookDelivery {
  return {
    id: String(r.id),
    endpoint_id: r.endpoint_id,
    event_id: r.event_id,
    type: r.type,
    channel_url: r.channel_url,
    state: r.state,
    attempts: r.attempts,
    created_at: r.created_at,
    updated_at: r.updated_at,
    next_attempt_at: r.state === "pending" ? new Date(r.next_attempt_at).toISOString() : null,
    delivered_at: r.delivered_at,
    last_status: r.last_status,
    last_error: r.last_error,
  };
}

/**
 * Webhooks of one instance: tells the store which changes to record in its outbox (none while no
 * endpoint is active here), runs the dispatcher, and answers the admin.
 */
export class WebhookService {
  readonly endpoints: WebhookEndpoint[];
  readonly dispatcher: WebhookDispatcher;

  constructor(private readonly d: WebhookServiceDeps) {
    this.endpoints = endpointsFromConfig(d.config);
    this.dispatcher = new WebhookDispatcher({
      outbox: d.store.webhookOutbox,
      endpoints: this.endpoints,
      settings: d.config.webhooks,
      logger: d.logger,
      sharedStore: d.store.driver === "postgres",
      ...(d.fetch ? { fetch: d.fetch } : {}),
    });
    const active = this.endpoints.some((e) => e.active);
    const feed = d.config.events.feed.enabled;
    d.store.recordChanges(
      active || feed
        ? createWebhookRecorder(
            this.endpoints,
            d.config.env,
            () => {
              if (active) this.dispatcher.wake();
              d.onRecorded?.();
            },
            feed,
          )
        : null,
    );
  }

  async start() {
    if (this.d.config.webhooks.dispatch && this.endpoints.some((e) => e.active))
      await this.dispatcher.start();
  }

  async stop() {
    this.d.store.recordChanges(null);
    await this.dispatcher.stop();
  }

  async listEndpoints(): Promise<WebhookEndpointView[]> {
    const counts = await this.d.store.webhookOutbox.counts();
    const count = (id: string, state: WebhookDeliveryState) =>
      counts.find((c) => c.endpoint_id === id && c.state === state)?.n ?? 0;
    return this.endpoints.map((e) => ({
      id: e.id,
      url: displayUrl(e.url),
      secret: maskSecret(e.secret),
      events: e.events,
      environments: e.environments ?? null,
      active: e.active,
      pending: count(e.id, "pending"),
      dead: count(e.id, "dead"),
    }));
  }

  hasEndpoint(id: string): boolean {
    return this.endpoints.some((e) => e.id === id);
  }

  /** Newest first; `cursor` is the last page's last id. */
  async deliveries(q: { endpointId?: string; state?: WebhookDeliveryState; limit: number; cursor?: number }) {
    const rows = await this.d.store.webhookOutbox.list({
      limit: q.limit + 1,
      ...(q.endpointId ? { endpointId: q.endpointId } : {}),
      ...(q.state ? { state: q.state } : {}),
      ...(q.cursor !== undefined ? { before: q.cursor } : {}),
    });
    const page = rows.slice(0, q.limit);
    const more = rows.length > q.limit;
    return { deliveries: page.map(toDelivery), next_cursor: more ? String(page.at(-1)!.id) : null };
  }

  async delivery(id: number): Promise<WebhookDelivery | null> {
    const r = await this.d.store.webhookOutbox.get(id);
    return r ? toDelivery(r) : null;
  }

  /** Queues dead letters again (the same event id and body); how many. */
  async redeliver(filter: { id: number } | { endpointId: string }): Promise<number> {
    const n = await this.d.store.webhookOutbox.redeliver(filter, Date.now());
    if (n > 0) this.dispatcher.wake();
    return n;
  }
}
