// `@podchat/client-sdk/push` against the real server: one call subscribes (with the server's
// VAPID key) and registers; a second reuses the subscription; unregister removes it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  registerWebPush,
  unregisterWebPush,
  vapidKeyBytes,
  type PushSubscriptionLike,
} from "../../src/push/index.ts";
import { API_KEY, mintToken, type RunningServer, startServer } from "./harness.ts";

let srv: RunningServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => {
  await srv?.server.close();
});

/** A service worker registration whose push manager acts as a browser's would. */
function fakeRegistration() {
  let current: PushSubscriptionLike | null = null;
  const keys: Uint8Array[] = [];
  let unsubscribed = 0;
  return {
    keys,
    get unsubscribed() {
      return unsubscribed;
    },
    pushManager: {
      getSubscription: async () => current,
      subscribe: async (o: { userVisibleOnly: boolean; applicationServerKey: Uint8Array }) => {
        expect(o.userVisibleOnly).toBe(true);
        keys.push(o.applicationServerKey);
        const endpoint = `https://push.example.test/sub/${keys.length}`;
        current = {
          endpoint,
          toJSON: () => ({
            endpoint,
            expirationTime: null,
            keys: { p256dh: "BPk-key", auth: "auth-secret" },
          }),
          unsubscribe: async () => {
            unsubscribed++;
            current = null;
            return true;
          },
        };
        return current;
      },
    },
  };
}

const devices = async (userId: string) =>
  (
    (await (
      await fetch(`${srv.url}/api/v1/chat/users/${userId}/push/devices`, {
        headers: { "x-api-key": API_KEY },
      })
    ).json()) as { devices: Array<{ kind: string; address: string }> }
  ).devices;

describe("registerWebPush", () => {
  it("subscribes with the server's VAPID key and registers the subscription in one call", async () => {
    const sw = fakeRegistration();
    const sub = await registerWebPush({
      url: srv.url,
      userId: 21,
      getToken: async () => mintToken("21"),
      serviceWorkerRegistration: sw,
    });
    const { vapid_public_key } = (await (await fetch(`${srv.url}/api/v1/chat/push/web-push`)).json()) as {
      vapid_public_key: string;
    };
    expect(sw.keys).toEqual([vapidKeyBytes(vapid_public_key)]);
    expect(sw.keys[0]).toHaveLength(65);
    expect(await devices("21")).toEqual([
      expect.objectContaining({ kind: "web_push", address: "https://push.example.test" }),
    ]);
    // Again (next sign-in): the same subscription, refreshed, not a second one.
    const again = await registerWebPush({
      url: srv.url,
      userId: 21,
      token: mintToken("21"),
      serviceWorkerRegistration: sw,
    });
    expect(again.endpoint).toBe(sub.endpoint);
    expect(sw.keys).toHaveLength(1);
    expect(await devices("21")).toHaveLength(1);
    await unregisterWebPush({
      url: srv.url,
      userId: 21,
      token: mintToken("21"),
      serviceWorkerRegistration: sw,
    });
    expect(sw.unsubscribed).toBe(1);
    expect(await devices("21")).toEqual([]);
  });

  it("rejects with the server's refusal (another user's id)", async () => {
    await expect(
      registerWebPush({
        url: srv.url,
        userId: 22,
        token: mintToken("23"),
        serviceWorkerRegistration: fakeRegistration(),
      }),
    ).rejects.toThrow(/HTTP 403/);
  });
});
