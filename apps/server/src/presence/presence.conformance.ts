import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../bus/bus.conformance.ts";
import type { Presence } from "./presence.ts";

export interface PresenceHarness {
  /** A fresh presence (an instance) in a namespace of its own. */
  open(): Promise<Presence>;
  /**
   * Another instance sharing the namespace of the latest `open()`. Omit for a presence that cannot
   * span processes (in-process): the cross-instance tests are then not defined.
   */
  openPeer?(): Promise<Presence>;
  /** Makes an instance die without cleaning up (SIGKILL); with `openPeer`. */
  crash?(p: Presence): void;
  /** How long a crashed instance's users may still count as online. */
  expiryMs?: number;
}

const sorted = (xs: string[]) => [...xs].sort();

/** One behaviour suite for every Presence implementation. */
export function describePresence(name: string, harness: PresenceHarness) {
  describe(`Presence conformance: ${name}`, () => {
    const opened: Presence[] = [];
    const track = (p: Presence) => {
      opened.push(p);
      return p;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((p) => p.close()));
    });

    it("join is true on a user's first socket only; leave is true on its last one only", async () => {
      const p = track(await harness.open());
      expect(await p.join("room", "1")).toBe(true);
      expect(await p.join("room", "1")).toBe(false);
      expect(await p.join("room", "1")).toBe(false);
      expect(await p.leave("room", "1")).toBe(false);
      expect(await p.leave("room", "1")).toBe(false);
      expect(await p.leave("room", "1")).toBe(true);
      expect(await p.join("room", "1")).toBe(true);
    });

    it("a leave without a join is not a departure", async () => {
      const p = track(await harness.open());
      expect(await p.leave("room", "ghost")).toBe(false);
      expect(await p.join("room", "ghost")).toBe(true);
      expect(await p.leave("room", "ghost")).toBe(true);
      expect(await p.leave("room", "ghost")).toBe(false);
    });

    it("online lists each user with a socket once, per channel", async () => {
      const p = track(await harness.open());
      expect(await p.online("a")).toEqual([]);
      await p.join("a", "1");
      await p.join("a", "1");
      await p.join("a", "2");
      await p.join("b", "3");
      expect(sorted(await p.online("a"))).toEqual(["1", "2"]);
      expect(await p.online("b")).toEqual(["3"]);
      await p.leave("a", "1");
      expect(sorted(await p.online("a"))).toEqual(["1", "2"]);
      await p.leave("a", "1");
      expect(await p.online("a")).toEqual(["2"]);
      await p.leave("a", "2");
      expect(await p.online("a")).toEqual([]);
    });

    it("keeps users apart across channels", async () => {
      const p = track(await harness.open());
      expect(await p.join("a", "1")).toBe(true);
      expect(await p.join("b", "1")).toBe(true);
      expect(await p.leave("a", "1")).toBe(true);
      expect(await p.online("b")).toEqual(["1"]);
    });

    const openPeer = harness.openPeer;
    if (!openPeer) return;

    const pair = async (): Promise<[Presence, Presence]> => {
      const a = track(await harness.open());
      const b = track(await openPeer());
      return [a, b];
    };

    it("a user on two instances joins once and leaves once", async () => {
      const [a, b] = await pair();
      expect(await a.join("room", "1")).toBe(true);
      expect(await b.join("room", "1")).toBe(false);
      expect(await b.join("room", "1")).toBe(false);
      expect(await a.leave("room", "1")).toBe(false);
      expect(await b.leave("room", "1")).toBe(false);
      expect(await b.leave("room", "1")).toBe(true);
      expect(await b.join("room", "1")).toBe(true);
      expect(await a.join("room", "1")).toBe(false);
    });

    it("online lists the users of every instance, each once, on every instance", async () => {
      const [a, b] = await pair();
      await a.join("room", "1");
      await a.join("room", "2");
      await b.join("room", "2");
      await b.join("room", "3");
      await b.join("other", "4");
      expect(sorted(await a.online("room"))).toEqual(["1", "2", "3"]);
      expect(sorted(await b.online("room"))).toEqual(["1", "2", "3"]);
      await a.leave("room", "2");
      expect(sorted(await a.online("room"))).toEqual(["1", "2", "3"]);
      await b.leave("room", "2");
      expect(sorted(await a.online("room"))).toEqual(["1", "3"]);
    });

    it("instances racing on the same user agree: exactly one first join and one last leave", async () => {
      const [a, b] = await pair();
      for (let i = 0; i < 50; i++) {
        const user = `u${i}`;
        const joins = await Promise.all([a.join("race", user), b.join("race", user)]);
        expect(joins.filter(Boolean)).toHaveLength(1);
        const leaves = await Promise.all([a.leave("race", user), b.leave("race", user)]);
        expect(leaves.filter(Boolean)).toHaveLength(1);
      }
      expect(await a.online("race")).toEqual([]);
    });

    it("a closed instance's users are no longer online", async () => {
      const [a, b] = await pair();
      await a.join("room", "1");
      await b.join("room", "2");
      await a.close();
      expect(await b.online("room")).toEqual(["2"]);
      expect(await b.join("room", "1")).toBe(true);
    });

    const crash = harness.crash;
    if (!crash) return;

    it("a crashed instance's users expire, and only those gone everywhere are reported once", async () => {
      const [a, b] = await pair();
      const c = track(await openPeer());
      const expiredB: string[] = [];
      const expiredC: string[] = [];
      b.onExpired((ch, u) => expiredB.push(`${ch}/${u}`));
      c.onExpired((ch, u) => expiredC.push(`${ch}/${u}`));
      await a.join("room", "only-a");
      await a.join("room", "both");
      await a.join("side", "only-a");
      await b.join("room", "both");
      await b.join("room", "only-b");
      const crashedAt = Date.now();
      crash(a);
      const expiry = harness.expiryMs ?? 15_000;
      await waitFor(
        async () => sorted(await b.online("room")).join() === "both,only-b",
        "the crashed instance's users to expire",
        expiry * 2,
      );
      await waitFor(
        () => expiredB.length + expiredC.length >= 2,
        "the survivors to report the expired users",
        expiry * 2,
      );
      expect(Date.now() - crashedAt).toBeLessThan(expiry * 2);
      expect(sorted([...expiredB, ...expiredC])).toEqual(["room/only-a", "side/only-a"]);
      expect(await c.online("side")).toEqual([]);
      // "both" still has b's socket: its last leave is an ordinary one.
      expect(await b.leave("room", "both")).toBe(true);
    });
  });
}
