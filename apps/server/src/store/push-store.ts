/** @since 0.5 A push target (push/). `address`: the Web Push endpoint, or the FCM/APNs device token. */
export interface StoredPushDevice {
  id: string;
  user_id: string;
  kind: "web_push" | "fcm" | "apns";
  address: string;
  /** Web Push only: the subscription's keys (base64url). */
  p256dh: string | null;
  auth: string | null;
  /** APNs only: the app's topic when it is not push.apns.topic. */
  topic: string | null;
  created_at: string;
  updated_at: string;
}

export type NewPushDevice = Omit<StoredPushDevice, "id" | "created_at" | "updated_at">;

/** A mute in force; `channel_url` null = every channel of the user; `until` null = until unmuted. */
export interface StoredPushMute {
  user_id: string;
  channel_url: string | null;
  until: string | null;
}

/**
 * @since 0.5 Push devices and mutes. A device is unique by (kind, address): registering it again
 * (as the same or another user) refreshes it and makes it that user's.
 */
export interface PushStore {
  registerDevice(device: NewPushDevice, now: string): Promise<StoredPushDevice>;
  /** Removes the user's device with this address (endpoint or token); how many were removed. */
  removeDevice(userId: string, address: string): Promise<number>;
  /** Removes a device by id (the push service said it is gone). */
  removeDeviceById(id: string): Promise<number>;
  listDevices(userId: string): Promise<StoredPushDevice[]>;
  /** Members of the channel other than `exceptUserId` with at least one device (one query). */
  membersWithDevices(channelUrl: string, exceptUserId: string): Promise<string[]>;
  /** Sets (`muted`) or removes a mute; channelUrl null = the user-wide one. */
  setMute(userId: string, channelUrl: string | null, muted: boolean, until: string | null): Promise<void>;
  /** The user's mutes still in force at `now` (ISO time). */
  listMutes(userId: string, now: string): Promise<StoredPushMute[]>;
}
