import { AdminChannelDetail } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import { ignoringChangeEntries, withoutChangeEntries } from "./log-entries";

const msg = (seq: number, type = "MESG") => ({
  type,
  channel_url: "c",
  user_id: 1,
  message: `m${seq}`,
  timestamp: "2024-01-01T00:00:00.000Z",
  message_id: `id-${seq}`,
  seq,
});

describe("seq-log change entries where messages are expected", () => {
  it("are left out of lists and last_message", () => {
    const detail = {
      channel: {
        channel_url: "c",
        name: "c",
        provider: "websocket",
        member_count: 1,
        online_count: 0,
        last_seq: 3,
        created_at: "2024-01-01T00:00:00.000Z",
        last_message: msg(3, "MESSAGE_DELETED"),
      },
      members: [{ user_id: 1, online: false }],
      tail: [msg(1), msg(2, "MESSAGE_UPDATED"), msg(3, "MESSAGE_DELETED")],
    };
    expect(AdminChannelDetail.safeParse(detail).success).toBe(false);
    const parsed = ignoringChangeEntries(AdminChannelDetail).safeParse(detail);
    expect(parsed.success && parsed.data.tail.map((m) => m.seq)).toEqual([1]);
    expect(parsed.success && parsed.data.channel.last_message).toBeNull();
    expect(withoutChangeEntries({ a: [1, "x", null] })).toEqual({ a: [1, "x", null] });
  });
});
