import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defaultReconnectPolicy } from "../src/backoff.ts";
import { advance, seeded, setup } from "./helpers.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** What the server's drain sends: an ERROR naming the close, then close 1001. */
function drain(socket: { deliver(f: object): void; serverClose(code: number, reason?: string): void }) {
  socket.deliver({ type: "ERROR", code: "DRAINING", message: "server is restarting", close_code: 1001 });
  socket.serverClose(1001, "server is restarting");
}

describe("reconnect after the server drains (close 1001)", () => {
  it("exports a short drain window: uniform 0 .. 1 s", () => {
    expect(defaultReconnectPolicy.drainMaxDelayMs).toBe(1_000);
  });

  it("reconnects after a uniform delay in [0, drainMaxDelayMs], not after the backoff", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.25);
    const { server, client } = setup();
    const ch = client.channel("c1");
    ch.connect();
    await advance();
    drain(server.latest);
    await advance(249);
    expect(server.sockets).toHaveLength(1);
    expect(ch.status).toBe("reconnecting");
    await advance(1);
    expect(server.sockets).toHaveLength(2);
    expect(ch.status).toBe("connected");
    // The same random value on the backoff would wait 500 + 0.25·500 = 625 ms after a 1006.
    server.latest.serverClose(1006);
    await advance(624);
    expect(server.sockets).toHaveLength(2);
    await advance(1);
    expect(server.sockets).toHaveLength(3);
  });

  it("falls back to the normal backoff when that reconnect fails, also when it is refused with 1001", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const { server, client } = setup();
    const ch = client.channel("c1");
    ch.connect();
    await advance();
    // Refused twice: once by a server that is still draining, once by a store that is not up yet.
    const refusals = [
      { accept: false as const, closeCode: 1001, code: "DRAINING" },
      { accept: false as const, closeCode: 4503, code: "STORE_UNAVAILABLE" },
    ];
    server.admit = () => refusals.shift() ?? { accept: true };
    drain(server.latest);
    const at: number[] = [];
    const start = Date.now();
    const seen = () => {
      while (at.length < server.sockets.length - 1) at.push(Date.now() - start);
    };
    for (let t = 0; t < 5_000; t += 10) {
      await advance(10);
      seen();
    }
    // drain window 0.5·1000 = 500; then the backoff's second and third steps:
    // 500 + 0.5·1000 = 1000, then 500 + 0.5·2000 = 1500.
    expect(at).toEqual([500, 500 + 1000, 500 + 1000 + 1500]);
    expect(ch.status).toBe("connected");
  });

  it("spreads a herd over the window and honours a configured window", async () => {
    vi.spyOn(Math, "random").mockImplementation(seeded(7));
    const { server, client } = setup({ reconnect: { drainMaxDelayMs: 1_500 } });
    const channels = Array.from({ length: 200 }, (_, i) => client.channel(`c${i}`));
    for (const ch of channels) ch.connect();
    await advance();
    const first = [...server.sockets];
    for (const s of first) drain(s);
    const times: number[] = [];
    for (let t = 0; t <= 1_500; t += 50) {
      await advance(t === 0 ? 0 : 50);
      while (times.length < server.sockets.length - first.length) times.push(t);
    }
    expect(times).toHaveLength(200);
    expect(channels.every((c) => c.status === "connected")).toBe(true);
    // Roughly uniform: every third of the window gets a fair share.
    const thirds = [0, 1, 2].map((k) => times.filter((t) => t > k * 500 && t <= (k + 1) * 500).length);
    expect(times.filter((t) => t === 0).length + thirds.reduce((a, b) => a + b, 0)).toBe(200);
    for (const n of thirds) expect(n).toBeGreaterThan(40);
  });
});
