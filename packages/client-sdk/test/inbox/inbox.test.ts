// The inbox against the fake server's user connection: sorted, deduplicated rows, the total unread,
// pages by cursor, live INBOX_* frames, subscribed channels' own messages, and a fresh first page
// after a reconnect.
import type { InboxChannel } from "@podchat/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createInboxClient, type InboxState } from "../../src/inbox/index.ts";
import { FakeServer } from "../fake-server.ts";
import { advance } from "../helpers.ts";

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-01-01T00:00:00.000Z"));
});
afterEach(() => {
  vi.useRealTimers();
});

/** A fake server whose user (1) is in channels `urls`, created in that order a minute apart. */
function world(urls: string[]) {
  const server = new FakeServer();
  for (const [i, url] of urls.entries()) {
    server.inbox.set(url, {
      name: url.toUpperCase(),
      created_at: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
      last_read_seq: 0,
    });
  }
  const client = createInboxClient({
    url: "http://fake",
    token: "t1",
    WebSocket: server.WebSocket,
    fetch: server.fetch,
    reconnect: { minDelayMs: 10, maxDelayMs: 50 },
  });
  return { server, client };
}

/** Messages from user 2 (someone else) one second apart, so activity times differ. */
async function post(server: FakeServer, url: string, text: string, userId: number | string = 2) {
  await advance(1_000);
  server.post(url, text, userId);
  await advance();
}

const urlsOf = (s: InboxState) => s.rows.map((r) => r.channel_url);
const unreadOf = (s: InboxState) => Object.fromEntries(s.rows.map((r) => [r.channel_url, r.unread_count]));

describe("inbox", () => {
  it("lists the first page newest first with the total unread, and moves rows on new messages", async () => {
    const { server, client } = world(["a", "b", "c"]);
    server.storeMessage("a", "old a");
    server.storeMessage("a", "old a 2");
    const inbox = client.inbox();
    const changes: InboxState[] = [];
    inbox.subscribe(() => changes.push(inbox.state));
    inbox.connect();
    await advance();
    expect(server.sockets).toHaveLength(1);
    expect(urlsOf(inbox.state)).toEqual(["a", "c", "b"]);
    expect(inbox.state.totalUnread).toBe(2);
    expect(inbox.state.hasMore).toBe(false);
    expect(inbox.state.status).toBe("connected");
    expect(changes.length).toBeGreaterThan(0);

    await post(server, "b", "hi from b");
    expect(urlsOf(inbox.state)).toEqual(["b", "a", "c"]);
    expect(unreadOf(inbox.state)).toEqual({ a: 2, b: 1, c: 0 });
    expect(inbox.state.totalUnread).toBe(3);
    expect(inbox.state.rows[0]?.last_message?.message).toBe("hi from b");

    // The user's own message (another device) moves the row but is not unread.
    await post(server, "c", "mine", 1);
    expect(urlsOf(inbox.state)).toEqual(["c", "b", "a"]);
    expect(inbox.state.totalUnread).toBe(3);
    client.close();
  });

  it("takes exact counts from INBOX_READ (read on another device) and reads rows itself", async () => {
    const { server, client } = world(["a", "b"]);
    for (const t of ["1", "2", "3"]) server.storeMessage("a", t);
    server.storeMessage("b", "b1");
    const inbox = client.inbox();
    inbox.connect();
    await advance();
    expect(inbox.state.totalUnread).toBe(4);
    // Another device reads "a" up to 2.
    server.inbox.get("a")!.last_read_seq = 2;
    server.latest.deliver({
      type: "INBOX_READ",
      channel_url: "a",
      last_read_seq: 2,
      unread_count: 1,
      total_unread: 2,
    });
    await advance();
    expect(unreadOf(inbox.state)).toEqual({ a: 1, b: 1 });
    expect(inbox.state.totalUnread).toBe(2);
    // Marking "b" read from the list (not subscribed) goes out as READ with its channel_url.
    expect(inbox.markRead("b")).toBe(true);
    await advance();
    expect(server.latest.sentOf("READ")).toEqual([{ type: "READ", channel_url: "b", seq: 1 }]);
    expect(unreadOf(inbox.state)).toEqual({ a: 1, b: 0 });
    expect(inbox.state.totalUnread).toBe(1);
    client.close();
  });

  it("adds, removes and updates rows on INBOX_ADDED, INBOX_REMOVED and INBOX_UPDATED", async () => {
    const { server, client } = world(["a", "b"]);
    const inbox = client.inbox();
    const removed: string[] = [];
    inbox.on("removed", (f) => removed.push(`${f.channel_url}:${f.reason}`));
    inbox.connect();
    await advance();
    server.inbox.set("z", { name: "Z", created_at: new Date().toISOString(), last_read_seq: 0 });
    server.storeMessage("z", "welcome");
    server.latest.deliver({ type: "INBOX_ADDED", channel: server.row("z"), total_unread: 1 });
    await advance();
    expect(urlsOf(inbox.state)).toEqual(["z", "b", "a"]);
    expect(inbox.state.totalUnread).toBe(1);
    // Added twice (a repeat) is still one row.
    server.latest.deliver({ type: "INBOX_ADDED", channel: server.row("z"), total_unread: 1 });
    await advance();
    expect(urlsOf(inbox.state)).toEqual(["z", "b", "a"]);

    const {
      last_message: _m,
      unread_count: _u,
      last_read_seq: _r,
      last_activity_at: _t,
      ...channel
    } = server.row("a") as unknown as InboxChannel;
    server.latest.deliver({ type: "INBOX_UPDATED", channel: { ...channel, name: "renamed" } });
    await advance();
    expect(inbox.state.rows.find((r) => r.channel_url === "a")?.name).toBe("renamed");

    server.latest.deliver({ type: "INBOX_REMOVED", channel_url: "z", reason: "deleted", total_unread: 0 });
    await advance();
    expect(urlsOf(inbox.state)).toEqual(["b", "a"]);
    expect(inbox.state.totalUnread).toBe(0);
    expect(removed).toEqual(["z:deleted"]);
    client.close();
  });

  it("loads more by cursor, each channel once even when a row moved between pages", async () => {
    const urls = ["a", "b", "c", "d", "e"];
    const { server, client } = world(urls);
    const inbox = client.inbox({ limit: 2 });
    inbox.connect();
    await advance();
    expect(urlsOf(inbox.state)).toEqual(["e", "d"]);
    expect(inbox.state.hasMore).toBe(true);
    // "c" would be on page 2; a message moves it to the top (the inbox reads the top of the list
    // for it), so the server's page 2 (by offset here) then lists "d" again: still one row each.
    await post(server, "c", "bump");
    expect(urlsOf(inbox.state)).toEqual(["c", "e", "d"]);
    await inbox.loadMore();
    await advance();
    await inbox.loadMore();
    await advance();
    expect(urlsOf(inbox.state)).toEqual(["c", "e", "d", "b", "a"]);
    expect(new Set(urlsOf(inbox.state)).size).toBe(5);
    expect(inbox.state.hasMore).toBe(false);
    expect(inbox.state.totalUnread).toBe(1);
    await inbox.loadMore();
    expect(server.inboxLists.filter((f) => f["cursor"] !== undefined)).toHaveLength(2);
    client.close();
  });

  it("counts a subscribed channel's messages once, also when its resubscription replays them", async () => {
    const { server, client } = world(["a", "b"]);
    const inbox = client.inbox();
    inbox.connect();
    const a = client.channel("a");
    a.connect();
    await advance();
    await post(server, "a", "live 1");
    expect(server.latest.sentOf("SUBSCRIBE")).toHaveLength(1);
    expect(unreadOf(inbox.state)).toEqual({ a: 1, b: 0 });
    // While away: one message in each; the first page after the reconnect has both, the replay
    // of "a" after its since_seq does not add them again.
    server.latest.serverClose(1006);
    await advance();
    server.storeMessage("a", "away a");
    server.storeMessage("b", "away b");
    await advance(1_000);
    expect(server.sockets).toHaveLength(2);
    expect(server.latest.sentOf("SUBSCRIBE")[0]?.["since_seq"]).toBe(1);
    expect(server.inboxLists).toHaveLength(2);
    expect(unreadOf(inbox.state)).toEqual({ a: 2, b: 1 });
    expect(inbox.state.totalUnread).toBe(3);
    await post(server, "a", "live 2");
    expect(unreadOf(inbox.state)).toEqual({ a: 3, b: 1 });
    expect(inbox.state.totalUnread).toBe(4);
    client.close();
  });

  it("keeps a message that arrives while a page computed before it is on its way", async () => {
    const { server, client } = world(["a", "b"]);
    let answered = false;
    server.onSend = (socket, frame) => {
      if (frame["type"] !== "INBOX_LIST" || answered) return false;
      answered = true;
      // The page is read now; then a message is published, and its INBOX_MESSAGE gets out first.
      const before = server.rows();
      server.post("a", "between");
      socket.deliver({
        type: "INBOX_PAGE",
        channels: before.rows,
        next_cursor: null,
        total_unread: before.total,
        req_id: frame["req_id"],
      });
      return true;
    };
    const inbox = client.inbox();
    inbox.connect();
    await advance();
    expect(unreadOf(inbox.state)).toEqual({ a: 1, b: 0 });
    expect(inbox.state.rows[0]?.last_message?.message).toBe("between");
    expect(inbox.state.totalUnread).toBe(1);
    client.close();
  });

  it("fetches the top of the list when a channel beyond the loaded pages gets a message", async () => {
    const { server, client } = world(["a", "b", "c"]);
    const inbox = client.inbox({ limit: 1 });
    inbox.connect();
    await advance();
    expect(urlsOf(inbox.state)).toEqual(["c"]);
    await post(server, "a", "from far below");
    await advance();
    expect(urlsOf(inbox.state)).toEqual(["a", "c"]);
    expect(inbox.state.totalUnread).toBe(1);
    expect(inbox.state.hasMore).toBe(true);
    client.close();
  });

  it("ignores frames that fail validation and counts them", async () => {
    const { server, client } = world(["a"]);
    const inbox = client.inbox();
    inbox.connect();
    await advance();
    server.latest.deliver({ type: "INBOX_READ", channel_url: "a", unread_count: -1 });
    server.latest.deliver({ type: "NO_SUCH_FRAME" });
    await advance();
    expect(client.stats().userSocket.invalidFrames).toBe(2);
    expect(inbox.state.totalUnread).toBe(0);
    client.close();
  });
});
