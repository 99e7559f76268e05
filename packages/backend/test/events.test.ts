// The events feed's consumer against real podchat servers: a child process killed with SIGKILL
// mid-stream and started again (same port and SQLite file), and in-process servers for the gap
// error and the feed being off.
import { describe, expect, test } from "vitest";
import {
  childServerPerTest,
  RATE_LIMITS_OFF_YAML,
  until,
} from "../../../apps/server/test/hardening/support.ts";
import { API_KEY, startServer, token } from "../../../apps/server/test/harness.ts";
import {
  createPodchatBackend,
  type FeedEvent,
  PodchatApiError,
  PodchatEventsExpiredError,
} from "../src/index.ts";

const childServer = childServerPerTest();
const FEED_YAML = `${RATE_LIMITS_OFF_YAML}\nevents:\n  feed:\n    enabled: true\n`;

describe("events.consume", () => {
  test("resumes after the server is killed and restarted: every event once, in order", async () => {
    const server = await childServer("feed-kill", FEED_YAML);
    const first = await server.start();
    const podchat = createPodchatBackend({ baseUrl: server.base, apiKey: API_KEY, timeoutMs: 2000 });
    await podchat.createGroupChannel({ channelUrl: "feed_kill", userIds: ["1"] });

    const seen: FeedEvent[] = [];
    let stored = 0; // what a real consumer would persist
    const retries: string[] = [];
    const stop = new AbortController();
    const consuming = podchat.events.consume({
      from: 0,
      limit: 7,
      waitMs: 500,
      backoffMs: 50,
      maxBackoffMs: 200,
      signal: stop.signal,
      onRetry: (e) => retries.push(e.code),
      onEvent: (e) => {
        seen.push(e);
        stored = e.position;
      },
    });
    const send = (i: number) => podchat.sendMessage("feed_kill", { userId: "1", message: `m${i}` });
    for (let i = 0; i < 15; i++) await send(i);
    await until(() => seen.length === 16, 10_000, "the first 16 events");

    first.proc.kill("SIGKILL");
    await first.exited;
    await until(() => retries.length >= 2, 10_000, "the consumer retrying while the server is down");
    await server.start();
    for (let i = 15; i < 30; i++) await send(i);
    await until(() => seen.length === 31, 15_000, "all 31 events after the restart");
    stop.abort();
    expect(await consuming).toBe(31);

    expect(seen.map((e) => e.position)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(new Set(seen.map((e) => e.id)).size).toBe(31);
    expect(seen[0]!.type).toBe("channel.created");
    expect(seen.slice(1).map((e) => (e.type === "message.sent" ? e.data.message.message : e.type))).toEqual(
      Array.from({ length: 30 }, (_, i) => `m${i}`),
    );
    expect(retries.every((c) => c === "NETWORK_ERROR" || c === "TIMEOUT")).toBe(true);

    // A consumer started again from the stored position gets only what came after it.
    await send(30);
    const again: number[] = [];
    const stop2 = new AbortController();
    const c2 = podchat.events.consume({
      from: stored,
      waitMs: 200,
      signal: stop2.signal,
      onEvent: (e) => {
        again.push(e.position);
      },
    });
    await until(() => again.length === 1, 10_000, "the one new event");
    stop2.abort();
    expect(await c2).toBe(32);
    expect(again).toEqual([32]);
  }, 90_000);

  test("a consumer behind the retention gets a clear gap error; the page answers 410 with oldest_position", async () => {
    const t = await startServer({ overrides: { events: { feed: { enabled: true } } } });
    try {
      const podchat = createPodchatBackend({ baseUrl: t.url, apiKey: API_KEY });
      await podchat.createGroupChannel({ channelUrl: "feed_gap", userIds: ["1"] });
      await podchat.sendMessage("feed_gap", { userId: "1", message: "old" });
      expect(await t.server.eventFeed.prune(Date.now() + 10 * 24 * 3600_000)).toBe(2);
      await podchat.sendMessage("feed_gap", { userId: "1", message: "new" });

      const res = await t.api("/api/v1/events?after=0");
      expect(res.status).toBe(410);
      const body = (await res.json()) as {
        error: { code: string; oldest_position: number; message: string };
      };
      expect(body.error).toMatchObject({ code: "EVENTS_EXPIRED", oldest_position: 3 });
      expect(body.error.message).toMatch(/retention/);

      const err = await podchat.events.consume({ from: 0, onEvent: () => {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PodchatEventsExpiredError);
      expect((err as PodchatEventsExpiredError).oldestPosition).toBe(3);
      // From the oldest kept minus one: no gap, no error.
      const page = await podchat.events.list({ after: 2 });
      expect(page.events.map((e) => e.position)).toEqual([3]);
      expect(page).toMatchObject({ next_after: 3, has_more: false });
    } finally {
      await t.close();
    }
  });

  test("long-poll: a waiting page answers as soon as an event is committed", async () => {
    const t = await startServer({ overrides: { events: { feed: { enabled: true } } } });
    try {
      const podchat = createPodchatBackend({ baseUrl: t.url, apiKey: API_KEY });
      await podchat.createGroupChannel({ channelUrl: "feed_wait", userIds: ["1"] });
      const waiting = podchat.events.list({ after: 1, waitMs: 20_000 });
      let answered = false;
      void waiting.then(() => (answered = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(answered).toBe(false);
      await podchat.sendMessage("feed_wait", { userId: "1", message: "wake" });
      const page = await waiting;
      expect(page.events.map((e) => e.position)).toEqual([2]);
    } finally {
      await t.close();
    }
  });

  test("API key only; off by default (501); bad query is 400", async () => {
    const off = await startServer();
    try {
      const res = await off.api("/api/v1/events");
      expect(res.status).toBe(501);
    } finally {
      await off.close();
    }
    const t = await startServer({ overrides: { events: { feed: { enabled: true } } } });
    try {
      expect((await t.api("/api/v1/events", { noKey: true })).status).toBe(401);
      const admin = await token("admin", { claims: { role: "admin" } });
      expect((await t.api("/api/v1/events", { token: admin })).status).toBe(403);
      expect((await t.api("/api/v1/events?after=-1")).status).toBe(400);
      expect((await t.api("/api/v1/events?limit=5000")).status).toBe(400);
      // Ahead of the log (a consumer of a restored or reset database): said, not waited on.
      const ahead = await t.api("/api/v1/events?after=999");
      expect(ahead.status).toBe(400);
      expect(((await ahead.json()) as { error: { field: string } }).error.field).toBe("after");
      const podchat = createPodchatBackend({ baseUrl: t.url, apiKey: "wrong-key" });
      const err = await podchat.events.consume({ from: 0, onEvent: () => {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PodchatApiError);
      expect((err as PodchatApiError).status).toBe(401);
    } finally {
      await t.close();
    }
  });
});
