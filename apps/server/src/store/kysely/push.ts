import { randomUUID } from "node:crypto";
import type { NewPushDevice, PushStore, StoredPushDevice, StoredPushMute } from "../push-store.ts";
import type { StoreContext } from "./context.ts";

const ALL = "";

/** PushStore over kysely (tables of migration 0007). */
export function createPushStore(ctx: StoreContext): PushStore {
  const rows = () => ctx.db.selectFrom("push_devices").selectAll();
  const toDevice = (r: Record<string, unknown>) => r as unknown as StoredPushDevice;
  return {
    async registerDevice(d: NewPushDevice, now: string) {
      ctx.codec.checkText("user_id", d.user_id);
      ctx.codec.checkText("address", d.address);
      await ctx.db
        .insertInto("push_devices")
        .values({ id: randomUUID(), ...d, created_at: now, updated_at: now })
        .onConflict((oc) =>
          oc.columns(["kind", "address"]).doUpdateSet({
            user_id: d.user_id,
            p256dh: d.p256dh,
            auth: d.auth,
            topic: d.topic,
            updated_at: now,
          }),
        )
        .execute();
      const row = await rows()
        .where("kind", "=", d.kind)
        .where("address", "=", d.address)
        .executeTakeFirstOrThrow();
      return toDevice(row);
    },
    async removeDevice(userId, address) {
      const r = await ctx.db
        .deleteFrom("push_devices")
        .where("user_id", "=", userId)
        .where("address", "=", address)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async removeDeviceById(id) {
      const r = await ctx.db.deleteFrom("push_devices").where("id", "=", id).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async listDevices(userId) {
      return (await rows().where("user_id", "=", userId).orderBy("created_at").orderBy("id").execute()).map(
        toDevice,
      );
    },
    async membersWithDevices(channelUrl, exceptUserId) {
      const list = await ctx.db
        .selectFrom("members")
        .innerJoin("push_devices", "push_devices.user_id", "members.user_id")
        .select("members.user_id")
        .distinct()
        .where("members.channel_url", "=", channelUrl)
        .where("members.user_id", "!=", exceptUserId)
        .execute();
      return list.map((r) => r.user_id);
    },
    async setMute(userId, channelUrl, muted, until) {
      ctx.codec.checkText("user_id", userId);
      const key = channelUrl ?? ALL;
      if (!muted) {
        await ctx.db
          .deleteFrom("push_mutes")
          .where("user_id", "=", userId)
          .where("channel_url", "=", key)
          .execute();
        return;
      }
      await ctx.db
        .insertInto("push_mutes")
        .values({ user_id: userId, channel_url: key, until })
        .onConflict((oc) => oc.columns(["user_id", "channel_url"]).doUpdateSet({ until }))
        .execute();
    },
    async listMutes(userId, now): Promise<StoredPushMute[]> {
      const list = await ctx.db
        .selectFrom("push_mutes")
        .select(["user_id", "channel_url", "until"])
        .where("user_id", "=", userId)
        .where((eb) => eb.or([eb("until", "is", null), eb("until", ">", now)]))
        .orderBy("channel_url")
        .execute();
      return list.map((m) => ({ ...m, channel_url: m.channel_url === ALL ? null : m.channel_url }));
    },
  };
}
