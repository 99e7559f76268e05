import type { WebhookDelivery, WebhookEndpointView } from "@podchat/protocol";
import { createStore } from "zustand/vanilla";

export interface WebhooksState {
  endpoints: WebhookEndpointView[];
  deadLetters: WebhookDelivery[];
  deliveries: WebhookDelivery[];
  /** Endpoint shown in the lists; "" = every endpoint. */
  endpointFilter: string;
  /** Delivery ids being redelivered (their buttons are disabled). */
  redelivering: string[];
}

export interface WebhooksActions {
  setData: (data: Pick<WebhooksState, "endpoints" | "deadLetters" | "deliveries">) => void;
  setEndpointFilter: (id: string) => void;
  setRedelivering: (id: string, busy: boolean) => void;
}

export type WebhooksStore = WebhooksState & WebhooksActions;

/** Query string of the dead-letter and delivery lists for an endpoint filter. */
export function webhooksQuery(endpointId: string, limit = 50): string {
  const q = new URLSearchParams();
  if (endpointId) q.set("endpoint_id", endpointId);
  q.set("limit", String(limit));
  return q.toString();
}

export const createWebhooksStore = (
  init: Pick<WebhooksState, "endpoints" | "deadLetters" | "deliveries"> & { endpointFilter?: string },
) =>
  createStore<WebhooksStore>()((set) => ({
    endpointFilter: "",
    redelivering: [],
    ...init,
    setData: (data) => set(data),
    setEndpointFilter: (endpointFilter) => set({ endpointFilter }),
    setRedelivering: (id, busy) =>
      set((s) => ({
        redelivering: busy ? [...new Set([...s.redelivering, id])] : s.redelivering.filter((x) => x !== id),
      })),
  }));
