import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type TestServer, createChannel, startServer, token } from "./harness.ts";

const HEARTBEAT_MS = 400;

/** A raw socket in `hb_room` that records when pings arrive; `answer: false` never pongs (a dead peer). */
async function open(t: TestServer, user: string, answer: boolean) {
  const ws = new WebSocket(`${t.wsUrl}/api/v1/chat/ws/hb_room?token=${await token(user)}`, {
    autoPong: answer,
  });
  const pings: number[] = [];
  ws.on("ping", () => pings.push(performance.now()));
  let closedAt: number | null = null;
  ws.on("close", () => {
    closedAt = performance.now();
  });
  await once(ws, "open");
  return { ws, pings, closedAt: () => closedAt };
}

describe("server heartbeat", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer({ overrides: { realtime: { heartbeat_ms: HEARTBEAT_MS } } });
    await createChannel(
      t,
      "hb_room",
      Array.from({ length: 20 }, (_, i) => String(i + 1)),
    );
  });
  afterAll(() => t.close());

  it("pings every socket once per interval, spread over it, and closes the ones that stop answering", async () => {
    const live = await Promise.all(Array.from({ length: 19 }, (_, i) => open(t, String(i + 1), true)));
    const dead = await open(t, "20", false);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 5));

    // The silent peer is gone within two intervals of its first ping; the others stay.
    expect(dead.closedAt()).not.toBeNull();
    expect(dead.closedAt()! - dead.pings[0]!).toBeLessThanOrEqual(HEARTBEAT_MS * 2 + 600);
    for (const s of live) expect(s.closedAt()).toBeNull();

    // Each live socket got about one ping per interval (5 intervals waited).
    for (const s of live) {
      expect(s.pings.length).toBeGreaterThanOrEqual(3);
      expect(s.pings.length).toBeLessThanOrEqual(6);
    }
    // Spread: the sockets' first pings fall into several slices of the interval, not one burst.
    const slices = new Set(
      live.map((s) => Math.floor(((s.pings[0]! - t0) % HEARTBEAT_MS) / (HEARTBEAT_MS / 10))),
    );
    expect(slices.size).toBeGreaterThanOrEqual(4);
    for (const s of live) s.ws.close();
  });
});
