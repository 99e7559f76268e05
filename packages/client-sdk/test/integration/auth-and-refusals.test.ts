// Token expiry and terminal refusals against the real server's admission checks.
import { describe, expect, it } from "vitest";
import { PodchatError } from "../../src/index.ts";
import { connectRecorded, perTestFixtures } from "./fixtures.ts";
import {
  countingWebSocket,
  createChannel,
  mintToken,
  record,
  type RunningServer,
  waitFor,
} from "./harness.ts";

const fixtures = perTestFixtures();

let srv: RunningServer;
async function server(): Promise<RunningServer> {
  srv = await fixtures.server();
  return srv;
}

/** Decoded `exp` of a JWT, in ms. */
function expiresAt(jwt: string): number {
  const payload = JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as { exp: number };
  return payload.exp * 1000;
}

describe("token expiry", () => {
  it("after a forced reconnect the server refuses the expired token (4401); the SDK gets a fresh one", async () => {
    await server();
    await createChannel(srv.url, "expiry", ["1"]);
    const proxy = await fixtures.proxy(srv);
    const minted: string[] = [];
    const client = fixtures.client(proxy.url, "1", {
      getToken: async () => {
        const t = mintToken("1", 2);
        minted.push(t);
        return t;
      },
    });
    const { channel, rec } = connectRecorded(client, "expiry");
    await rec.reached("connected");
    expect(minted).toHaveLength(1);
    await channel.send("with the first token");

    // The server verifies `exp` with 5 s of clock tolerance: wait until the first token is
    // unambiguously dead, then break the socket so the SDK reconnects with the token it holds.
    const first = minted[0] ?? "";
    await waitFor(() => Date.now() > expiresAt(first) + 6_500, { timeoutMs: 15_000, what: "token expiry" });
    const statusMark = rec.statuses.length;
    proxy.cut();
    await waitFor(() => rec.statuses.length > statusMark && channel.status === "connected", {
      timeoutMs: 10_000,
      what: "reconnected",
    });

    expect(rec.statuses.slice(statusMark)).toEqual(["reconnecting", "connected"]);
    expect(channel.stats().lastClose?.code).toBe(4401);
    expect(minted).toHaveLength(2);
    expect(expiresAt(minted[1] ?? "")).toBeGreaterThan(Date.now());
    // No error reached the app: an expired token is routine.
    expect(rec.errors).toEqual([]);
    const r = await channel.send("with the fresh token");
    await rec.received(2);
    expect(rec.messages.map((m) => [m.seq, m.message])).toEqual([
      [1, "with the first token"],
      [2, "with the fresh token"],
    ]);
    expect(r.seq).toBe(2);
  }, 30_000);

  it("history refreshes an expired token once on 401", async () => {
    await server();
    await createChannel(srv.url, "expiry-rest", ["1"]);
    const stale = mintToken("1", -60);
    let fresh = 0;
    const client = fixtures.client(srv.url, "1", {
      token: stale,
      getToken: async () => {
        fresh++;
        return mintToken("1");
      },
    });
    const page = await client.channel("expiry-rest").history({ limit: 10 });
    expect(page.messages).toEqual([]);
    expect(fresh).toBe(1);
  }, 20_000);
});

describe("terminal refusals", () => {
  async function refused(channelUrl: string, userId: string) {
    const { Ctor, opened } = countingWebSocket();
    const client = fixtures.client(srv.url, userId, { WebSocket: Ctor });
    const channel = client.channel(channelUrl);
    const rec = record(channel);
    const queued = channel.send("never delivered").catch((e: unknown) => e);
    channel.connect();
    await waitFor(() => rec.errors.length > 0, { what: "error event" });
    // A retry loop would have opened more sockets by now: backoff is 20–250 ms in these tests.
    await new Promise((r) => setTimeout(r, 1_000));
    return { rec, channel, opened: opened(), queued: await queued };
  }

  it("unknown channel: 4404, disconnected, one connection attempt", async () => {
    await server();
    const { rec, channel, opened, queued } = await refused("no-such-channel", "1");
    expect(opened).toBe(1);
    expect(channel.status).toBe("disconnected");
    expect(rec.statuses).toEqual(["connecting", "disconnected"]);
    expect(rec.errors).toHaveLength(1);
    const err = rec.errors[0] as PodchatError;
    expect(err).toBeInstanceOf(PodchatError);
    expect(err.closeCode).toBe(4404);
    expect(err.code).toBe("CHANNEL_NOT_FOUND");
    expect(queued).toBe(err);
    expect(channel.stats().reconnectAttempts).toBe(0);
  }, 20_000);

  it("not a member: 4403, disconnected, one connection attempt", async () => {
    await server();
    await createChannel(srv.url, "members-only", ["1", "2"]);
    const { rec, channel, opened, queued } = await refused("members-only", "3");
    expect(opened).toBe(1);
    expect(channel.status).toBe("disconnected");
    expect(rec.statuses).toEqual(["connecting", "disconnected"]);
    const err = rec.errors[0] as PodchatError;
    expect(err.closeCode).toBe(4403);
    expect(err.code).toBe("NOT_MEMBER");
    expect(queued).toBe(err);
    expect(rec.errors).toHaveLength(1);
  }, 20_000);
});
