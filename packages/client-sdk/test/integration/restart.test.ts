// The server goes away mid-conversation and comes back on the same port and SQLite file: sends made
// while it was down wait in the outbox and are delivered once after; nothing acknowledged is lost.
import type { ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { PodchatChannel, PodchatClient } from "../../src/index.ts";
import { perTestFixtures } from "./fixtures.ts";
import {
  createChannel,
  freePort,
  killChild,
  type Recorder,
  range,
  record,
  startChildServer,
  startServer,
  tempDbPath,
  waitFor,
} from "./harness.ts";

const fixtures = perTestFixtures();

interface Pair {
  clients: PodchatClient[];
  channels: PodchatChannel[];
  recs: Recorder[];
}

async function connectPair(url: string, channelUrl: string): Promise<Pair> {
  const clients = ["1", "2"].map((u) => fixtures.client(url, u));
  const channels = clients.map((c) => c.channel(channelUrl));
  const recs = channels.map(record);
  for (const ch of channels) ch.connect();
  await Promise.all(recs.map((r) => r.reached("connected")));
  return { clients, channels, recs };
}

/** Both clients send `n` messages each, tagged with `tag`; resolves with every acknowledgement. */
function exchange({ channels }: Pair, tag: string, n: number) {
  return Promise.all(channels.flatMap((ch, c) => range(1, n).map((i) => ch.send(`${tag}-u${c + 1}-${i}`))));
}

function expectExactlyOnce(recs: Recorder[], total: number): void {
  for (const rec of recs) {
    expect(rec.messages.map((m) => m.seq)).toEqual(range(1, total));
    expect(new Set(rec.messages.map((m) => m.message)).size).toBe(total);
  }
}

/** The statuses seen from `from` on: a loss of the server reads reconnecting → connected. */
function expectReconnected(rec: Recorder, from: number): void {
  const seen = rec.statuses.slice(from);
  expect(seen[0]).toBe("reconnecting");
  expect(seen.at(-1)).toBe("connected");
  expect(seen).not.toContain("disconnected");
}

describe("server restart", () => {
  it("in-process: close, then a new server on the same port and SQLite file", async () => {
    let srv = await startServer();
    const { port, dbPath } = srv;
    fixtures.defer(() => srv.server.close());
    await createChannel(srv.url, "restart", ["1", "2"]);
    const pair = await connectPair(srv.url, "restart");

    const before = await exchange(pair, "before", 10);
    await Promise.all(pair.recs.map((r) => r.received(20)));
    const statusMark = pair.recs.map((r) => r.statuses.length);

    await srv.server.close();
    await Promise.all(pair.recs.map((r) => r.reached("reconnecting")));
    // Sent while the server is down: they wait in the outbox, not on any wire.
    const during = exchange(pair, "down", 15);
    await waitFor(() => pair.channels.every((ch) => ch.stats().queueDepth === 15), { what: "queued sends" });
    expect(pair.channels.map((ch) => ch.outbox.every((o) => o.status === "pending"))).toEqual([true, true]);

    srv = await startServer({ port, dbPath });
    const after = await during;
    await Promise.all(pair.recs.map((r) => r.received(50)));

    expect(before.map((r) => r.seq).sort((a, b) => a - b)).toEqual(range(1, 20));
    expect(after.map((r) => r.seq).sort((a, b) => a - b)).toEqual(range(21, 50));
    expect(after.some((r) => r.duplicate)).toBe(false);
    expectExactlyOnce(pair.recs, 50);
    for (const [i, r] of pair.recs.entries()) expectReconnected(r, statusMark[i] ?? 0);
    // What was acknowledged before the restart is still stored.
    const stored = await pair.channels[0]?.history({ afterSeq: 0, limit: 100 });
    expect(stored?.messages.map((m) => m.message_id)).toEqual(
      pair.recs[0]?.messages.map((m) => m.message_id),
    );
  }, 30_000);

  it("child process: SIGKILL mid-conversation, restarted with the same PORT and SQLITE_PATH", async () => {
    const port = await freePort();
    const dbPath = tempDbPath();
    let child: ChildProcess = await startChildServer(port, dbPath);
    fixtures.defer(() => killChild(child, "SIGKILL"));
    const url = `http://127.0.0.1:${port}`;
    await createChannel(url, "killed", ["1", "2"]);
    const pair = await connectPair(url, "killed");

    // Sends still on the wire when the process dies: whatever was acknowledged must survive.
    const before = await exchange(pair, "before", 5);
    const racing = exchange(pair, "racing", 5);
    const statusMark = pair.recs.map((r) => r.statuses.length);
    await killChild(child, "SIGKILL");
    await Promise.all(pair.recs.map((r) => r.reached("reconnecting")));
    const during = exchange(pair, "down", 5);
    await waitFor(() => pair.channels.every((ch) => ch.stats().queueDepth >= 5), { what: "queued sends" });

    child = await startChildServer(port, dbPath);
    const raced = await racing;
    const after = await during;
    await Promise.all(pair.recs.map((r) => r.received(30)));

    const acked = [...before, ...raced, ...after].map((r) => r.seq).sort((a, b) => a - b);
    expect(acked).toEqual(range(1, 30));
    expectExactlyOnce(pair.recs, 30);
    for (const [i, r] of pair.recs.entries()) expectReconnected(r, statusMark[i] ?? 0);
    const texts = pair.recs[0]?.messages.map((m) => m.message) ?? [];
    for (const tag of ["before", "racing", "down"]) {
      for (const u of [1, 2]) {
        const mine = texts.filter((t) => t.startsWith(`${tag}-u${u}-`));
        expect(mine).toEqual(range(1, 5).map((i) => `${tag}-u${u}-${i}`));
      }
    }
  }, 60_000);
});
