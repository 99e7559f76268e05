import type {
  EmulatorChannel,
  EmulatorMessage,
  EmulatorRestriction,
  EmulatorState,
  EmulatorUser,
} from "./emulator-state.ts";

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

/** A member; `role` and `is_muted` as Sendbird reports them on member resources. */
export function memberResource(user: EmulatorUser, channel: EmulatorChannel, now: number) {
  // A member resource carries no `created_at` (the official SDK's SendBirdMember has none).
  const { created_at: _createdAt, ...user_ } = userResource(user);
  return {
    ...user_,
    state: "joined" as const,
    role: channel.operators.includes(user.user_id) ? "operator" : "",
    is_muted: isActive(channel.mutes.get(user.user_id), now),
  };
}

/** A ban or mute that has not run out (`end_at` -1 never does). */
export function isActive(restriction: EmulatorRestriction | undefined, now: number): boolean {
  return restriction !== undefined && (restriction.end_at === -1 || restriction.end_at > now);
}

/** Brief user object inside ban entries ("Ban a member from a group channel", "List banned members"). */
export function briefUser(user: EmulatorUser) {
  return { user_id: user.user_id, nickname: user.nickname, profile_url: user.profile_url, metadata: {} };
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
    updated_at: message.updated_at,
    is_removed: false,
    mention_type: "users",
    mentioned_users: [],
    message_survival_seconds: -1,
    ...(message.type === "FILE" && message.file
      ? {
          file: { ...message.file, data: "" },
          thumbnails: (message.thumbnails ?? []).map((url) => ({ url })),
          require_auth: false,
        }
      : {}),
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

export function channelResource(
  state: EmulatorState,
  channel: EmulatorChannel,
  showMember: boolean,
  showReadReceipt = false,
) {
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
    freeze: channel.freeze,
    member_count: channel.members.length,
    joined_member_count: channel.members.length,
    max_length_message: 5000,
    created_at: channel.created_at,
    last_message: last ? messageResource(state, last) : null,
    ...(showMember
      ? {
          members: channel.members.flatMap((id) => {
            const user = state.users.get(id);
            return user ? [memberResource(user, channel, state.now())] : [];
          }),
        }
      : {}),
    // "show_read_receipt": user id → Unix ms of the member's last read; members who never read are absent.
    ...(showReadReceipt ? { read_receipt: Object.fromEntries(channel.readReceipts) } : {}),
  };
}

/**
 * A member's unread messages: others' messages after the member's read receipt ("For the member who
 * sent the message ... the read receipt [is updated] to the time when the message was sent").
 */
export function unreadCountOf(
  messages: readonly EmulatorMessage[],
  channel: EmulatorChannel,
  userId: string,
) {
  const readAt = channel.readReceipts.get(userId) ?? 0;
  return messages.filter((m) => m.created_at > readAt && m.user_id !== userId).length;
}

/**
 * A channel as "List group channels by user" answers it: the group channel resource plus the
 * target user's own state in it (unread count, member state, role, hidden state, last read).
 * The emulator has no invitations, hiding or mentions: every member is `joined`, nothing is hidden.
 */
export function myGroupChannelResource(
  state: EmulatorState,
  channel: EmulatorChannel,
  userId: string,
  options: { showMember: boolean; showReadReceipt: boolean },
) {
  const messages = state.messages.get(channel.channel_url) ?? [];
  return {
    ...channelResource(state, channel, options.showMember, options.showReadReceipt),
    unread_message_count: unreadCountOf(messages, channel, userId),
    unread_mention_count: 0,
    member_state: "joined" as const,
    my_role: channel.operators.includes(userId) ? "operator" : "",
    is_hidden: false,
    hidden_state: "unhidden" as const,
    is_push_enabled: true,
    push_trigger_option: "default",
    count_preference: "all",
    user_last_read: channel.readReceipts.get(userId) ?? 0,
  };
}
