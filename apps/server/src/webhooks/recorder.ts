import type { ChangeRecorder } from "../store/message-store.ts";
import { type WebhookEndpoint, subscribers } from "./endpoints.ts";
import { toWebhookEvent } from "./events.ts";

/**
 * The store's change recorder for webhooks: one outbox row per event and endpoint that wants it.
 * The body is serialised once here, so every attempt sends (and signs) the same bytes.
 */
export function createWebhookRecorder(
  endpoints: WebhookEndpoint[],
  environment: string,
  onRecorded?: () => void,
): ChangeRecorder {
  const wanted = subscribers(endpoints);
  return {
    wants: (type) => wanted(type).length > 0,
    entries(change) {
      const targets = wanted(change.type);
      if (targets.length === 0) return [];
      const event = toWebhookEvent(change, environment);
      const payload = JSON.stringify(event);
      return targets.map((e) => ({
        endpoint_id: e.id,
        event_id: event.id,
        channel_url: event.channel_url,
        type: event.type,
        payload,
        created_at: event.created_at,
      }));
    },
    ...(onRecorded ? { recorded: onRecorded } : {}),
  };
}
