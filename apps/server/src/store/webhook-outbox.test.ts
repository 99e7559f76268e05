import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { ChangeRecorder, MessageStore, StoreChange } from "./message-store.ts";
import { storeOpeners } from "./test-stores.ts";

const opens = await storeOpeners("webhook outbox", "outbox", 1);

/** A recorder that wants `types` (all when omitted) and writes one row per change for endpoint "e". */
function recorder(types?: string[]): ChangeRecorder & { seen: StoreChange[] } {
  const seen: StoreChange[] = [];
  return {
    seen,
    wants: (t) => !types || types.includes(t),
    entries(change) {
      seen.push(change);
      const url =
        "message" in change
          ? change.message.channel_url
          : "channel" in change
            ? change.channel.channel_url
            : "change" in change
              ? change.change.target.channel_url
              : "mark" in change
                ? change.mark.channel_url
                : "pin" in change
                  ? change.pin.channel_url
                  : change.channel_url;
      const at = new Date().toISOString();
      return [
        {
          endpoint_id: "e",
          event_id: randomUUID(),
          channel_url: url,
          type: change.type,
          payload: "{}",
          created_at: at,
        },
      ];
    },
  };
}

describe.each(Object.keys(opens))("webhook outbox (%s)", (driver) => {
  let store: MessageStore;
  afterEach(async () => {
    await store?.close();
  });
  const open = async () => {
    store = opens[driver]!();
    await store.migrate();
    return store;
  };
  const msg = (channel_url: string, message: string, req_id?: string) =>
    store.appendMessage({ channel_url, type: "MESG", user_id: "1", message, ...(req_id ? { req_id } : {}) });

  it("writes rows with the change only while a recorder wants its type; a repeat or a failed change writes none", async () => {
    await open();
    await store.createChannel({ channel_url: "c", name: "c", provider: "websocket", user_ids: ["1"] });
    await msg("c", "before any recorder");
    expect(await store.webhookOutbox.list({ limit: 10 })).toEqual([]);
    const r = recorder(["message.sent", "member.added"]);
    store.recordChanges(r);
    await msg("c", "one", "req-1");
    // History imported with its original time (a migration) is not a new message.
    await store.appendMessage({
      channel_url: "c",
      type: "MESG",
      user_id: "1",
      message: "old",
      created_at: "2020-01-01T00:00:00.000Z",
    });
    await msg("c", "one again", "req-1"); // duplicate req_id: the original, no new event
    await store.addMembers("c", ["1"]); // already a member: nothing joined
    await store.addMembers("c", ["2"]);
    await store.markRead("c", "2", 1); // not wanted
    await expect(
      store.editMessage({ channel_url: "c", target_seq: 99, message: "x", user_id: null }),
    ).rejects.toThrow();
    const rows = await store.webhookOutbox.list({ limit: 10 });
    expect(rows.map((x) => x.type).reverse()).toEqual(["message.sent", "member.added"]);
    expect(rows.every((x) => x.state === "pending" && x.attempts === 0)).toBe(true);
    store.recordChanges(null);
    await msg("c", "after");
    expect(await store.webhookOutbox.list({ limit: 10 })).toHaveLength(2);
  });

  it("claims the head of each channel's queue once per lease, and the next only after it settles", async () => {
    await open();
    for (const c of ["a", "b"])
      await store.createChannel({ channel_url: c, name: c, provider: "websocket", user_ids: ["1"] });
    store.recordChanges(recorder(["message.sent"]));
    for (let i = 0; i < 3; i++) {
      await msg("a", `a${i}`);
      await msg("b", `b${i}`);
    }
    const ob = store.webhookOutbox;
    const now = Date.now();
    const first = await ob.claim("e", "me", now, now + 10_000, 10);
    expect(first.map((r) => r.channel_url).sort()).toEqual(["a", "b"]);
    expect(first.every((r) => r.attempts === 1)).toBe(true);
    // Leased: nobody gets them (nor the rows behind them) until the lease ends.
    expect(await ob.claim("e", "other", now, now + 10_000, 10)).toEqual([]);
    expect(await ob.claim("x", "other", now, now + 10_000, 10)).toEqual([]);
    // A failure puts the head back with a later attempt time: its channel waits (order), the other goes on.
    const [a, b] = first.sort((x, y) => x.channel_url.localeCompare(y.channel_url));
    expect(
      await ob.settle(a!.id, "me", {
        state: "pending",
        next_attempt_at: now + 60_000,
        status: 503,
        error: "HTTP 503",
      }),
    ).toBe(true);
    expect(await ob.settle(b!.id, "me", { state: "delivered", status: 200, error: null })).toBe(true);
    expect(await ob.settle(b!.id, "me", { state: "delivered", status: 200, error: null })).toBe(false);
    const second = await ob.claim("e", "me", now + 1, now + 10_000, 10);
    expect(second.map((r) => [r.channel_url, r.id > b!.id])).toEqual([["b", true]]);
    // The lease of a claimer that died ends: the row is claimed again (at least once), same event id.
    const again = await ob.claim("e", "other", now + 20_000, now + 30_000, 10);
    expect(again.map((r) => r.event_id)).toEqual([second[0]!.event_id]);
    expect(await ob.settle(second[0]!.id, "me", { state: "delivered", status: 200, error: null })).toBe(
      false,
    );
    // Dead letters: listed, counted, redelivered.
    expect(await ob.settle(again[0]!.id, "other", { state: "dead", status: 410, error: "HTTP 410" })).toBe(
      true,
    );
    expect((await ob.list({ state: "dead", limit: 10 })).map((r) => r.id)).toEqual([again[0]!.id]);
    expect(await ob.counts()).toEqual(
      expect.arrayContaining([
        { endpoint_id: "e", state: "pending", n: 4 },
        { endpoint_id: "e", state: "dead", n: 1 },
      ]),
    );
    expect(await ob.redeliver({ endpointId: "e" }, now)).toBe(1);
    expect(await ob.get(again[0]!.id)).toMatchObject({ state: "pending", attempts: 0 });
    // Pruning removes delivered rows older than the cut only.
    expect(await ob.prune(new Date(Date.now() + 1000).toISOString())).toBe(1);
    expect(await ob.get(b!.id)).toBeNull();
  });

  it("records outcomes and claims the next heads in one step", async () => {
    await open();
    await store.createChannel({ channel_url: "s", name: "s", provider: "websocket", user_ids: ["1"] });
    store.recordChanges(recorder(["message.sent"]));
    for (let i = 0; i < 3; i++) await msg("s", `s${i}`);
    const now = Date.now();
    const none = await store.webhookOutbox.step("me", [], [{ endpointId: "e", limit: 5 }], now, now + 10_000);
    const [head] = none.get("e")!;
    expect(none.get("e")).toHaveLength(1);
    // The head's outcome and the claim of the one behind it, together.
    const next = await store.webhookOutbox.step(
      "me",
      [{ id: head!.id, outcome: { state: "delivered", status: 200, error: null } }],
      [{ endpointId: "e", limit: 5 }],
      now,
      now + 10_000,
    );
    expect(next.get("e")!.map((r) => r.id)).toEqual([head!.id + 1]);
    expect(await store.webhookOutbox.get(head!.id)).toMatchObject({ state: "delivered", last_status: 200 });
  });

  it.skipIf(driver !== "postgres")(
    "hands each row to one of several concurrent claimers (PostgreSQL only: SQLite has one writer, so claims never race)",
    async () => {
      await open();
      for (let c = 0; c < 20; c++)
        await store.createChannel({
          channel_url: `p${c}`,
          name: "p",
          provider: "websocket",
          user_ids: ["1"],
        });
      store.recordChanges(recorder(["message.sent"]));
      await Promise.all(Array.from({ length: 20 }, (_, c) => msg(`p${c}`, "x")));
      const now = Date.now();
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.webhookOutbox.claim("e", `o${i}`, now, now + 10_000, 5)),
      );
      const ids = claims.flat().map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeLessThanOrEqual(20);
      // Whatever was skipped while locked is claimable afterwards; in all, each row once.
      const rest = await store.webhookOutbox.claim("e", "late", now, now + 10_000, 100);
      expect(new Set([...ids, ...rest.map((r) => r.id)]).size).toBe(20);
      expect(ids.length + rest.length).toBe(20);
    },
  );
});
