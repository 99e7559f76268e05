// The user connection against the real server: one client, one socket, three channel handles and
// the inbox; messages from another user move rows and unread counts; a socket cut mid-stream loses
// and repeats nothing per channel; a channel the user is not in fails on its handle only.
import type { MessageFrame } from "@podchat/protocol";
import { WebSocket } from "ws";
import { describe, expect, it } from "vitest";
import { createInboxClient, type InboxState, type PodchatInboxClient } from "../../src/inbox/index.ts";
import type { SendResult, WebSocketConstructor } from "../../src/index.ts";
import { perTestFixtures } from "./fixtures.ts";
import {
  API_KEY,
  countingWebSocket,
  createChannel,
  fastReconnect,
  freePort,
  killChild,
  mintToken,
  range,
  record,
  startChildServer,
  startServer,
  tempDbPath,
  waitFor,
} from "./harness.ts";

const fixtures = perTestFixtures();

function inboxClient(url: string, userId: string, Ctor: WebSocketConstructor): PodchatInboxClient {
  const client = createInboxClient({
    url,
    getToken: async () => mintToken(userId),
    WebSocket: Ctor,
    reconnect: fastReconnect,
    heartbeatMs: 2_000,
  });
  fixtures.defer(() => client.close());
  return client;
}

/** A message from `userId` through the REST API (the API key sends on behalf of a user). */
async function postAs(base: string, channelUrl: string, userId: string, message: string): Promise<void> {
  const res = await fetch(`${base}/api/v1/chat/channels/${channelUrl}/messages`, {
    method: "POST",
    headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
    body: JSON.stringify({ user_id: userId, message }),
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`post: ${res.status} ${await res.text()}`);
}

const urlsOf = (s: InboxState) => s.rows.map((r) => r.channel_url);
const unreadOf = (s: InboxState) => Object.fromEntries(s.rows.map((r) => [r.channel_url, r.unread_count]));

describe("the user connection (real server)", () => {
  it("serves three channel handles and the inbox over one socket; others' messages move rows and unread", async () => {
    const srv = await fixtures.server();
    const urls = ["uc_a", "uc_b", "uc_c"];
    for (const url of urls) await createChannel(srv.url, url, ["1", "2"]);
    const counting = countingWebSocket();
    const client = inboxClient(srv.url, "1", counting.Ctor);
    const inbox = client.inbox();
    inbox.connect();
    const chans = urls.map((u) => client.channel(u));
    const recs = chans.map(record);
    for (const ch of chans) ch.connect();
    await Promise.all(recs.map((r) => r.reached("connected")));
    await waitFor(() => inbox.state.rows.length === 3, { what: "the first page" });
    expect(inbox.state.totalUnread).toBe(0);

    await postAs(srv.url, "uc_b", "2", "b from 2");
    await waitFor(() => inbox.state.totalUnread === 1, { what: "unread 1" });
    expect(urlsOf(inbox.state)[0]).toBe("uc_b");
    await postAs(srv.url, "uc_a", "2", "a from 2");
    await postAs(srv.url, "uc_a", "2", "a again");
    await waitFor(() => inbox.state.totalUnread === 3, { what: "unread 3" });
    expect(urlsOf(inbox.state)).toEqual(["uc_a", "uc_b", "uc_c"]);
    expect(unreadOf(inbox.state)).toEqual({ uc_a: 2, uc_b: 1, uc_c: 0 });
    expect(inbox.state.rows[0]?.last_message?.message).toBe("a again");
    // The handles got their own channel's messages.
    await recs[0]!.received(2);
    expect(recs.map((r) => r.messages.map((m) => m.message))).toEqual([
      ["a from 2", "a again"],
      ["b from 2"],
      [],
    ]);

    // The user's own send (through a handle) moves its row but is not unread.
    const ack = await chans[2]!.send("c from me");
    expect(ack.seq).toBe(1);
    await waitFor(() => urlsOf(inbox.state)[0] === "uc_c", { what: "uc_c on top" });
    expect(inbox.state.totalUnread).toBe(3);

    // Read through a handle: the server tells the user connection the exact counts (INBOX_READ).
    chans[0]!.markRead();
    await waitFor(() => inbox.state.totalUnread === 1, { what: "uc_a read" });
    expect(unreadOf(inbox.state)).toEqual({ uc_a: 0, uc_b: 1, uc_c: 0 });
    // And from the list, for a channel whose handle is not even connected.
    chans[1]!.disconnect();
    expect(inbox.markRead("uc_b")).toBe(true);
    await waitFor(() => inbox.state.totalUnread === 0, { what: "uc_b read" });

    expect(counting.opened()).toBe(1);
    expect(recs.flatMap((r) => r.errors)).toEqual([]);
  });

  it("a read on another device of the same user lowers the unread count", async () => {
    const srv = await fixtures.server();
    await createChannel(srv.url, "dev_a", ["1", "2"]);
    for (let i = 0; i < 3; i++) await postAs(srv.url, "dev_a", "2", `m${i}`);
    const phone = inboxClient(srv.url, "1", WebSocket as unknown as WebSocketConstructor);
    const laptop = inboxClient(srv.url, "1", WebSocket as unknown as WebSocketConstructor);
    const inbox = laptop.inbox();
    inbox.connect();
    await waitFor(() => inbox.state.totalUnread === 3, { what: "3 unread" });
    const ch = phone.channel("dev_a");
    const rec = record(ch);
    ch.connect();
    await rec.reached("connected");
    ch.markRead(2);
    await waitFor(() => inbox.state.totalUnread === 1, { what: "read elsewhere" });
    expect(inbox.state.rows[0]).toMatchObject({ channel_url: "dev_a", unread_count: 1, last_read_seq: 2 });
  });

  it("loses and repeats nothing per channel when the socket is cut mid-stream", async () => {
    const srv = await fixtures.server();
    const urls = ["cut_a", "cut_b", "cut_c"];
    for (const url of urls) await createChannel(srv.url, url, ["1", "2"]);
    const proxy = await fixtures.proxy(srv);
    const counting = countingWebSocket();
    const client = inboxClient(proxy.url, "1", counting.Ctor);
    const inbox = client.inbox();
    inbox.connect();
    const chans = urls.map((u) => client.channel(u));
    const recs = chans.map(record);
    for (const ch of chans) ch.connect();
    await Promise.all(recs.map((r) => r.reached("connected")));
    // The other user writes through a per-channel socket of the core client.
    const other = fixtures.client(srv.url, "2");
    const theirs = urls.map((u) => other.channel(u));
    for (const ch of theirs) ch.connect();
    await Promise.all(theirs.map((ch) => record(ch).reached("connected")));

    const perChannel = 60;
    let cuts = 0;
    const sends: Array<Promise<SendResult>> = [];
    for (let i = 0; i < perChannel; i++) {
      for (const [c, url] of urls.entries()) {
        sends.push(theirs[c]!.send(`${url} 2:${i}`));
        if (i % 3 === 0) sends.push(chans[c]!.send(`${url} 1:${i}`));
      }
      if (i % 15 === 7) cuts += proxy.cut();
      await new Promise((r) => setTimeout(r, 5));
    }
    const acks = await Promise.all(sends);
    expect(cuts).toBeGreaterThan(0);
    const mine = perChannel / 3;
    const total = perChannel + mine;
    await Promise.all(recs.map((r) => r.received(total, 30_000)));
    for (const [c, rec] of recs.entries()) {
      expect(rec.messages.map((m: MessageFrame) => m.seq)).toEqual(range(1, total));
      expect(new Set(rec.messages.map((m) => m.message)).size).toBe(total);
      // Stored once each, whatever was resent after a cut.
      const res = await fetch(`${srv.url}/api/v1/chat/channels/${urls[c]}/messages?limit=200`, {
        headers: { "X-Api-Key": API_KEY },
      });
      expect(((await res.json()) as { messages: unknown[] }).messages).toHaveLength(total);
    }
    expect(new Set(acks.map((a) => a.messageId)).size).toBe(acks.length);
    // The inbox caught up: every row at its channel's last seq with the other user's messages unread.
    await waitFor(() => inbox.state.totalUnread === perChannel * 3, {
      what: `unread ${perChannel * 3} (have ${inbox.state.totalUnread})`,
    });
    expect(unreadOf(inbox.state)).toEqual(Object.fromEntries(urls.map((u) => [u, perChannel])));
    expect(inbox.state.rows.map((r) => r.last_seq)).toEqual([total, total, total]);
    // Every socket this client opened was the user connection (one at a time, one per reconnect).
    expect(counting.opened()).toBe(client.stats().userSocket.reconnectAttempts + 1);
    expect(counting.opened()).toBeGreaterThan(1);
  }, 60_000);

  it("survives a server restart: sends made meanwhile go out once, every handle resumes, the list is read again", async () => {
    let srv = await startServer();
    const { port, dbPath } = srv;
    fixtures.defer(() => srv.server.close());
    const urls = ["rs_a", "rs_b"];
    for (const url of urls) await createChannel(srv.url, url, ["1", "2"]);
    const client = inboxClient(srv.url, "1", WebSocket as unknown as WebSocketConstructor);
    const inbox = client.inbox();
    inbox.connect();
    const chans = urls.map((u) => client.channel(u));
    const recs = chans.map(record);
    for (const ch of chans) ch.connect();
    await Promise.all(recs.map((r) => r.reached("connected")));
    await postAs(srv.url, "rs_a", "2", "before");
    await recs[0]!.received(1);

    await srv.server.close();
    await Promise.all(recs.map((r) => r.reached("reconnecting")));
    const waiting = chans.map((ch, i) => ch.send(`sent while down ${i}`));
    srv = await startServer({ port, dbPath });
    await postAs(srv.url, "rs_b", "2", "after restart");
    const acks = await Promise.all(waiting);
    expect(acks.map((a) => a.duplicate)).toEqual([false, false]);
    await recs[0]!.received(2);
    await recs[1]!.received(2);
    expect(recs[0]!.messages.map((m) => [m.seq, m.message])).toEqual([
      [1, "before"],
      [2, "sent while down 0"],
    ]);
    expect(recs[1]!.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(recs[1]!.messages.map((m) => m.message).sort()).toEqual(["after restart", "sent while down 1"]);
    await waitFor(() => inbox.state.totalUnread === 2 && inbox.state.rows.every((r) => r.last_seq === 2), {
      what: "the list after the restart",
    });
    expect(unreadOf(inbox.state)).toEqual({ rs_a: 1, rs_b: 1 });
  });

  it("survives a SIGKILL of the server mid-stream: every channel gets each message once, in order, over one socket at a time", async () => {
    const port = await freePort();
    const dbPath = tempDbPath();
    let child = await startChildServer(port, dbPath);
    fixtures.defer(() => killChild(child, "SIGKILL"));
    const base = `http://127.0.0.1:${port}`;
    const urls = ["kill_a", "kill_b", "kill_c"];
    for (const url of urls) await createChannel(base, url, ["1", "2"]);
    const counting = countingWebSocket();
    const client = inboxClient(base, "1", counting.Ctor);
    const inbox = client.inbox();
    inbox.connect();
    const chans = urls.map((u) => client.channel(u));
    const recs = chans.map(record);
    for (const ch of chans) ch.connect();
    await Promise.all(recs.map((r) => r.reached("connected")));

    // Messages from user 2 before the kill, and the user's own sends racing it and made while down.
    for (const url of urls) for (const i of range(1, 3)) await postAs(base, url, "2", `${url}-pre-${i}`);
    const racing = chans.flatMap((ch, c) => range(1, 3).map((i) => ch.send(`${urls[c]}-race-${i}`)));
    await killChild(child, "SIGKILL");
    await Promise.all(recs.map((r) => r.reached("reconnecting")));
    const down = chans.flatMap((ch, c) => range(1, 3).map((i) => ch.send(`${urls[c]}-down-${i}`)));
    child = await startChildServer(port, dbPath);
    for (const url of urls) for (const i of range(1, 3)) await postAs(base, url, "2", `${url}-post-${i}`);
    const acks = [...(await Promise.allSettled(racing)), ...(await Promise.allSettled(down))];
    // A send racing the kill either was stored (ACK, maybe only on the resend) or is resent: none may fail.
    expect(acks.filter((a) => a.status === "rejected")).toEqual([]);
    for (const [i, rec] of recs.entries()) {
      await rec.received(12);
      const seqs = rec.messages.map((m) => m.seq);
      expect(seqs, urls[i]).toEqual(range(1, 12));
      const texts = rec.messages.map((m) => m.message);
      expect(new Set(texts).size, urls[i]).toBe(12);
      for (const tag of ["pre", "race", "down", "post"])
        expect(
          texts.filter((t) => t.startsWith(`${urls[i]}-${tag}-`)),
          `${urls[i]} ${tag}`,
        ).toEqual(range(1, 3).map((n) => `${urls[i]}-${tag}-${n}`));
    }
    // Exactly one socket open at any time: the user connection, reopened after the kill.
    expect(counting.opened()).toBeGreaterThanOrEqual(2);
    expect(counting.maxOpen()).toBe(1);
    for (const u of counting.urls) expect(new URL(u).pathname).toBe("/api/v1/chat/ws");
    await waitFor(() => inbox.state.rows.length === 3 && inbox.state.rows.every((r) => r.last_seq === 12), {
      what: "the list after the kill",
    });
  }, 60_000);

  it("connects through the dev form of the user connection (?user_id=, no token)", async () => {
    const srv = await fixtures.server();
    await createChannel(srv.url, "dev_form", ["7", "8"]);
    const counting = countingWebSocket();
    const client = createInboxClient({ url: srv.url, devUserId: "7", WebSocket: counting.Ctor });
    fixtures.defer(() => client.close());
    const ch = client.channel("dev_form");
    const rec = record(ch);
    ch.connect();
    await rec.reached("connected");
    expect((await ch.send("dev hello")).seq).toBe(1);
    await rec.received(1);
    expect(rec.messages[0]).toMatchObject({ user_id: 7, message: "dev hello" });
    expect(counting.opened()).toBe(1);
  });

  it("a channel the user is not in fails on its handle only", async () => {
    const srv = await fixtures.server();
    await createChannel(srv.url, "nm_mine", ["1", "2"]);
    await createChannel(srv.url, "nm_theirs", ["2", "3"]);
    const counting = countingWebSocket();
    const client = inboxClient(srv.url, "1", counting.Ctor);
    const mine = client.channel("nm_mine");
    const theirs = client.channel("nm_theirs");
    const recMine = record(mine);
    const recTheirs = record(theirs);
    mine.connect();
    theirs.connect();
    await recMine.reached("connected");
    await waitFor(() => recTheirs.errors.length > 0, { what: "the refusal" });
    expect(recTheirs.errors.map((e) => (e as { code?: string }).code)).toEqual(["NOT_MEMBER"]);
    expect(theirs.status).toBe("disconnected");
    const ack = await mine.send("still fine");
    expect(ack.seq).toBe(1);
    expect(mine.status).toBe("connected");
    expect(recMine.errors).toEqual([]);
    expect(counting.opened()).toBe(1);
  });
});
