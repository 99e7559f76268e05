import type { MessageFrame } from "@podchat/protocol";
import { vi } from "vitest";
import type { PodchatChannel } from "../src/channel.ts";
import { createClient } from "../src/client.ts";
import type { PodchatError } from "../src/errors.ts";
import type { ChannelStatus, ClientOptions, GapEvent, OutboxStatus } from "../src/types.ts";
import { FakeServer } from "./fake-server.ts";

/** A fake server and a client wired to it. */
export function setup(options: Partial<ClientOptions> = {}) {
  const server = new FakeServer();
  const client = createClient({
    url: "http://fake",
    token: "t1",
    WebSocket: server.WebSocket,
    fetch: server.fetch,
    ...options,
  });
  return { server, client };
}

/** Everything a channel emitted, in order. */
export function record(channel: PodchatChannel) {
  const log = {
    status: [] as ChannelStatus[],
    seqs: [] as number[],
    messages: [] as MessageFrame[],
    errors: [] as PodchatError[],
    gaps: [] as GapEvent[],
    /** Status of each outbox item per outbox event, by req_id. */
    outbox: [] as Record<string, OutboxStatus>[],
    /** Interleaving of message and gap events. */
    order: [] as string[],
  };
  channel.on("status", (s) => log.status.push(s));
  channel.on("message", (m) => {
    log.messages.push(m);
    log.seqs.push(m.seq);
    log.order.push(`m${m.seq}`);
  });
  channel.on("error", (e) => log.errors.push(e));
  channel.on("gap", (g) => {
    log.gaps.push(g);
    log.order.push(`gap${g.fromSeq}-${g.toSeq}`);
  });
  channel.on("outbox", (items) => log.outbox.push(Object.fromEntries(items.map((i) => [i.reqId, i.status]))));
  return log;
}

/**
 * Moves fake time forward by `ms`, running every timer due and the promise chains they start,
 * then lets work scheduled "now" by those chains (socket handshakes, deliveries) settle.
 */
export async function advance(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
  await vi.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0);
}

/** Seeded PRNG (mulberry32), so jitter tests are random-looking yet repeatable. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
