import type {
  AdminChannelDetail,
  MessageFrame,
  MigrationJob,
  UserJoinedFrame,
  UserLeftFrame,
} from "@podchat/protocol";
import { createStore } from "zustand/vanilla";
import { sameUser } from "@/lib/format";

/** Most messages the live tail keeps. */
export const TAIL_LIMIT = 200;

export interface ChannelState {
  detail: AdminChannelDetail;
  job: MigrationJob | null;
}

export interface ChannelActions {
  setDetail: (detail: AdminChannelDetail) => void;
  /** A `message` event: appended once, in seq order. */
  receiveMessage: (message: MessageFrame) => void;
  /** A `presence` event: marks the member online or offline. */
  receivePresence: (frame: UserJoinedFrame | UserLeftFrame) => void;
  setJob: (job: MigrationJob | null) => void;
}

export type ChannelStore = ChannelState & ChannelActions;

export function mergeMessage(tail: readonly MessageFrame[], message: MessageFrame): MessageFrame[] {
  if (tail.some((m) => m.message_id === message.message_id || m.seq === message.seq)) return [...tail];
  const next = [...tail, message].sort((a, b) => a.seq - b.seq);
  return next.slice(-TAIL_LIMIT);
}

export const createChannelStore = (init: ChannelState) =>
  createStore<ChannelStore>()((set) => ({
    ...init,
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
    setJob: (job) => set({ job }),
  }));
