import type { EmulatorChannel, EmulatorMessage, EmulatorState, EmulatorUser } from "./emulator-state.ts";

/** Sendbird's user resource (the fields podchat reads, plus the usual companions). */
export function userResource(user: EmulatorUser) {
  return {
    user_id: user.user_id,
    nickname: user.nickname,
    profile_url: user.profile_url,
    is_active: true,
    is_online: false,
    last_seen_at: 0,
    created_at: user.created_at,
    metadata: {},
  };
}

export function memberResource(user: EmulatorUser) {
  return { ...userResource(user), state: "joined" as const };
}

export function messageResource(state: EmulatorState, message: EmulatorMessage) {
  const sender = message.user_id === null ? undefined : state.users.get(message.user_id);
  return {
    type: message.type,
    message_id: message.message_id,
    message: message.message,
    custom_type: message.custom_type,
    data: message.data,
    channel_url: message.channel_url,
    channel_type: "group",
    created_at: message.created_at,
    updated_at: 0,
    is_removed: false,
    mention_type: "users",
    mentioned_users: [],
    message_survival_seconds: -1,
    // Admin messages have no sender; Sendbird omits `user` for them.
    ...(sender
      ? {
          user: {
            user_id: sender.user_id,
            nickname: sender.nickname,
            profile_url: sender.profile_url,
            metadata: {},
          },
        }
      : {}),
  };
}

export function channelResource(state: EmulatorState, channel: EmulatorChannel, showMember: boolean) {
  const messages = state.messages.get(channel.channel_url) ?? [];
  const last = messages.at(-1);
  return {
    channel_url: channel.channel_url,
    name: channel.name,
    cover_url: channel.cover_url,
    custom_type: channel.custom_type,
    data: channel.data,
    is_distinct: channel.is_distinct,
    is_public: channel.is_public,
    is_super: false,
    is_ephemeral: false,
    freeze: false,
    member_count: channel.members.length,
    joined_member_count: channel.members.length,
    max_length_message: 5000,
    created_at: channel.created_at,
    last_message: last ? messageResource(state, last) : null,
    ...(showMember
      ? {
          members: channel.members.flatMap((id) => {
            const user = state.users.get(id);
            return user ? [memberResource(user)] : [];
          }),
        }
      : {}),
  };
}
