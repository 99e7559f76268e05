import { afterEach, describe, expect, it } from "vitest";
import type { MessageFrame } from "@podchat/protocol";
import type { Bus, ChannelEvent, ControlEvent, UserEvent } from "./bus.ts";

export interface BusHarness {
  /** A fresh bus (a node). */
  open(): Promise<Bus>;
  /**
   * Another node on the same backbone as the latest `open()`. Omit for a bus that cannot span
   * processes (in-process): the cross-node tests are then not defined.
   */
  openPeer?(): Promise<Bus>;
}

/** Polls `check` every few ms until it holds; fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A channel event carrying a recognisable message. */
export function messageEvent(channelUrl: string, seq: number, text = `m${seq}`): ChannelEvent {
  const entry: MessageFrame = {
    type: "MESG",
    channel_url: channelUrl,
    user_id: 1,
    message: text,
    timestamp: "2024-01-01T00:00:00.000Z",
    message_id: `${channelUrl}-${seq}-${text}`,
    seq,
  };
  return { kind: "message", entry };
}

/** The message text of each recorded event, for compact assertions. */
const texts = (events: ChannelEvent[]) =>
  events.map((e) => (e.kind === "message" && "message" in e.entry ? e.entry.message : e.kind));

/**
 * Waits until everything `a` and `b` published before the call has reached both of them
 * (including echoes a node must drop): a token goes a → b, then one b → a. Redis hands each
 * subscriber its messages in the order it processed the publishes, whatever the topic.
 */
async function settle(a: Bus, b: Bus): Promise<void> {
  const fence = `__fence_${Math.random().toString(36).slice(2)}`;
  const seenA: ChannelEvent[] = [];
  const seenB: ChannelEvent[] = [];
  const offA = await a.subscribeChannel(fence, (e) => seenA.push(e));
  const offB = await b.subscribeChannel(fence, (e) => seenB.push(e));
  await a.publishChannel(fence, messageEvent(fence, 1, "a-to-b"));
  await waitFor(() => texts(seenB).includes("a-to-b"), "fence a → b");
  await b.publishChannel(fence, messageEvent(fence, 2, "b-to-a"));
  await waitFor(() => texts(seenA).includes("b-to-a"), "fence b → a");
  await offA();
  await offB();
}

/** One behaviour suite for every Bus implementation. */
export function describeBus(name: string, harness: BusHarness) {
  describe(`Bus conformance: ${name}`, () => {
    const opened: Bus[] = [];
    const open = async () => {
      const bus = await harness.open();
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((b) => b.close()));
    });

    it("delivers to local handlers synchronously on publish, in publish order", async () => {
      const bus = await open();
      const got: ChannelEvent[] = [];
      await bus.subscribeChannel("room", (e) => got.push(e));
      const sends: Promise<void>[] = [];
      for (let i = 1; i <= 50; i++) {
        sends.push(bus.publishChannel("room", messageEvent("room", i)));
        expect(got).toHaveLength(i);
      }
      await Promise.all(sends);
      expect(got.map((e) => (e.kind === "message" ? e.entry.seq : 0))).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    });

    it("keeps channels apart", async () => {
      const bus = await open();
      const a: ChannelEvent[] = [];
      const b: ChannelEvent[] = [];
      await bus.subscribeChannel("a", (e) => a.push(e));
      await bus.subscribeChannel("b", (e) => b.push(e));
      await bus.publishChannel("a", messageEvent("a", 1, "to-a"));
      await bus.publishChannel("b", messageEvent("b", 1, "to-b"));
      await bus.publishChannel("nobody", messageEvent("nobody", 1, "to-nobody"));
      expect(texts(a)).toEqual(["to-a"]);
      expect(texts(b)).toEqual(["to-b"]);
    });

    it("calls every handler of a channel; unsubscribe stops only that handler", async () => {
      const bus = await open();
      const one: ChannelEvent[] = [];
      const two: ChannelEvent[] = [];
      const offOne = await bus.subscribeChannel("c", (e) => one.push(e));
      const offTwo = await bus.subscribeChannel("c", (e) => two.push(e));
      await bus.publishChannel("c", messageEvent("c", 1));
      await offOne();
      await offOne();
      await bus.publishChannel("c", messageEvent("c", 2));
      await offTwo();
      await bus.publishChannel("c", messageEvent("c", 3));
      expect(texts(one)).toEqual(["m1"]);
      expect(texts(two)).toEqual(["m1", "m2"]);
      const again: ChannelEvent[] = [];
      await bus.subscribeChannel("c", (e) => again.push(e));
      await bus.publishChannel("c", messageEvent("c", 4));
      expect(texts(again)).toEqual(["m4"]);
    });

    it("delivers control events to control handlers only", async () => {
      const bus = await open();
      const control: ControlEvent[] = [];
      const channel: ChannelEvent[] = [];
      const off = await bus.subscribeControl((e) => control.push(e));
      await bus.subscribeChannel("control", (e) => channel.push(e));
      await bus.publishControl({ kind: "flags_changed", env: "dev" });
      await bus.publishControl({ kind: "notice", text: "hello" });
      expect(control).toEqual([
        { kind: "flags_changed", env: "dev" },
        { kind: "notice", text: "hello" },
      ]);
      expect(channel).toEqual([]);
      await off();
      await bus.publishControl({ kind: "flags_changed", env: "prod" });
      expect(control).toHaveLength(2);
    });

    it("delivers user events to that user's handlers only, apart from a channel of the same name", async () => {
      const bus = await open();
      const u1: UserEvent[] = [];
      const u2: UserEvent[] = [];
      const channel: ChannelEvent[] = [];
      const off = await bus.subscribeUser("1", (e) => u1.push(e));
      await bus.subscribeUser("2", (e) => u2.push(e));
      await bus.subscribeChannel("1", (e) => channel.push(e));
      const read: UserEvent = {
        kind: "read",
        channel_url: "c",
        last_read_seq: 3,
        unread_count: 0,
        total_unread: 2,
      };
      await bus.publishUser("1", read);
      await bus.publishUser("2", { kind: "removed", channel_url: "c", reason: "removed", total_unread: 0 });
      expect(u1).toEqual([read]);
      expect(u2).toEqual([{ kind: "removed", channel_url: "c", reason: "removed", total_unread: 0 }]);
      expect(channel).toEqual([]);
      await off();
      await bus.publishUser("1", read);
      expect(u1).toHaveLength(1);
    });

    it("reports itself healthy while open", async () => {
      const bus = await open();
      expect(await bus.healthy()).toBe(true);
      expect(typeof bus.nodeId).toBe("string");
    });

    const openPeer = harness.openPeer;
    if (!openPeer) return;

    const openPair = async (): Promise<[Bus, Bus]> => {
      const a = await open();
      const b = await openPeer();
      opened.push(b);
      expect(b.nodeId).not.toBe(a.nodeId);
      return [a, b];
    };

    it("delivers each event to the other node exactly once, without echoes", async () => {
      const [a, b] = await openPair();
      const gotA: ChannelEvent[] = [];
      const gotB: ChannelEvent[] = [];
      await a.subscribeChannel("room", (e) => gotA.push(e));
      await b.subscribeChannel("room", (e) => gotB.push(e));
      await a.publishChannel("room", messageEvent("room", 1, "from-a"));
      await waitFor(() => gotB.length >= 1, "b to get a's event");
      await b.publishChannel("room", messageEvent("room", 2, "from-b"));
      await settle(a, b);
      expect(texts(gotA)).toEqual(["from-a", "from-b"]);
      expect(texts(gotB)).toEqual(["from-a", "from-b"]);
    });

    it("delivers user events across nodes exactly once", async () => {
      const [a, b] = await openPair();
      const gotB: UserEvent[] = [];
      await b.subscribeUser("7", (e) => gotB.push(e));
      const e: UserEvent = {
        kind: "read",
        channel_url: "c",
        last_read_seq: 1,
        unread_count: 0,
        total_unread: 0,
      };
      await a.publishUser("7", e);
      await a.publishUser("8", e);
      await waitFor(() => gotB.length >= 1, "b to get a's user event");
      await settle(a, b);
      expect(gotB).toEqual([e]);
    });

    it("delivers control events across nodes exactly once", async () => {
      const [a, b] = await openPair();
      const gotA: ControlEvent[] = [];
      const gotB: ControlEvent[] = [];
      await a.subscribeControl((e) => gotA.push(e));
      await b.subscribeControl((e) => gotB.push(e));
      await a.publishControl({ kind: "flags_changed", env: "stg" });
      // b's own event reaches b at once, a's after a hop: wait so both see one order.
      await waitFor(() => gotB.length === 1, "b to get a's control event");
      await b.publishControl({ kind: "notice", from: "b" });
      await settle(a, b);
      expect(gotA).toEqual([
        { kind: "flags_changed", env: "stg" },
        { kind: "notice", from: "b" },
      ]);
      expect(gotB).toEqual(gotA);
    });

    it("keeps channels apart across nodes and stops delivering after unsubscribe", async () => {
      const [a, b] = await openPair();
      const x: ChannelEvent[] = [];
      const y: ChannelEvent[] = [];
      const offX = await b.subscribeChannel("x", (e) => x.push(e));
      await b.subscribeChannel("y", (e) => y.push(e));
      await a.publishChannel("x", messageEvent("x", 1, "x1"));
      await waitFor(() => x.length === 1, "b to get x1");
      await offX();
      await a.publishChannel("x", messageEvent("x", 2, "x2"));
      await a.publishChannel("y", messageEvent("y", 1, "y1"));
      await settle(a, b);
      expect(texts(x)).toEqual(["x1"]);
      expect(texts(y)).toEqual(["y1"]);
    });

    it("preserves each publisher's order across nodes (1,000 events each way)", async () => {
      const [a, b] = await openPair();
      const n = 1000;
      const seen = new Map<Bus, Array<{ from: string; i: number }>>([
        [a, []],
        [b, []],
      ]);
      for (const bus of [a, b]) {
        await bus.subscribeChannel("flood", (e) => {
          if (e.kind !== "message" || !("message" in e.entry)) return;
          const [from, i] = e.entry.message.split(":");
          seen.get(bus)!.push({ from: from!, i: Number(i) });
        });
      }
      const sends: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        sends.push(a.publishChannel("flood", messageEvent("flood", i + 1, `a:${i}`)));
        sends.push(b.publishChannel("flood", messageEvent("flood", i + 1, `b:${i}`)));
      }
      await Promise.all(sends);
      await settle(a, b);
      const expected = Array.from({ length: n }, (_, i) => i);
      for (const bus of [a, b]) {
        const events = seen.get(bus)!;
        expect(events).toHaveLength(2 * n);
        expect(events.filter((e) => e.from === "a").map((e) => e.i)).toEqual(expected);
        expect(events.filter((e) => e.from === "b").map((e) => e.i)).toEqual(expected);
      }
    }, 20_000);
  });
}
