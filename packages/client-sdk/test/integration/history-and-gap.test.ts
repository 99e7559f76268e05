// History paging through the real REST API, and `gap` backfill when the server does not replay.
import type { MessageFrame } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import { connectRecorded, perTestFixtures } from "./fixtures.ts";
import { createChannel, range, waitFor } from "./harness.ts";

const fixtures = perTestFixtures();

describe("history", () => {
  it("pages backwards and forwards through the REST API with the member's token", async () => {
    const srv = await fixtures.server();
    await createChannel(srv.url, "paging", ["1"]);
    const { channel, rec } = connectRecorded(fixtures.client(srv.url, "1"), "paging");
    await rec.reached("connected");
    await Promise.all(range(1, 45).map((i) => channel.send(`m${i}`)));
    await rec.received(45);

    // Backwards from the newest, 20 at a time.
    const back: MessageFrame[][] = [];
    let page = await channel.history({ limit: 20 });
    back.push(page.messages);
    while (page.has_more && page.prev_before_seq !== null) {
      page = await channel.history({ beforeSeq: page.prev_before_seq, limit: 20 });
      back.push(page.messages);
    }
    expect(back.map((p) => p.length)).toEqual([20, 20, 5]);
    const older = back.reverse().flat();
    expect(older.map((m) => m.seq)).toEqual(range(1, 45));
    expect(older.map((m) => m.message)).toEqual(range(1, 45).map((i) => `m${i}`));
    // Pages carry the same messages the socket delivered.
    expect(older).toEqual(rec.messages);

    // Forwards from seq 30.
    const fwd = await channel.history({ afterSeq: 30, limit: 10 });
    expect(fwd.messages.map((m) => m.seq)).toEqual(range(31, 40));
    expect(fwd.has_more).toBe(true);
    const tail = await channel.history({ afterSeq: fwd.next_after_seq ?? 40, limit: 10 });
    expect(tail.messages.map((m) => m.seq)).toEqual(range(41, 45));
    expect(tail.has_more).toBe(false);
  }, 20_000);

  it("a non-member's history call rejects with the server's code and status", async () => {
    const srv = await fixtures.server();
    await createChannel(srv.url, "private", ["1"]);
    const client = fixtures.client(srv.url, "9");
    const err = await client
      .channel("private")
      .history()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "PodchatError", code: "NOT_MEMBER", status: 403 });
  }, 20_000);
});

describe("gap backfill", () => {
  it("fetches what the server did not replay (resume_max_messages: 5), once and in order", async () => {
    const srv = await fixtures.server({ limits: { resume_max_messages: 5 } });
    await createChannel(srv.url, "gappy", ["1", "2"]);
    const proxy = await fixtures.proxy(srv);
    // Reader goes through the proxy (so it can be cut off); writer talks to the server directly.
    const { rec: rrec } = connectRecorded(fixtures.client(proxy.url, "1"), "gappy");
    const { channel: wch, rec: wrec } = connectRecorded(fixtures.client(srv.url, "2"), "gappy");
    await Promise.all([rrec.reached("connected"), wrec.reached("connected")]);

    await Promise.all(range(1, 3).map((i) => wch.send(`live-${i}`)));
    await rrec.received(3);

    // The reader is offline while 17 messages are stored: more than the 5 the server replays.
    proxy.down();
    await rrec.reached("reconnecting");
    await Promise.all(range(1, 17).map((i) => wch.send(`missed-${i}`)));
    proxy.up();
    await rrec.received(20);
    await rrec.reached("connected");

    // The server replayed 16..20 and reported 4..15 as a gap; the SDK backfilled it from history.
    expect(rrec.gaps).toEqual([{ fromSeq: 4, toSeq: 15 }]);
    expect(rrec.messages.map((m) => m.seq)).toEqual(range(1, 20));
    expect(rrec.messages.map((m) => m.message)).toEqual([
      ...range(1, 3).map((i) => `live-${i}`),
      ...range(1, 17).map((i) => `missed-${i}`),
    ]);
    expect(rrec.errors).toEqual([]);
    // And nothing arrives twice later (a late replay or a second backfill would add messages).
    await wch.send("after");
    await rrec.received(21);
    await waitFor(() => wrec.messages.length === 21, { what: "writer sees its own message" });
    expect(rrec.messages.map((m) => m.seq)).toEqual(range(1, 21));
  }, 20_000);
});
