import {
  type PushDevice,
  type PushDeviceRegistration,
  type PushSettings,
  wireUserId,
} from "@podchat/protocol";
import type { MessageStore } from "../store/message-store.ts";
import type { StoredPushDevice } from "../store/push-store.ts";

/** What the API shows of an address: the endpoint's origin, or a token's last 8 characters. */
function shownAddress(d: StoredPushDevice): string {
  if (d.kind === "web_push") {
    try {
      return new URL(d.address).origin;
    } catch {
      return "…";
    }
  }
  return `…${d.address.slice(-8)}`;
}

function toPushDevice(d: StoredPushDevice): PushDevice {
  return {
    id: d.id,
    user_id: wireUserId(d.user_id),
    kind: d.kind,
    address: shownAddress(d),
    created_at: d.created_at,
    updated_at: d.updated_at,
  };
}

/** Registrations and mutes as the REST API sees them (over the store's PushStore). */
export class PushDevices {
  constructor(private readonly store: MessageStore) {}

  async register(userId: string, r: PushDeviceRegistration): Promise<PushDevice> {
    const base = { user_id: userId, p256dh: null, auth: null, topic: null };
    const device =
      r.kind === "web_push"
        ? {
            ...base,
            kind: r.kind,
            address: r.subscription.endpoint,
            p256dh: r.subscription.keys.p256dh,
            auth: r.subscription.keys.auth,
          }
        : { ...base, kind: r.kind, address: r.token, topic: r.kind === "apns" ? (r.topic ?? null) : null };
    return toPushDevice(await this.store.push.registerDevice(device, new Date().toISOString()));
  }

  remove(userId: string, address: string): Promise<number> {
    return this.store.push.removeDevice(userId, address);
  }

  async list(userId: string): Promise<PushDevice[]> {
    return (await this.store.push.listDevices(userId)).map(toPushDevice);
  }

  async settings(userId: string): Promise<PushSettings> {
    const mutes = await this.store.push.listMutes(userId, new Date().toISOString());
    const all = mutes.find((m) => m.channel_url === null);
    return {
      user_id: wireUserId(userId),
      all: all ? { muted: true, until: all.until } : { muted: false, until: null },
      channels: mutes
        .filter((m) => m.channel_url !== null)
        .map((m) => ({ channel_url: m.channel_url!, muted: true, until: m.until })),
    };
  }

  async mute(userId: string, channelUrl: string | null, muted: boolean, until: string | null) {
    const at = until === null ? null : new Date(until).toISOString();
    await this.store.push.setMute(userId, channelUrl, muted, at);
  }
}
