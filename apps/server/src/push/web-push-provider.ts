import webpush from "web-push";
import type { PushProvider } from "./push-provider.ts";
import { bodyText, failure } from "./push-provider.ts";

export interface WebPushOptions {
  vapidPublicKey: string;
  vapidPrivateKey: string;
  subject: string;
  fetch?: typeof fetch;
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291). The
 * `web-push` library builds the encrypted request; it is sent with fetch, so the abort signal and
 * timeout apply. 404/410 from the push service: the subscription is gone.
 */
export function createWebPushProvider(o: WebPushOptions): PushProvider {
  const send = o.fetch ?? fetch;
  return {
    kind: "web_push",
    async send(device, n, signal) {
      try {
        const details = webpush.generateRequestDetails(
          { endpoint: device.address, keys: { p256dh: device.p256dh ?? "", auth: device.auth ?? "" } },
          JSON.stringify(n.payload),
          {
            vapidDetails: { subject: o.subject, publicKey: o.vapidPublicKey, privateKey: o.vapidPrivateKey },
            TTL: n.ttlS,
            topic: n.collapseKey,
            urgency: "normal",
            contentEncoding: "aes128gcm",
          },
        );
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(details.headers)) headers[k] = String(v);
        const res = await send(details.endpoint, {
          method: "POST",
          headers,
          body: new Uint8Array(details.body as Buffer),
          redirect: "manual",
          signal,
        });
        if (res.status >= 200 && res.status < 300) {
          await res.body?.cancel();
          return { ok: true, status: res.status };
        }
        const text = await bodyText(res);
        return {
          ok: false,
          gone: res.status === 404 || res.status === 410,
          status: res.status,
          error: `HTTP ${res.status}${text ? `: ${text}` : ""}`,
        };
      } catch (err) {
        return failure(err, signal);
      }
    },
  };
}

/** A fresh VAPID key pair (base64url). */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}
