import {
  type Channel,
  type InboxChannel,
  type ModerationState,
  type UnreadResponse,
  type MessageDeletedFrame,
  type MessageFrame,
  type MessageType,
  type MessageUpdatedFrame,
  wireUserId,
} from "@podchat/protocol";
import type {
  InboxRow,
  ReadMark,
  StoredChannel,
  StoredMessage,
  StoredModeration,
} from "../../store/message-store.ts";

/** The frame every member receives for a stored message (seed fields first, then additions). */
export function toMessageFrame(m: StoredMessage): MessageFrame {
  const frame: MessageFrame = {
    type: m.type as MessageType,
    channel_url: m.channel_url,
    user_id: m.user_id === null ? null : wireUserId(m.user_id),
    message: m.message,
    timestamp: m.created_at,
    message_id: m.message_id,
    seq: m.seq,
  };
  if (m.custom_type !== null) frame.custom_type = m.custom_type;
  if (m.deleted) {
    frame.deleted = true;
    frame.message = "";
    if (m.edited_at) frame.edited_at = m.edited_at;
    return frame;
  }
  if (m.data !== null) frame.data = m.data;
  if (m.file !== null) frame.file = m.file;
  if (m.edited_at) frame.edited_at = m.edited_at;
  return frame;
}

/** Any seq-log entry as its frame: a message, or a MESSAGE_UPDATED / MESSAGE_DELETED entry. */
export function toSeqFrame(m: StoredMessage): MessageFrame | MessageUpdatedFrame | MessageDeletedFrame {
  if (m.type === "MESSAGE_UPDATED") {
    const f: MessageUpdatedFrame = {
      type: "MESSAGE_UPDATED",
      ...changeTarget(m),
      message: m.message,
      edited_at: m.created_at,
    };
    if (m.data !== null) f.data = m.data;
    return f;
  }
  if (m.type === "MESSAGE_DELETED") {
    return { type: "MESSAGE_DELETED", ...changeTarget(m), deleted_at: m.created_at };
  }
  return toMessageFrame(m);
}

/** The fields a MESSAGE_UPDATED and a MESSAGE_DELETED entry share, in wire order. */
function changeTarget(m: StoredMessage) {
  return {
    channel_url: m.channel_url,
    seq: m.seq,
    target_seq: m.target_seq ?? 0,
    message_id: m.target_message_id ?? "",
    user_id: m.user_id === null ? null : wireUserId(m.user_id),
  };
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

export function toModerationState(channelUrl: string, m: StoredModeration): ModerationState {
  return {
    channel_url: channelUrl,
    frozen: m.frozen,
    operators: m.operators.map(wireUserId),
    banned: m.banned.map((r) => ({ user_id: wireUserId(r.user_id), until: r.until })),
    muted: m.muted.map((r) => ({ user_id: wireUserId(r.user_id), until: r.until })),
  };
}

export function toUnread(m: ReadMark): UnreadResponse {
  return {
    channel_url: m.channel_url,
    user_id: wireUserId(m.user_id),
    last_read_seq: m.last_read_seq,
    last_seq: m.last_seq,
    unread_count: m.unread_count,
  };
}

/** A row of a user's channel list. */
export function toInboxChannel(r: InboxRow): InboxChannel {
  return {
    ...toChannel(r.channel),
    last_message: r.last_message ? toMessageFrame(r.last_message) : null,
    unread_count: r.unread_count,
    last_read_seq: r.last_read_seq,
    last_activity_at: r.channel.last_activity_at,
  };
}
