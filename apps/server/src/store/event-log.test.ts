import { WebhookEvent } from "@podchat/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookRecorder } from "../webhooks/recorder.ts";
import type { MessageStore } from "./message-store.ts";
import { storeOpeners } from "./test-stores.ts";

const opens = await storeOpeners("events feed log", "feed", 8);

describe.each(Object.keys(opens))("events feed log (%s)", (driver) => {
  let store: MessageStore;
  afterEach(async () => {
    await store?.close();
  });
  const open = async (feed = true) => {
    store = opens[driver]!();
    await store.migrate();
    store.recordChanges(feed ? createWebhookRecorder([], "dev", undefined, true) : null);
    return store;
  };
  const all = async () => {
    const out: Array<{ position: number; event: WebhookEvent }> = [];
    let after = 0;
    for (;;) {
      const rows = await store.eventLog.read(after, 7);
      if (rows.length === 0) return out;
      for (const r of rows)
        out.push({ position: r.position, event: WebhookEvent.parse(JSON.parse(r.payload)) });
      after = rows.at(-1)!.position;
    }
  };

  it("numbers every change's event 1, 2, 3 … in commit order, concurrent appends included; failures leave no gap", async () => {
    await open();
    for (const c of ["a", "b", "c"])
      await store.createChannel({ channel_url: c, name: c, provider: "websocket", user_ids: ["1"] });
    await store.addMembers("a", ["2"]);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        store.appendMessage({
          channel_url: ["a", "b", "c"][i % 3]!,
          type: "MESG",
          user_id: "1",
          message: `m${i}`,
        }),
      ),
    );
    // A failed append (no such channel) and a duplicate write nothing and leave no gap.
    await expect(
      store.appendMessage({ channel_url: "nope", type: "MESG", user_id: "1", message: "x" }),
    ).rejects.toThrow();
    await store.appendMessage({ channel_url: "a", type: "MESG", user_id: "1", message: "k", req_id: "r1" });
    await store.appendMessage({ channel_url: "a", type: "MESG", user_id: "1", message: "k", req_id: "r1" });
    await store.editMessage({ channel_url: "a", target_seq: 1, message: "edited", user_id: "1" });
    const events = await all();
    expect(events.map((e) => e.position)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
    const types = events.map((e) => e.event.type);
    expect(types.slice(0, 4)).toEqual([
      "channel.created",
      "channel.created",
      "channel.created",
      "member.added",
    ]);
    expect(types.filter((t) => t === "message.sent")).toHaveLength(31);
    expect(types.at(-1)).toBe("message.updated");
    expect(new Set(events.map((e) => e.event.id)).size).toBe(events.length);
    expect(await store.eventLog.bounds()).toEqual({ oldest: 1, last: events.length });
  });

  it("a reader following the log during concurrent appends never skips a position that commits later", async () => {
    await open();
    const channels = Array.from({ length: 10 }, (_, i) => `r${i}`);
    for (const c of channels)
      await store.createChannel({ channel_url: c, name: c, provider: "websocket", user_ids: ["1"] });
    const base = channels.length;
    let writing = true;
    const seen: number[] = [];
    const reader = (async () => {
      let after = base;
      while (writing || seen.length < 200) {
        const rows = await store.eventLog.read(after, 50);
        for (const r of rows) {
          // Each page continues exactly where the last one ended: a skipped position would show here.
          expect(r.position).toBe(after + 1);
          after = r.position;
          seen.push(r.position);
        }
        if (rows.length === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.appendMessage({
          channel_url: channels[i % channels.length]!,
          type: "MESG",
          user_id: "1",
          message: `w${i}`,
        }),
      ),
    );
    writing = false;
    await reader;
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => base + i + 1));
  });

  it("prunes by age; bounds then report the oldest kept (last + 1 when none is)", async () => {
    await open();
    await store.createChannel({ channel_url: "p", name: "p", provider: "websocket", user_ids: ["1"] });
    await store.appendMessage({ channel_url: "p", type: "MESG", user_id: "1", message: "one" });
    expect(await store.eventLog.prune("2000-01-01T00:00:00.000Z")).toBe(0);
    expect(await store.eventLog.prune(new Date(Date.now() + 60_000).toISOString())).toBe(2);
    expect(await store.eventLog.bounds()).toEqual({ oldest: 3, last: 2 });
    await store.appendMessage({ channel_url: "p", type: "MESG", user_id: "1", message: "two" });
    expect((await store.eventLog.read(0, 10)).map((r) => r.position)).toEqual([3]);
    expect(await store.eventLog.bounds()).toEqual({ oldest: 3, last: 3 });
  });

  it("writes nothing while the feed is off", async () => {
    await open(false);
    await store.createChannel({ channel_url: "o", name: "o", provider: "websocket", user_ids: ["1"] });
    await store.appendMessage({ channel_url: "o", type: "MESG", user_id: "1", message: "one" });
    expect(await store.eventLog.read(0, 10)).toEqual([]);
    expect(await store.eventLog.bounds()).toEqual({ oldest: 1, last: 0 });
  });
});
