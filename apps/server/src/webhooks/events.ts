import { randomUUID } from "node:crypto";
import { type WebhookChannel, type WebhookEvent, wireUserId } from "@podchat/protocol";
import { toMessageFrame } from "../providers/websocket/wire.ts";
import type { StoreChange, StoredChannel } from "../store/message-store.ts";

function channelView(c: StoredChannel): WebhookChannel {
  return {
    channel_url: c.channel_url,
    name: c.name,
    custom_type: c.custom_type,
    data: c.data,
    provider: c.provider,
    created_at: c.created_at,
    member_count: c.member_count,
  };
}

const users = (ids: string[]) => ids.map(wireUserId);
const by = (id: string | null) => (id === null ? null : wireUserId(id));

/** The event a committed change reports (protocol `WebhookEvent`), with a new idempotency id. */
export function toWebhookEvent(change: StoreChange, environment: string, now = new Date()): WebhookEvent {
  const base = { id: randomUUID(), created_at: now.toISOString(), environment };
  switch (change.type) {
    case "message.sent":
      return {
        ...base,
        type: change.type,
        channel_url: change.message.channel_url,
        data: { message: toMessageFrame(change.message) },
      };
    case "message.updated":
    case "message.deleted": {
      const { target, entry } = change.change;
      return {
        ...base,
        type: change.type,
        channel_url: target.channel_url,
        data: { message: toMessageFrame(target), seq: entry.seq, user_id: by(entry.user_id) },
      } as WebhookEvent;
    }
    case "message.pinned":
    case "message.unpinned":
      return {
        ...base,
        type: change.type,
        channel_url: change.pin.channel_url,
        data: {
          message: toMessageFrame(change.pin.message),
          pinned_at: change.pin.pinned_at,
          user_id: by(change.user_id),
        },
      } as WebhookEvent;
    case "channel.created":
      return {
        ...base,
        type: change.type,
        channel_url: change.channel.channel_url,
        data: { channel: channelView(change.channel), user_ids: users(change.user_ids) },
      };
    case "channel.updated":
      return {
        ...base,
        type: change.type,
        channel_url: change.channel.channel_url,
        data: { channel: channelView(change.channel), changed: change.changed },
      };
    case "channel.deleted":
      return {
        ...base,
        type: change.type,
        channel_url: change.channel.channel_url,
        data: { channel: channelView(change.channel) },
      };
    case "member.added":
    case "member.removed":
      return {
        ...base,
        type: change.type,
        channel_url: change.channel.channel_url,
        data: { user_ids: users(change.user_ids), member_count: change.channel.member_count },
      } as WebhookEvent;
    case "moderation.banned":
    case "moderation.muted":
      return {
        ...base,
        type: change.type,
        channel_url: change.channel_url,
        data: { user_ids: users(change.user_ids), until: change.until },
      } as WebhookEvent;
    case "moderation.unbanned":
    case "moderation.unmuted":
    case "moderation.operators_added":
    case "moderation.operators_removed":
      return {
        ...base,
        type: change.type,
        channel_url: change.channel_url,
        data: { user_ids: users(change.user_ids) },
      } as WebhookEvent;
    case "moderation.frozen":
      return { ...base, type: change.type, channel_url: change.channel_url, data: { frozen: true } };
    case "moderation.unfrozen":
      return { ...base, type: change.type, channel_url: change.channel_url, data: { frozen: false } };
    case "read.updated": {
      const m = change.mark;
      return {
        ...base,
        type: change.type,
        channel_url: m.channel_url,
        data: {
          user_id: wireUserId(m.user_id),
          last_read_seq: m.last_read_seq,
          last_seq: m.last_seq,
          unread_count: m.unread_count,
        },
      };
    }
  }
}
