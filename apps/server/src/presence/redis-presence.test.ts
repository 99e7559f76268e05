import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  findRedis,
  findRedisServerBinary,
  type PrivateRedis,
  startRedisServer,
  warnSkipped,
} from "../../test/services.ts";
import { waitFor } from "../bus/bus.conformance.ts";
import { describePresence } from "./presence.conformance.ts";
import type { Presence } from "./presence.ts";
import { createRedisPresence, type RedisPresence } from "./redis-presence.ts";

/** A private key namespace per test, so parallel runs on a shared Redis do not see each other. */
const freshPrefix = () => `podchat_test_${randomBytes(6).toString("hex")}`;
const TTL_MS = 800;
const HEARTBEAT_MS = 150;

const found = await findRedis();
if ("skip" in found) {
  warnSkipped("redis presence conformance", found.skip);
  describe.skip("redis presence conformance (no Redis)", () => {
    it("needs Redis", () => {});
  });
} else {
  const url = found.url;
  let prefix = "";
  const connect = async () => {
    const p = createRedisPresence({ url, prefix, ttlMs: TTL_MS, heartbeatMs: HEARTBEAT_MS });
    await p.ready();
    return p;
  };
  describePresence("redis", {
    async open() {
      prefix = freshPrefix();
      return connect();
    },
    openPeer: connect,
    crash: (p: Presence) => (p as RedisPresence).crash(),
    expiryMs: TTL_MS + 2 * HEARTBEAT_MS,
  });
}

const binary = findRedisServerBinary();
if ("skip" in binary) {
  warnSkipped("redis presence outage test", binary.skip);
  describe.skip("redis presence: Redis restart (no redis-server)", () => {
    it("needs redis-server", () => {});
  });
} else {
  describe("redis presence: Redis restart", () => {
    let server: PrivateRedis | undefined;
    const opened: RedisPresence[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((p) => p.close()));
      await server?.stop();
      server = undefined;
    });

    it("answers from local counts while Redis is down and writes its state again after a restart", async () => {
      server = await startRedisServer();
      const prefix = freshPrefix();
      const open = async () => {
        const p = createRedisPresence({ url: server!.url, prefix, ttlMs: TTL_MS, heartbeatMs: HEARTBEAT_MS });
        opened.push(p);
        await p.ready();
        return p;
      };
      const a = await open();
      const b = await open();
      await a.join("room", "1");
      await b.join("room", "2");
      expect((await b.online("room")).sort()).toEqual(["1", "2"]);

      await server.stop();
      const started = Date.now();
      // No answer from Redis: the instance's own view, quickly.
      expect(await a.join("room", "3")).toBe(true);
      expect((await a.online("room")).sort()).toEqual(["1", "3"]);
      expect(Date.now() - started).toBeLessThan(1000);

      // A restarted Redis without persistence holds nothing; both instances write their state again.
      await server.start();
      await waitFor(
        async () => (await b.online("room")).sort().join() === "1,2,3",
        "both instances to write their presence again",
        10_000,
      );
      expect(await b.join("room", "3")).toBe(false);
      expect(await a.leave("room", "1")).toBe(true);
      expect((await b.online("room")).sort()).toEqual(["2", "3"]);
    }, 30_000);
  });
}
