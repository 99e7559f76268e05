import { type WebhookEventType, webhookEventMatches } from "@podchat/protocol";
import type { Config, WebhookEndpointConfig } from "../config/index.ts";

/** An endpoint as the dispatcher uses it. */
export interface WebhookEndpoint extends WebhookEndpointConfig {
  /** The endpoint takes this server's environment (`environments` absent or listing it). */
  active: boolean;
}

export function endpointsFromConfig(config: Config): WebhookEndpoint[] {
  return config.webhooks.endpoints.map((e) => ({
    ...e,
    active: !e.environments || e.environments.includes(config.env),
  }));
}

/** The active endpoints that want `type`, computed once per type (the recorder's hot check). */
export function subscribers(endpoints: WebhookEndpoint[]): (type: WebhookEventType) => WebhookEndpoint[] {
  const cache = new Map<WebhookEventType, WebhookEndpoint[]>();
  return (type) => {
    let list = cache.get(type);
    if (!list) {
      list = endpoints.filter((e) => e.active && webhookEventMatches(e.events, type));
      cache.set(type, list);
    }
    return list;
  };
}

/** `abcd…wxyz`: tells secrets apart without showing one. */
export function maskSecret(secret: string): string {
  return secret.length < 12 ? "…" : `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}

/** The URL without credentials in it (user:password@), for the admin. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = "***";
      u.password = "";
    }
    return u.toString();
  } catch {
    return url;
  }
}
