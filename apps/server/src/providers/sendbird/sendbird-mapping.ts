import { ErrorCode, wireUserId } from "@podchat/protocol";
import { ChatError } from "../../errors/chat-error.ts";
import type { Channel, InboxChannel, MessageFrame, SendMessageBody } from "@podchat/protocol";
import type {
  SendbirdGroupChannel,
  SendbirdMember,
  SendbirdMessage,
  SendbirdMyGroupChannel,
} from "./sendbird-types.ts";

export function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** podchat's own metadata inside Sendbird's `data` string (see the provider's header). */
export interface PodchatMeta {
  type?: "IMAGE";
  /** Caption of a file message (Sendbird file messages have no text). */
  message?: string;
  width?: number;
  height?: number;
}

const metaKey = "_podchat";

export function splitData(raw: string): { data: Record<string, unknown>; meta: PodchatMeta } {
  const parsed = parseData(raw);
  const { [metaKey]: meta, ...data } = parsed;
  return {
    data,
    meta: typeof meta === "object" && meta !== null && !Array.isArray(meta) ? (meta as PodchatMeta) : {},
  };
}

export function joinData(data: Record<string, unknown>, meta: PodchatMeta): Record<string, unknown> {
  const cleaned = Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined && v !== ""));
  return Object.keys(cleaned).length > 0 ? { ...data, [metaKey]: cleaned } : data;
}

export function toSendInput(type: SendMessageBody["type"] & string, body: SendMessageBody) {
  const userId = body.user_id === undefined ? "" : String(body.user_id);
  if (type === "ADMM") {
    return {
      message_type: "ADMM" as const,
      message: body.message,
      custom_type: body.custom_type,
      data: body.data,
    };
  }
  if ((type === "FILE" || type === "IMAGE") && body.file) {
    const file = body.file;
    const meta: PodchatMeta = {
      ...(type === "IMAGE" ? { type: "IMAGE" as const } : {}),
      message: body.message,
      width: file.width,
      height: file.height,
    };
    const data = joinData(body.data ?? {}, meta);
    return {
      message_type: "FILE" as const,
      user_id: userId,
      url: file.url,
      file_name: file.name,
      file_size: file.size,
      file_type: file.mime_type,
      ...(file.thumbnail_url ? { thumbnails: [file.thumbnail_url] } : {}),
      custom_type: body.custom_type,
      ...(Object.keys(data).length > 0 ? { data } : {}),
    };
  }
  return {
    message_type: "MESG" as const,
    user_id: userId,
    message: body.message,
    custom_type: body.custom_type,
    data: body.data,
  };
}

export function toFrames(messages: SendbirdMessage[]): MessageFrame[] {
  return messages
    .flatMap((m) => {
      const frame = toMessageFrame(m);
      return frame ? [frame] : [];
    })
    .sort((a, b) => a.seq - b.seq);
}

/** Sendbird message → podchat frame; null for message types podchat has no frame for. */
export function toMessageFrame(message: SendbirdMessage): MessageFrame | null {
  if (message.type !== "MESG" && message.type !== "ADMM" && message.type !== "FILE") return null;
  const file = message.file;
  if (message.type === "FILE" && !file) return null;
  const { data, meta } = splitData(message.data);
  const thumbnail = message.thumbnails?.[0]?.url;
  return {
    type: message.type === "FILE" && meta.type === "IMAGE" ? "IMAGE" : message.type,
    channel_url: message.channel_url,
    user_id: message.user ? wireUserId(message.user.user_id) : null,
    message: message.type === "FILE" ? (meta.message ?? message.message) : message.message,
    timestamp: new Date(message.created_at).toISOString(),
    message_id: String(message.message_id),
    seq: message.message_id,
    ...(message.custom_type ? { custom_type: message.custom_type } : {}),
    ...(Object.keys(data).length > 0 ? { data } : {}),
    ...(message.type === "FILE" && file
      ? {
          file: {
            url: file.url,
            name: file.name || "file",
            size: file.size,
            mime_type: file.type || "application/octet-stream",
            ...(meta.width !== undefined ? { width: meta.width } : {}),
            ...(meta.height !== undefined ? { height: meta.height } : {}),
            ...(thumbnail ? { thumbnail_url: thumbnail } : {}),
          },
        }
      : {}),
    ...(message.updated_at && message.updated_at > 0
      ? { edited_at: new Date(message.updated_at).toISOString() }
      : {}),
  };
}

/** Sendbird group channel → podchat channel (with `members` when Sendbird sent them). */
export function toChannel(channel: SendbirdGroupChannel): Channel {
  const last = channel.last_message ? toMessageFrame(channel.last_message) : null;
  return {
    channel_url: channel.channel_url,
    name: channel.name,
    ...(channel.custom_type ? { custom_type: channel.custom_type } : {}),
    data: parseData(channel.data),
    provider: "sendbird",
    member_count: channel.joined_member_count ?? channel.member_count,
    ...(channel.members ? { members: channel.members.map((m) => wireUserId(m.user_id)) } : {}),
    created_at: new Date(toMillis(channel.created_at)).toISOString(),
    last_seq: channel.last_message?.message_id ?? 0,
    last_message: last,
  };
}

/**
 * A channel of "List group channels by user" → a podchat inbox row. `unread_count` is Sendbird's
 * `unread_message_count` for the user. Sendbird keeps a read time, not a read message: so
 * `last_read_seq` is the last message's id when nothing is unread, and 0 ("not known") otherwise
 * (finding the message at the read time costs one more call per channel; see docs/sendbird.md).
 * `last_activity_at` is the last message's time, or the channel's creation when it has none.
 */
export function toInboxChannel(channel: SendbirdMyGroupChannel): InboxChannel {
  const base = toChannel(channel);
  const unread = channel.unread_message_count;
  return {
    ...base,
    last_message: base.last_message ?? null,
    unread_count: unread,
    last_read_seq: unread === 0 ? base.last_seq : 0,
    last_activity_at: channel.last_message
      ? new Date(channel.last_message.created_at).toISOString()
      : base.created_at,
  };
}

/**
 * Sendbird's `data` string → podchat's data object. podchat writes JSON objects; anything else
 * (written by other Sendbird clients) is kept as `{ value: "<the string>" }` rather than dropped.
 */
export function parseData(raw: string): Record<string, unknown> {
  if (raw === "") return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // not JSON: fall through
  }
  return { value: raw };
}

/** Group channels report Unix seconds; tolerate milliseconds too. */
function toMillis(createdAt: number): number {
  return createdAt < 1e11 ? createdAt * 1000 : createdAt;
}

export function isOperator(member: SendbirdMember): boolean {
  return member.role === "operator";
}

export function assertMember(channel: SendbirdGroupChannel, userId: string): SendbirdMember {
  const member = channel.members?.find((m) => m.user_id === userId);
  if (!member) {
    throw new ChatError(ErrorCode.NOT_MEMBER, `${userId} is not a member of ${channel.channel_url}`, {
      field: "user_id",
    });
  }
  return member;
}
