/**
 * `@podchat/client-sdk/push`: Web Push registration in one call, apart from the core (which it
 * does not import, so the core's size is unchanged). @since 0.5
 *
 * ```ts
 * const sw = await navigator.serviceWorker.register("/podchat-sw.js");
 * await registerWebPush({ url: "https://chat.example.com", userId: "42", getToken, serviceWorkerRegistration: sw });
 * ```
 */

/** The subset of `ServiceWorkerRegistration` used (injectable in tests). */
export interface PushServiceWorkerRegistration {
  pushManager: {
    getSubscription(): Promise<PushSubscriptionLike | null>;
    subscribe(options: {
      userVisibleOnly: boolean;
      applicationServerKey: Uint8Array;
    }): Promise<PushSubscriptionLike>;
  };
}

export interface PushSubscriptionLike {
  endpoint: string;
  toJSON(): unknown;
  unsubscribe(): Promise<boolean>;
}

export interface WebPushOptions {
  /** The podchat server's base URL (`https://chat.example.com`). */
  url: string;
  /** The signed-in user: the subscription is registered for them. */
  userId: string | number;
  /** The user's JWT, or a getter asked for it (one of the two). */
  token?: string;
  getToken?: () => Promise<string> | string;
  serviceWorkerRegistration: PushServiceWorkerRegistration;
  /** The VAPID public key (base64url); default: asked from `GET /api/v1/chat/push/web-push`. */
  vapidPublicKey?: string;
  fetch?: typeof fetch;
}

/** The base64url key as the bytes `applicationServerKey` wants. */
export function vapidKeyBytes(key: string): Uint8Array {
  const b64 = key.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function call(o: WebPushOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  const f = o.fetch ?? fetch;
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = o.token ?? (await o.getToken?.());
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await f(o.url.replace(/\/$/, "") + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json().catch(() => null)) as { message?: string } | null;
  if (!res.ok)
    throw new Error(`podchat push: ${method} ${path}: HTTP ${res.status} ${json?.message ?? ""}`.trim());
  return json;
}

const devicesPath = (o: WebPushOptions) =>
  `/api/v1/chat/users/${encodeURIComponent(String(o.userId))}/push/devices`;

/**
 * Subscribes the service worker to Web Push (reusing its subscription when it has one; asks the
 * user's permission when needed) and registers the subscription with podchat for `userId`.
 * Resolves with the subscription. Call it again at each sign-in: it refreshes the registration.
 */
export async function registerWebPush(o: WebPushOptions): Promise<PushSubscriptionLike> {
  const pm = o.serviceWorkerRegistration.pushManager;
  let sub = await pm.getSubscription();
  if (!sub) {
    const key =
      o.vapidPublicKey ??
      ((await call(o, "GET", "/api/v1/chat/push/web-push")) as { vapid_public_key: string | null })
        .vapid_public_key;
    if (!key) throw new Error("podchat push: the server has no VAPID key (Web Push is off)");
    sub = await pm.subscribe({ userVisibleOnly: true, applicationServerKey: vapidKeyBytes(key) });
  }
  await call(o, "POST", devicesPath(o), { kind: "web_push", subscription: sub.toJSON() });
  return sub;
}

/** Removes the registration (sign-out) and unsubscribes the browser. */
export async function unregisterWebPush(o: WebPushOptions): Promise<void> {
  const sub = await o.serviceWorkerRegistration.pushManager.getSubscription();
  if (!sub) return;
  await call(o, "DELETE", devicesPath(o), { endpoint: sub.endpoint });
  await sub.unsubscribe();
}
