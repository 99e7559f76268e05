"use client";
import { createWebhooksStore } from "@/stores/webhooks-store";
import { createStoreContext } from "./create-store-context";

const webhooks = createStoreContext("Webhooks", createWebhooksStore);

export const WebhooksStoreProvider = webhooks.Provider;
export const useWebhooksStore = webhooks.useBoundStore;
export const useWebhooksStoreApi = webhooks.useStoreApi;
