import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FlagStore } from "./flag-store.ts";

/** One behaviour suite for every FlagStore. */
export function describeFlagStore(name: string, open: () => Promise<FlagStore>) {
  describe(`FlagStore conformance: ${name}`, () => {
    let store: FlagStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("starts unset and keeps environments apart", async () => {
      expect(await store.get("dev")).toMatchObject({
        use_websocket: null,
        rollout_percent: null,
        user_groups: null,
      });
      await store.set("prod", { use_websocket: true }, "alice");
      expect((await store.get("prod")).use_websocket).toBe(true);
      expect((await store.get("dev")).use_websocket).toBeNull();
    });

    it("audits each changed key with who, when, old and new — and nothing for no-ops", async () => {
      await store.set("dev", { use_websocket: true, rollout_percent: 25 }, "alice");
      await store.set("dev", { use_websocket: true }, "bob");
      await store.set("dev", { use_websocket: false, user_groups: ["7", "8"] }, "bob");
      const entries = await store.audit({ limit: 10 });
      expect(entries.map((e) => [e.key, e.old_value, e.new_value, e.actor])).toEqual([
        ["user_groups", null, ["7", "8"], "bob"],
        ["use_websocket", true, false, "bob"],
        ["rollout_percent", null, 25, "alice"],
        ["use_websocket", null, true, "alice"],
      ]);
      expect(Date.parse(entries[0]!.at)).not.toBeNaN();
      expect(await store.audit({ actor: "alice", limit: 10 })).toHaveLength(2);
      expect(await store.audit({ env: "prod", limit: 10 })).toHaveLength(0);
      expect(await store.audit({ key: "rollout_percent", limit: 10 })).toHaveLength(1);
      expect(await store.get("dev")).toMatchObject({
        use_websocket: false,
        rollout_percent: 25,
        user_groups: ["7", "8"],
        updated_by: "bob",
      });
    });

    it("keeps per-channel overrides with their audit", async () => {
      await store.setOverride("dev", "pod_1", "websocket", "alice");
      await store.setOverride("dev", "pod_2", "sendbird", "alice");
      expect((await store.getOverride("pod_1"))?.provider).toBe("websocket");
      expect((await store.listOverrides()).map((o) => o.channel_url)).toEqual(["pod_1", "pod_2"]);
      expect(await store.deleteOverride("dev", "pod_1", "bob")).toBe(true);
      expect(await store.deleteOverride("dev", "pod_1", "bob")).toBe(false);
      expect(await store.getOverride("pod_1")).toBeNull();
      const audit = await store.audit({ key: "override:pod_1", limit: 10 });
      expect(audit.map((e) => [e.old_value, e.new_value, e.actor])).toEqual([
        ["websocket", null, "bob"],
        [null, "websocket", "alice"],
      ]);
    });

    it("lists overrides in bytewise channel_url order and reads an empty audit filter as none", async () => {
      for (const url of ["pod_a", "pod_B", "pod-1", "pod_1"])
        await store.setOverride("dev", url, "websocket", "alice");
      expect((await store.listOverrides()).map((o) => o.channel_url)).toEqual([
        "pod-1",
        "pod_1",
        "pod_B",
        "pod_a",
      ]);
      expect(await store.audit({ env: "", actor: "", key: "", limit: 10 })).toHaveLength(4);
    });
  });
}
