import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  findRedis,
  findRedisServerBinary,
  type PrivateRedis,
  startRedisServer,
  warnSkipped,
} from "../../../test/services.ts";
import { describeBus, messageEvent, waitFor } from "../bus.conformance.ts";
import type { ChannelEvent } from "../bus.ts";
import { createRedisBus, type RedisBus } from "./redis-bus.ts";

/** A private topic namespace per test, so parallel runs on a shared Redis do not see each other. */
const freshPrefix = () => `podchat_test_${randomBytes(6).toString("hex")}`;

const found = await findRedis();
if ("skip" in found) {
  warnSkipped("redis bus conformance", found.skip);
  describe.skip("redis bus conformance (no Redis)", () => {
    it("needs Redis", () => {});
  });
} else {
  const url = found.url;
  let prefix = "";
  const connect = async () => {
    const bus = createRedisBus({ url, prefix });
    await bus.ready();
    return bus;
  };
  describeBus("redis", {
    async open() {
      prefix = freshPrefix();
      return connect();
    },
    openPeer: connect,
  });
}

const binary = findRedisServerBinary();
if ("skip" in binary) {
  warnSkipped("redis bus outage test", binary.skip);
  describe.skip("redis bus: Redis outage (no redis-server)", () => {
    it("needs redis-server", () => {});
  });
} else {
  describe("redis bus: Redis outage", () => {
    let server: PrivateRedis | undefined;
    const buses: RedisBus[] = [];
    afterEach(async () => {
      await Promise.all(buses.splice(0).map((b) => b.close()));
      await server?.stop();
      server = undefined;
    });

    it("fails fast while Redis is down, then resubscribes and delivers again", async () => {
      server = await startRedisServer();
      const prefix = freshPrefix();
      const a = createRedisBus({ url: server.url, prefix });
      const b = createRedisBus({ url: server.url, prefix });
      buses.push(a, b);
      await Promise.all([a.ready(), b.ready()]);

      const gotA: ChannelEvent[] = [];
      const gotB: ChannelEvent[] = [];
      const late: ChannelEvent[] = [];
      await a.subscribeChannel("room", (e) => gotA.push(e));
      await b.subscribeChannel("room", (e) => gotB.push(e));
      let reconnectsA = 0;
      let reconnectsB = 0;
      a.onReconnect(() => reconnectsA++);
      b.onReconnect(() => reconnectsB++);
      const seqs = (events: ChannelEvent[]) => events.map((e) => (e.kind === "message" ? e.entry.seq : 0));

      await a.publishChannel("room", messageEvent("room", 1));
      await waitFor(() => gotB.length === 1, "delivery before the outage");

      await server.stop();
      await waitFor(
        async () => !(await a.healthy()) && !(await b.healthy()),
        "both nodes to report unhealthy",
      );
      const started = Date.now();
      await expect(a.publishChannel("room", messageEvent("room", 2))).rejects.toThrow(/publish/);
      expect(Date.now() - started).toBeLessThan(1000);
      // Local handlers still got it; only the other nodes missed it (onReconnect is for that).
      expect(seqs(gotA)).toEqual([1, 2]);
      // Subscribing during the outage does not hang; it takes effect on reconnect.
      const subscribing = Date.now();
      await b.subscribeChannel("late", (e) => late.push(e));
      expect(Date.now() - subscribing).toBeLessThan(1000);
      expect(reconnectsA + reconnectsB).toBe(0);

      await server.start();
      await waitFor(() => reconnectsA === 1 && reconnectsB === 1, "both nodes to resubscribe", 10_000);
      await waitFor(async () => (await a.healthy()) && (await b.healthy()), "both nodes healthy", 10_000);

      await a.publishChannel("room", messageEvent("room", 3));
      await waitFor(() => gotB.length === 2, "b to get a's event after restart");
      await b.publishChannel("room", messageEvent("room", 4));
      await a.publishChannel("late", messageEvent("late", 5));
      await waitFor(
        () => gotA.length === 4 && gotB.length === 3 && late.length === 1,
        "delivery after restart",
      );
      expect(seqs(gotA)).toEqual([1, 2, 3, 4]);
      expect(seqs(gotB)).toEqual([1, 3, 4]);
      expect(seqs(late)).toEqual([5]);
    }, 30_000);

    it("rejects ready() when Redis cannot be reached", async () => {
      server = await startRedisServer();
      const { url } = server;
      await server.stop();
      const bus = createRedisBus({ url, connectTimeoutMs: 300 });
      buses.push(bus);
      await expect(bus.ready()).rejects.toThrow(/no connection/);
      expect(await bus.healthy()).toBe(false);
      await expect(bus.publishChannel("x", messageEvent("x", 1))).rejects.toThrow(/publish/);
    });
  });
}
