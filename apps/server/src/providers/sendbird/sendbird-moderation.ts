import { ErrorCode, wireUserId } from "@podchat/protocol";
import type { ModerationState } from "@podchat/protocol";
import { ChatError } from "../../errors/chat-error.ts";
import type { SendbirdService } from "./sendbird-service.ts";

import { assertMember, isOperator } from "./sendbird-mapping.ts";
import { sendbirdChannelPageMax, allPages, allOperators } from "./sendbird-paging.ts";

/**
 * podchat's send rules that the Platform API (admin rights) may not apply itself: a banned user
 * cannot send (bans expel, but a member added back by other means would still be banned), a muted
 * member cannot send, and only operators send in a frozen channel. The ban is read alongside the
 * channel (one more call, concurrent).
 */
export async function assertMaySend(
  service: SendbirdService,
  channelUrl: string,
  userId: string,
): Promise<void> {
  const [channel, ban] = await Promise.all([
    service.getGroupChannel(channelUrl, { showMember: true }),
    service.getBan(channelUrl, userId),
  ]);
  if (ban) throw bannedError([userId], channelUrl);
  const member = assertMember(channel, userId);
  if (member.is_muted) {
    throw new ChatError(ErrorCode.MUTED, `${userId} is muted in ${channelUrl}`, { status: 403 });
  }
  if (channel.freeze && !isOperator(member)) {
    throw new ChatError(ErrorCode.FROZEN, `${channelUrl} is frozen: only operators may send`, {
      status: 403,
    });
  }
}

function bannedError(userIds: readonly string[], channelUrl: string): ChatError {
  return new ChatError(ErrorCode.BANNED, `${userIds.join(", ")} banned from ${channelUrl}`, {
    status: 403,
    field: "user_ids",
  });
}

/** Sendbird documents 400750 for banned users entering; podchat refuses before inviting at all. */
export async function assertNoneBanned(
  service: SendbirdService,
  channelUrl: string,
  userIds: readonly string[],
): Promise<void> {
  const bans = await allPages(async (token) => {
    const page = await service.listBannedUsers(channelUrl, { token, limit: sendbirdChannelPageMax });
    return { items: page.banned_list, next: page.next };
  });
  const banned = new Set(bans.map((b) => b.user.user_id));
  const refused = userIds.filter((id) => banned.has(id));
  if (refused.length > 0) throw bannedError(refused, channelUrl);
}

/** A Sendbird ban "until lifted" is a ten-year ban; anything that long reads back as null. */
const permanentBanMs = 10 * 365 * 86_400_000 - 86_400_000;

function untilOf(startAt: number | undefined, endAt: number): string | null {
  if (endAt <= 0) return null;
  if (startAt !== undefined && endAt - startAt >= permanentBanMs) return null;
  return new Date(endAt).toISOString();
}

export async function moderationOf(service: SendbirdService, channelUrl: string): Promise<ModerationState> {
  const [channel, bans, mutes, operators] = await Promise.all([
    service.getGroupChannel(channelUrl, { showMember: false }),
    allPages(async (token) => {
      const page = await service.listBannedUsers(channelUrl, { token, limit: sendbirdChannelPageMax });
      return { items: page.banned_list, next: page.next };
    }),
    allPages(async (token) => {
      const page = await service.listMutedUsers(channelUrl, { token, limit: sendbirdChannelPageMax });
      return { items: page.muted_list, next: page.next };
    }),
    allOperators(service, channelUrl),
  ]);
  return {
    channel_url: channel.channel_url,
    frozen: channel.freeze,
    operators: operators.map(wireUserId),
    banned: bans.map((b) => ({ user_id: wireUserId(b.user.user_id), until: untilOf(b.start_at, b.end_at) })),
    muted: mutes.map((m) => ({ user_id: wireUserId(m.user_id), until: untilOf(undefined, m.end_at) })),
  };
}
