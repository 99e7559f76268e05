import { FEED_ENDPOINT, type ChangeRecorder, type OutboxEntry } from "../store/message-store.ts";
import { type WebhookEndpoint, subscribers } from "./endpoints.ts";
import { toWebhookEvent } from "./events.ts";

/**
 * The store's change recorder for webhooks: one outbox row per event and endpoint that wants it,
 * plus, when the events feed is on (`feed`), one feed row for every event (the same event id and
 * body). The body is serialised once here, so every attempt sends (and signs) the same bytes.
 */
export function createWebhookRecorder(
  endpoints: WebhookEndpoint[],
  environment: string,
  onRecorded?: () => void,
  feed = false,
): ChangeRecorder {
  const wanted = subscribers(endpoints);
  return {
    wants: (type) => feed || wanted(type).length > 0,
    entries(change) {
      const targets = wanted(change.type);
      if (targets.length === 0 && !feed) return [];
      const event = toWebhookEvent(change, environment);
      const payload = JSON.stringify(event);
      const entry = (endpoint_id: string): OutboxEntry => ({
        endpoint_id,
        event_id: event.id,
        channel_url: event.channel_url,
        type: event.type,
        payload,
        created_at: event.created_at,
      });
      const rows = targets.map((e) => entry(e.id));
      if (feed) rows.push(entry(FEED_ENDPOINT));
      return rows;
    },
    ...(onRecorded ? { recorded: onRecorded } : {}),
  };
}
