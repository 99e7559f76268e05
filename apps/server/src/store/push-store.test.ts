import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { MessageStore } from "./message-store.ts";
import { createSqliteStore } from "./sqlite/sqlite-store.ts";
import { storeOpeners } from "./test-stores.ts";

const opens = await storeOpeners("push store", "push", 3);

const web = (user: string, endpoint: string) => ({
  user_id: user,
  kind: "web_push" as const,
  address: endpoint,
  p256dh: "pk",
  auth: "au",
  topic: null,
});

for (const [driver, open] of Object.entries(opens)) {
  describe(`PushStore on ${driver}`, () => {
    async function withStore(fn: (s: MessageStore) => Promise<void>) {
      const s = open();
      await s.migrate();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    }

    it("registers, refreshes (same kind and address), moves between users, lists and removes", () =>
      withStore(async (s) => {
        const a = await s.push.registerDevice(
          web("u1", "https://push.example/1"),
          "2026-01-01T00:00:00.000Z",
        );
        expect(a).toMatchObject({ user_id: "u1", kind: "web_push", p256dh: "pk", auth: "au" });
        const again = await s.push.registerDevice(
          { ...web("u1", "https://push.example/1"), p256dh: "pk2" },
          "2026-01-02T00:00:00.000Z",
        );
        expect(again).toMatchObject({
          id: a.id,
          p256dh: "pk2",
          created_at: a.created_at,
          updated_at: "2026-01-02T00:00:00.000Z",
        });
        // The same token of another kind is another device.
        await s.push.registerDevice(
          { ...web("u1", "tok"), kind: "fcm", p256dh: null, auth: null },
          "2026-01-03T00:00:00.000Z",
        );
        await s.push.registerDevice(
          { ...web("u2", "tok"), kind: "apns", p256dh: null, auth: null, topic: "t" },
          "2026-01-03T00:00:00.000Z",
        );
        expect((await s.push.listDevices("u1")).map((d) => d.kind)).toEqual(["web_push", "fcm"]);
        // A browser signed in as another user: the subscription follows.
        await s.push.registerDevice(web("u2", "https://push.example/1"), "2026-01-04T00:00:00.000Z");
        expect((await s.push.listDevices("u1")).map((d) => d.kind)).toEqual(["fcm"]);
        await s.createChannel({
          channel_url: "room",
          name: "Room",
          provider: "websocket",
          user_ids: ["u1", "u2", "u3"],
        });
        expect((await s.push.membersWithDevices("room", "u3")).sort()).toEqual(["u1", "u2"]);
        expect(await s.push.membersWithDevices("room", "u2")).toEqual(["u1"]);
        expect(await s.push.removeDevice("u1", "https://push.example/1")).toBe(0);
        expect(await s.push.removeDevice("u2", "https://push.example/1")).toBe(1);
        const [apns] = await s.push.listDevices("u2");
        expect(apns).toMatchObject({ kind: "apns", topic: "t" });
        expect(await s.push.removeDeviceById(apns!.id)).toBe(1);
        expect(await s.push.listDevices("u2")).toEqual([]);
      }));

    it("keeps mutes: user-wide and per channel, until unmuted or until a time", () =>
      withStore(async (s) => {
        const now = "2026-06-01T12:00:00.000Z";
        await s.push.setMute("u1", null, true, null);
        await s.push.setMute("u1", "room_a", true, "2026-06-01T13:00:00.000Z");
        await s.push.setMute("u1", "room_b", true, "2026-06-01T11:00:00.000Z");
        expect(await s.push.listMutes("u1", now)).toEqual([
          { user_id: "u1", channel_url: null, until: null },
          { user_id: "u1", channel_url: "room_a", until: "2026-06-01T13:00:00.000Z" },
        ]);
        await s.push.setMute("u1", "room_a", true, null);
        await s.push.setMute("u1", null, false, null);
        expect(await s.push.listMutes("u1", now)).toEqual([
          { user_id: "u1", channel_url: "room_a", until: null },
        ]);
        expect(await s.push.listMutes("u2", now)).toEqual([]);
      }));
  });
}

describe("PushStore errors", () => {
  it("a closed store answers STORE_UNAVAILABLE", async () => {
    const s = opens.sqlite!();
    await s.migrate();
    await s.close();
    await expect(s.push.listDevices("u1")).rejects.toMatchObject({
      name: "StoreError",
      code: "STORE_UNAVAILABLE",
    });
  });
});

describe("migration 0007 after a later one", () => {
  it("a SQLite database that ran 0010 without 0007 gets 0007 at its next start", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "podchat-push-order-")), "p.sqlite");
    let s = createSqliteStore({ path });
    await s.migrate();
    await s.close();
    // As a database made by a build that had 0010_event_log but not yet 0007_push_devices.
    const db = new Database(path);
    db.exec(
      "DROP TABLE push_devices; DROP TABLE push_mutes; DELETE FROM kysely_migration WHERE name = '0007_push_devices'",
    );
    db.close();
    s = createSqliteStore({ path });
    await s.migrate();
    await s.push.registerDevice(web("u1", "https://push.example/x"), "2026-01-01T00:00:00.000Z");
    expect(await s.push.listDevices("u1")).toHaveLength(1);
    await s.close();
  });
});
