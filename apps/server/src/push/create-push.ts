import type { Config } from "../config/index.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Presence } from "../presence/presence.ts";
import type { MessageStore } from "../store/message-store.ts";
import { createApnsProvider } from "./apns-provider.ts";
import { createFcmProvider } from "./fcm-provider.ts";
import type { PushProvider } from "./push-provider.ts";
import { PushService } from "./push-service.ts";
import { createWebPushProvider, generateVapidKeys } from "./web-push-provider.ts";

export interface PushSetup {
  service: PushService;
  /** What browsers subscribe with (`applicationServerKey`); null when Web Push is off. */
  vapidPublicKey: string | null;
}

/**
 * The push adapters the config has credentials for. Web Push without VAPID keys: dev makes a key
 * pair for this process (subscriptions die with it, so a warning says to set one); other
 * environments turn Web Push off. Keys are never logged.
 */
export function createPushFromConfig(d: {
  config: Config;
  store: MessageStore;
  presence: Presence;
  logger: Logger;
  metrics?: Metrics;
  fetch?: typeof fetch;
}): PushSetup {
  const { push } = d.config;
  const providers: PushProvider[] = [];
  let { vapid_public_key: publicKey, vapid_private_key: privateKey } = push.web_push;
  if ((!publicKey || !privateKey) && d.config.env === "dev") {
    ({ publicKey, privateKey } = generateVapidKeys());
    // Info, not warn: dev works out of the box and never warns (test/hardening/production-edges).
    d.logger.info(
      "push.web_push: no VAPID keys configured; generated a key pair for this process only " +
        "(browser subscriptions stop working at restart): set push.web_push.vapid_public_key/_private_key",
    );
  } else if (!publicKey || !privateKey) {
    d.logger.warn("push.web_push: no VAPID keys configured; Web Push is off");
  }
  if (publicKey && privateKey)
    providers.push(
      createWebPushProvider({
        vapidPublicKey: publicKey,
        vapidPrivateKey: privateKey,
        subject: push.web_push.subject,
        ...(d.fetch ? { fetch: d.fetch } : {}),
      }),
    );
  const fcm = push.fcm;
  if (fcm.project_id && fcm.client_email && fcm.private_key)
    providers.push(
      createFcmProvider({
        projectId: fcm.project_id,
        clientEmail: fcm.client_email,
        privateKey: fcm.private_key,
        tokenUri: fcm.token_uri,
        baseUrl: fcm.base_url,
        ...(d.fetch ? { fetch: d.fetch } : {}),
      }),
    );
  const apns = push.apns;
  if (apns.key_id && apns.team_id && apns.private_key)
    providers.push(
      createApnsProvider({
        keyId: apns.key_id,
        teamId: apns.team_id,
        privateKey: apns.private_key,
        baseUrl: apns.base_url,
        ...(apns.topic ? { topic: apns.topic } : {}),
      }),
    );
  const service = new PushService({
    settings: push,
    store: d.store,
    presence: d.presence,
    providers,
    logger: d.logger,
    ...(d.metrics ? { metrics: d.metrics } : {}),
  });
  return { service, vapidPublicKey: publicKey && privateKey ? publicKey : null };
}
