import * as z from "zod/mini";
import { ChannelUrl, Seq, Timestamp, WireUserId } from "./common.ts";

/**
 * Push notifications (docs/push.md): device registrations, mute settings, and the payload a
 * device receives when a message arrives while its user has no live socket.
 * @since 0.5
 */

export const PUSH_DEVICE_KINDS = ["web_push", "fcm", "apns"] as const;
export const PushDeviceKind = z.enum(PUSH_DEVICE_KINDS);
export type PushDeviceKind = z.infer<typeof PushDeviceKind>;

const Base64Url = z
  .string()
  .check(z.minLength(1), z.maxLength(200), z.regex(/^[A-Za-z0-9_-]+=*$/, "base64url"));
const DeviceToken = z.string().check(z.minLength(1), z.maxLength(4096), z.regex(/^\S+$/, "no whitespace"));

/** A browser's `PushSubscription.toJSON()` (W3C Push API). */
export const WebPushSubscription = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).check(z.maxLength(2048)),
  expirationTime: z.optional(z.nullable(z.number())),
  keys: z.object({ p256dh: Base64Url, auth: Base64Url }),
});
export type WebPushSubscription = z.infer<typeof WebPushSubscription>;

/** Body of `POST /api/v1/chat/users/{user_id}/push/devices`: one device, registered again = refreshed. */
export const PushDeviceRegistration = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("web_push"), subscription: WebPushSubscription }),
  /** An FCM registration token (Android, iOS through FCM, or web through FCM). */
  z.object({ kind: z.literal("fcm"), token: DeviceToken }),
  /** An APNs device token (hex); `topic` overrides push.apns.topic (the app's bundle id). */
  z.object({
    kind: z.literal("apns"),
    token: DeviceToken,
    topic: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  }),
]);
export type PushDeviceRegistration = z.infer<typeof PushDeviceRegistration>;

/** Body of `DELETE .../push/devices`: the subscription's endpoint, or the device token. */
export const PushDeviceRemoval = z.union([
  z.object({ endpoint: z.string().check(z.minLength(1), z.maxLength(2048)) }),
  z.object({ token: DeviceToken }),
]);
export type PushDeviceRemoval = z.infer<typeof PushDeviceRemoval>;

/** A registered device as the API shows it (keys and full tokens are never shown). */
export const PushDevice = z.object({
  id: z.string(),
  user_id: WireUserId,
  kind: PushDeviceKind,
  /** The Web Push endpoint's origin, or the token's last 8 characters. */
  address: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type PushDevice = z.infer<typeof PushDevice>;

export const PushDeviceResponse = z.object({ device: PushDevice });
export type PushDeviceResponse = z.infer<typeof PushDeviceResponse>;
export const PushDevicesResponse = z.object({ devices: z.array(PushDevice) });
export type PushDevicesResponse = z.infer<typeof PushDevicesResponse>;
export const PushDeviceRemovedResponse = z.object({ removed: z.int().check(z.gte(0)) });
export type PushDeviceRemovedResponse = z.infer<typeof PushDeviceRemovedResponse>;

/**
 * A mute: `muted` true with `until` null mutes until unmuted; with `until` (ISO time) it snoozes
 * until then. `muted` false removes the mute.
 */
export const PushMuteRequest = z.object({
  muted: z.boolean(),
  until: z.optional(z.nullable(z.iso.datetime({ offset: true }))),
});
export type PushMuteRequest = z.infer<typeof PushMuteRequest>;

export const PushMute = z.object({ muted: z.boolean(), until: z.nullable(Timestamp) });
export type PushMute = z.infer<typeof PushMute>;

/** `GET/PUT .../push/settings`: the user-wide mute and every channel mute in force. */
export const PushSettings = z.object({
  user_id: WireUserId,
  all: PushMute,
  channels: z.array(z.object({ channel_url: ChannelUrl, muted: z.boolean(), until: z.nullable(Timestamp) })),
});
export type PushSettings = z.infer<typeof PushSettings>;

/** `GET /api/v1/chat/push/web-push`: what a browser needs to subscribe. */
export const WebPushConfigResponse = z.object({
  /** The VAPID public key (base64url, uncompressed P-256 point): `applicationServerKey`. */
  vapid_public_key: z.nullable(z.string()),
});
export type WebPushConfigResponse = z.infer<typeof WebPushConfigResponse>;

/**
 * What every push carries (Web Push: the decrypted JSON body; FCM: `data.podchat`; APNs: the
 * `podchat` key beside `aps`). `count` > 1: several messages collapsed into this one push, the
 * newest described.
 */
export const PushPayload = z.object({
  type: z.literal("message"),
  title: z.string(),
  body: z.string(),
  channel_url: ChannelUrl,
  channel_name: z.string(),
  sender_id: WireUserId,
  message_id: z.string(),
  seq: Seq,
  count: z.int().check(z.gte(1)),
  sent_at: Timestamp,
});
export type PushPayload = z.infer<typeof PushPayload>;
