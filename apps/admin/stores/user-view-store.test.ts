import type { AdminUserView, InboxChannel } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import { createUserViewStore, initUserViewState, mergeChannels, userViewQuery } from "./user-view-store";

function channel(url: string, unread = 0): InboxChannel {
  return {
    channel_url: url,
    name: url,
    data: {},
    provider: "websocket",
    member_count: 2,
    created_at: "2024-01-01T00:00:00.000Z",
    last_seq: unread,
    last_message: null,
    unread_count: unread,
    last_read_seq: 0,
    last_activity_at: "2024-01-01T00:00:00.000Z",
  };
}

function page(
  channels: InboxChannel[],
  next: string | null,
  extra: Partial<AdminUserView> = {},
): AdminUserView {
  return {
    user_id: 1,
    channels,
    next_cursor: next,
    total_unread: channels.reduce((n, c) => n + c.unread_count, 0),
    sockets: [],
    node_id: "node-a",
    ...extra,
  };
}

const socket = {
  connection_id: "c1",
  kind: "channel" as const,
  channel_urls: ["a"],
  watching: 0,
  connected_at: "2024-01-01T00:00:00.000Z",
  remote_address: "127.0.0.1",
};

describe("user view store", () => {
  it("starts from the page's first page", () => {
    const s = createUserViewStore(
      initUserViewState("1", page([channel("a", 2)], "c1", { sockets: [socket] })),
    );
    expect(s.getState()).toMatchObject({
      userId: "1",
      nextCursor: "c1",
      totalUnread: 2,
      nodeId: "node-a",
      loadingMore: false,
      error: null,
    });
    expect(s.getState().sockets).toEqual([socket]);
  });

  it("appends pages in order, once per channel, and takes totals and sockets from the newest page", () => {
    const s = createUserViewStore(initUserViewState("1", page([channel("a"), channel("b")], "c1")));
    s.getState().setLoadingMore(true);
    s.getState().appendPage(
      page([channel("b"), channel("c", 4)], null, { total_unread: 9, sockets: [socket] }),
    );
    const st = s.getState();
    expect(st.channels.map((c) => c.channel_url)).toEqual(["a", "b", "c"]);
    expect(st.nextCursor).toBeNull();
    expect(st.totalUnread).toBe(9);
    expect(st.sockets).toEqual([socket]);
    expect(st.loadingMore).toBe(false);
  });

  it("keeps the loaded rows when loading more fails, and clears the error on the next page", () => {
    const s = createUserViewStore(initUserViewState("1", page([channel("a")], "c1")));
    s.getState().setLoadingMore(true);
    s.getState().setError({ status: 502, code: "SERVER_UNREACHABLE", message: "down" });
    expect(s.getState()).toMatchObject({ loadingMore: false, nextCursor: "c1" });
    expect(s.getState().channels).toHaveLength(1);
    s.getState().appendPage(page([channel("z")], null));
    expect(s.getState().error).toBeNull();
  });

  it("replaces everything on reset (refresh), keeping the user", () => {
    const s = createUserViewStore(initUserViewState("7", page([channel("a"), channel("b")], "c1")));
    s.getState().reset(page([channel("x", 1)], null));
    expect(s.getState().userId).toBe("7");
    expect(s.getState().channels.map((c) => c.channel_url)).toEqual(["x"]);
    expect(s.getState().totalUnread).toBe(1);
  });

  it("builds the page query and merges without duplicates", () => {
    expect(userViewQuery(null)).toBe("limit=20");
    expect(userViewQuery("a b", 5)).toBe("limit=5&cursor=a+b");
    expect(mergeChannels([channel("a")], [channel("a"), channel("b")]).map((c) => c.channel_url)).toEqual([
      "a",
      "b",
    ]);
  });
});
