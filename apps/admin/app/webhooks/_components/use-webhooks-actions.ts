"use client";
import {
  WebhookDeliveriesResponse,
  WebhookDelivery,
  WebhookEndpointsResponse,
  WebhookRedeliverResponse,
} from "@podchat/protocol";
import { useCallback } from "react";
import { adminPath, callApi, seg } from "@/lib/client-api";
import { useWebhooksStoreApi } from "@/providers/webhooks-store-provider";
import { webhooksQuery } from "@/stores/webhooks-store";

/** Reloads endpoints, dead letters and recent deliveries (for the current endpoint filter). */
export function useReloadWebhooks(): () => Promise<void> {
  const store = useWebhooksStoreApi();
  return useCallback(async () => {
    const q = webhooksQuery(store.getState().endpointFilter);
    const [endpoints, dead, deliveries] = await Promise.all([
      callApi(adminPath("/webhooks/endpoints"), {}, WebhookEndpointsResponse),
      callApi(adminPath(`/webhooks/dead-letters?${q}`), {}, WebhookDeliveriesResponse),
      callApi(adminPath(`/webhooks/deliveries?${q}`), {}, WebhookDeliveriesResponse),
    ]);
    store.getState().setData({
      endpoints: endpoints.endpoints,
      deadLetters: dead.deliveries,
      deliveries: deliveries.deliveries,
    });
  }, [store]);
}

/** Redeliver one dead letter, or all of an endpoint's; then reload. */
export function useRedeliver() {
  const store = useWebhooksStoreApi();
  const reload = useReloadWebhooks();
  const one = useCallback(
    async (id: string) => {
      store.getState().setRedelivering(id, true);
      try {
        await callApi(
          adminPath(`/webhooks/dead-letters/${seg(id)}/redeliver`),
          { method: "POST" },
          WebhookDelivery,
        );
        await reload();
      } finally {
        store.getState().setRedelivering(id, false);
      }
    },
    [store, reload],
  );
  const all = useCallback(
    async (endpointId: string) => {
      const r = await callApi(
        adminPath(`/webhooks/endpoints/${seg(endpointId)}/redeliver`),
        { method: "POST" },
        WebhookRedeliverResponse,
      );
      await reload();
      return r.redelivered;
    },
    [reload],
  );
  return { one, all };
}
