import { type Channel, type MessageFrame, wireUserId } from "@podchat/protocol";
import type { StoredChannel, StoredMessage } from "../store/message-store.ts";

/** The frame every member receives for a stored message (seed fields first, then additions). */
export function toMessageFrame(m: StoredMessage): MessageFrame {
  const frame: MessageFrame = {
    type: m.type,
    channel_url: m.channel_url,
    user_id: m.user_id === null ? null : wireUserId(m.user_id),
    message: m.message,
    timestamp: m.created_at,
    message_id: m.message_id,
    seq: m.seq,
  };
  if (m.custom_type !== null) frame.custom_type = m.custom_type;
  if (m.data !== null) frame.data = m.data;
  if (m.file !== null) frame.file = m.file;
  return frame;
}

export function toChannel(c: StoredChannel, extra: Partial<Channel> = {}): Channel {
  const out: Channel = {
    channel_url: c.channel_url,
    name: c.name,
    data: c.data,
    provider: c.provider,
    member_count: c.member_count,
    created_at: c.created_at,
    last_seq: c.last_seq,
    ...extra,
  };
  if (c.custom_type !== null) out.custom_type = c.custom_type;
  return out;
}
