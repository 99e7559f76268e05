import type {
  AdminChannelDetail,
  MessageDeletedFrame,
  MessageFrame,
  MessageUpdatedFrame,
  MigrationJob,
  ModerationFrame,
  ModerationState,
  UserJoinedFrame,
  UserLeftFrame,
} from "@podchat/protocol";
import { createStore } from "zustand/vanilla";
import { sameUser } from "@/lib/format";

/** Most messages the live tail keeps. */
export const TAIL_LIMIT = 200;
/** Most moderation events kept. */
const MODERATION_EVENTS_LIMIT = 50;

export interface ChannelState {
  detail: AdminChannelDetail;
  job: MigrationJob | null;
  /** The channel's operators, bans, mutes and freeze; null until loaded. */
  moderation?: ModerationState | null;
  /** MODERATION events seen on the live stream, newest last. */
  moderationEvents?: readonly ModerationFrame[];
}

export interface ChannelActions {
  setDetail: (detail: AdminChannelDetail) => void;
  /** A `message` event: appended once, in seq order. */
  receiveMessage: (message: MessageFrame) => void;
  /** A `presence` event: marks the member online or offline. */
  receivePresence: (frame: UserJoinedFrame | UserLeftFrame) => void;
  /** A `MESSAGE_UPDATED` entry: the target in the tail shows the edited text. */
  receiveEdit: (frame: MessageUpdatedFrame) => void;
  /** A `MESSAGE_DELETED` entry: the target in the tail becomes a tombstone. */
  receiveDelete: (frame: MessageDeletedFrame) => void;
  setJob: (job: MigrationJob | null) => void;
  setModeration: (moderation: ModerationState | null) => void;
  receiveModeration: (frame: ModerationFrame) => void;
}

export type ChannelStore = ChannelState & ChannelActions;

/** An edit or a deletion applied to the message with seq `target_seq` (others are kept as they are). */
function applyChange(
  tail: readonly MessageFrame[],
  frame: MessageUpdatedFrame | MessageDeletedFrame,
): MessageFrame[] {
  return tail.map((m) => {
    if (m.seq !== frame.target_seq) return m;
    if (frame.type === "MESSAGE_DELETED") {
      const { data: _data, file: _file, ...rest } = m;
      return { ...rest, message: "", deleted: true };
    }
    return {
      ...m,
      message: frame.message,
      edited_at: frame.edited_at,
      ...(frame.data === undefined ? {} : { data: frame.data }),
    };
  });
}

function mergeMessage(tail: readonly MessageFrame[], message: MessageFrame): MessageFrame[] {
  const known = tail.findIndex((m) => m.message_id === message.message_id || m.seq === message.seq);
  if (known >= 0) {
    // A message seen again after an edit or a deletion replaces the old copy; a plain repeat does not.
    if (!message.edited_at && !message.deleted) return [...tail];
    return tail.map((m, i) => (i === known ? message : m));
  }
  const next = [...tail, message].sort((a, b) => a.seq - b.seq);
  return next.slice(-TAIL_LIMIT);
}

export const createChannelStore = (init: ChannelState) =>
  createStore<ChannelStore>()((set) => ({
    ...init,
    moderation: init.moderation ?? null,
    moderationEvents: init.moderationEvents ?? [],
    setDetail: (detail) => set({ detail }),
    receiveMessage: (message) =>
      set(({ detail }) => {
        if (message.channel_url !== detail.channel.channel_url) return {};
        const newest = message.seq >= detail.channel.last_seq;
        return {
          detail: {
            ...detail,
            tail: mergeMessage(detail.tail, message),
            channel: newest
              ? { ...detail.channel, last_seq: message.seq, last_message: message }
              : detail.channel,
          },
        };
      }),
    receivePresence: (frame) =>
      set(({ detail }) => {
        const online = frame.type === "USER_JOINED";
        const known = detail.members.some((m) => sameUser(m.user_id, frame.user_id));
        const members = known
          ? detail.members.map((m) => (sameUser(m.user_id, frame.user_id) ? { ...m, online } : m))
          : detail.members;
        return {
          detail: {
            ...detail,
            members,
            channel: { ...detail.channel, online_count: members.filter((m) => m.online).length },
          },
        };
      }),
    receiveEdit: (frame) =>
      set(({ detail }) =>
        frame.channel_url === detail.channel.channel_url
          ? { detail: { ...detail, tail: applyChange(detail.tail, frame) } }
          : {},
      ),
    receiveDelete: (frame) =>
      set(({ detail }) =>
        frame.channel_url === detail.channel.channel_url
          ? { detail: { ...detail, tail: applyChange(detail.tail, frame) } }
          : {},
      ),
    setJob: (job) => set({ job }),
    setModeration: (moderation) => set({ moderation }),
    receiveModeration: (frame) =>
      set(({ detail, moderationEvents = [] }) =>
        frame.channel_url === detail.channel.channel_url
          ? { moderationEvents: [...moderationEvents, frame].slice(-MODERATION_EVENTS_LIMIT) }
          : {},
      ),
  }));
