import type { AdminChannelDetail, MessageFrame } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import { createChannelStore, TAIL_LIMIT } from "./channel-store";

const msg = (seq: number, channel_url = "c1"): MessageFrame => ({
  type: "MESG",
  channel_url,
  user_id: 1,
  message: `m${seq}`,
  timestamp: "2024-01-01T00:00:00.000Z",
  message_id: `id-${seq}`,
  seq,
});

function detail(): AdminChannelDetail {
  return {
    channel: {
      channel_url: "c1",
      name: "c1",
      provider: "websocket",
      member_count: 2,
      online_count: 0,
      last_seq: 1,
      created_at: "2024-01-01T00:00:00.000Z",
      last_message: msg(1),
    },
    members: [
      { user_id: 1, online: false },
      { user_id: "alice", online: false },
    ],
    tail: [msg(1)],
  };
}

describe("channel store", () => {
  it("appends live messages once, in seq order, and tracks the newest", () => {
    const store = createChannelStore({ detail: detail(), job: null });
    const { receiveMessage } = store.getState();
    receiveMessage(msg(3));
    receiveMessage(msg(2));
    receiveMessage(msg(3));
    receiveMessage(msg(9, "other-channel"));
    const { tail, channel } = store.getState().detail;
    expect(tail.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(channel.last_seq).toBe(3);
    expect(channel.last_message?.message).toBe("m3");
  });

  it("keeps at most TAIL_LIMIT messages", () => {
    const store = createChannelStore({ detail: detail(), job: null });
    for (let seq = 2; seq <= TAIL_LIMIT + 10; seq++) store.getState().receiveMessage(msg(seq));
    const { tail } = store.getState().detail;
    expect(tail).toHaveLength(TAIL_LIMIT);
    expect(tail.at(-1)?.seq).toBe(TAIL_LIMIT + 10);
  });

  it("marks members online and offline from presence (numeric ids match their string form)", () => {
    const store = createChannelStore({ detail: detail(), job: null });
    store
      .getState()
      .receivePresence({ type: "USER_JOINED", channel_url: "c1", user_id: "1", timestamp: "t" });
    store
      .getState()
      .receivePresence({ type: "USER_JOINED", channel_url: "c1", user_id: "alice", timestamp: "t" });
    expect(store.getState().detail.channel.online_count).toBe(2);
    store.getState().receivePresence({ type: "USER_LEFT", channel_url: "c1", user_id: 1 });
    expect(store.getState().detail.members).toEqual([
      { user_id: 1, online: false },
      { user_id: "alice", online: true },
    ]);
    expect(store.getState().detail.channel.online_count).toBe(1);
  });

  it("shows edits and deletions of tail messages (as seq-log entries or as re-sent messages)", () => {
    const store = createChannelStore({ detail: detail(), job: null });
    const { receiveMessage, receiveEdit, receiveDelete } = store.getState();
    receiveMessage(msg(2));
    receiveEdit({
      type: "MESSAGE_UPDATED",
      channel_url: "c1",
      seq: 3,
      target_seq: 1,
      message_id: "id-1",
      user_id: 1,
      message: "fixed",
      edited_at: "2024-01-01T00:01:00.000Z",
    });
    receiveDelete({
      type: "MESSAGE_DELETED",
      channel_url: "c1",
      seq: 4,
      target_seq: 2,
      message_id: "id-2",
      user_id: 1,
      deleted_at: "2024-01-01T00:02:00.000Z",
    });
    let { tail } = store.getState().detail;
    expect(tail.map((m) => [m.seq, m.message, m.edited_at ?? null, m.deleted ?? false])).toEqual([
      [1, "fixed", "2024-01-01T00:01:00.000Z", false],
      [2, "", null, true],
    ]);
    receiveMessage({ ...msg(1), message: "again", edited_at: "2024-01-01T00:03:00.000Z" });
    receiveMessage({ ...msg(2), message: "plain repeat" });
    ({ tail } = store.getState().detail);
    expect(tail.map((m) => m.message)).toEqual(["again", ""]);
  });

  it("keeps the moderation state it is given", () => {
    const store = createChannelStore({ detail: detail(), job: null });
    expect(store.getState().moderation).toBeNull();
    const moderation = { channel_url: "c1", frozen: true, operators: [1], banned: [], muted: [] };
    store.getState().setModeration(moderation);
    expect(store.getState().moderation).toEqual(moderation);
    const frame = {
      type: "MODERATION" as const,
      channel_url: "c1",
      action: "ban" as const,
      user_id: 2,
      until: null,
      timestamp: "2024-01-01T00:00:00.000Z",
    };
    store.getState().receiveModeration(frame);
    store.getState().receiveModeration({ ...frame, channel_url: "other" });
    expect(store.getState().moderationEvents).toEqual([frame]);
  });
});
