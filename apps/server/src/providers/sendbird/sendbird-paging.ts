import { ErrorCode, Limits, wireUserId } from "@podchat/protocol";
import type { HistoryQuery, HistoryResponse, UnreadResponse } from "@podchat/protocol";
import { ChatError } from "../../errors/chat-error.ts";
import type { SendbirdService } from "./sendbird-service.ts";
import type { SendbirdMessage } from "./sendbird-types.ts";

import { toFrames } from "./sendbird-mapping.ts";
import { assertMember } from "./sendbird-mapping.ts";

const defaultHistoryLimit = 50;

/** Sendbird's page caps: 100 channels or members, 200 messages per side of the anchor. */
export const sendbirdChannelPageMax = 100;

const sendbirdMessageLimitMax = 200;

export async function messageAt(
  service: SendbirdService,
  channelUrl: string,
  seq: number,
): Promise<SendbirdMessage> {
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new ChatError(ErrorCode.MESSAGE_NOT_FOUND, `No message with seq ${seq}`, { status: 404 });
  }
  return service.getMessage(channelUrl, seq);
}

/** Seq (message id) of the newest message created at or before `ts` (Unix ms); 0 for none. */
export async function seqReadAt(service: SendbirdService, channelUrl: string, ts: number): Promise<number> {
  if (ts <= 0) return 0;
  const around = await service.listMessages(channelUrl, {
    message_ts: ts,
    prev_limit: 1,
    next_limit: 0,
    include: true,
  });
  return around.filter((m) => m.created_at <= ts).reduce((max, m) => Math.max(max, m.message_id), 0);
}

export async function unreadOf(
  service: SendbirdService,
  channelUrl: string,
  userId: string,
): Promise<UnreadResponse> {
  const channel = await service.getGroupChannel(channelUrl, { showMember: true, showReadReceipt: true });
  assertMember(channel, userId);
  const [counts, lastReadSeq] = await Promise.all([
    service.unreadCounts(channelUrl, [userId]),
    seqReadAt(service, channelUrl, channel.read_receipt?.[userId] ?? 0),
  ]);
  return {
    channel_url: channel.channel_url,
    user_id: wireUserId(userId),
    last_read_seq: lastReadSeq,
    last_seq: channel.last_message?.message_id ?? 0,
    unread_count: counts[userId] ?? 0,
  };
}

export async function allPages<T>(
  fetchPage: (token: string | undefined) => Promise<{ items: T[]; next: string }>,
) {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    all.push(...page.items);
    token = page.next || undefined;
  } while (token);
  return all;
}

export async function allOperators(service: SendbirdService, channelUrl: string): Promise<string[]> {
  const operators = await allPages(async (token) => {
    const page = await service.listOperators(channelUrl, { token, limit: sendbirdChannelPageMax });
    return { items: page.operators, next: page.next };
  });
  return operators.map((o) => o.user_id);
}

/**
 * One page of history. Asks Sendbird for one message more than `limit` to learn whether more
 * exist; at Sendbird's cap (200) a full page reports `has_more` and the next page may be empty.
 */
export async function history(
  service: SendbirdService,
  channelUrl: string,
  query: HistoryQuery,
): Promise<HistoryResponse> {
  const limit = Math.min(query.limit ?? defaultHistoryLimit, Limits.historyPageMax);
  const probe = Math.min(limit + 1, sendbirdMessageLimitMax);

  const afterSeq = query.after_seq;
  const beforeSeq = query.before_seq;
  if (afterSeq !== undefined) {
    // seq 0 means "from the beginning": no message has id 0, so anchor on time instead.
    const anchor = afterSeq > 0 ? { message_id: afterSeq } : { message_ts: 0 };
    const raw = await service.listMessages(channelUrl, {
      ...anchor,
      prev_limit: 0,
      next_limit: probe,
      include: false,
    });
    const frames = toFrames(raw).filter(
      (m) => m.seq > afterSeq && (beforeSeq === undefined || m.seq < beforeSeq),
    );
    const hasMore = frames.length > limit || (probe === limit && frames.length === limit);
    const page = frames.slice(0, limit);
    return {
      messages: page,
      has_more: hasMore,
      prev_before_seq: afterSeq > 0 ? (page[0]?.seq ?? null) : null,
      next_after_seq: page.at(-1)?.seq ?? afterSeq,
    };
  }

  if (beforeSeq !== undefined && beforeSeq <= 1) {
    return { messages: [], has_more: false, prev_before_seq: null, next_after_seq: null };
  }
  // Newest page: anchor a day ahead so a clock behind Sendbird's still sees the latest messages.
  const anchor =
    beforeSeq !== undefined ? { message_id: beforeSeq } : { message_ts: Date.now() + 86_400_000 };
  const raw = await service.listMessages(channelUrl, {
    ...anchor,
    prev_limit: probe,
    next_limit: 0,
    include: false,
  });
  const frames = toFrames(raw).filter((m) => beforeSeq === undefined || m.seq < beforeSeq);
  const hasMore = frames.length > limit || (probe === limit && frames.length === limit);
  const page = frames.slice(-limit);
  return {
    messages: page,
    has_more: hasMore,
    prev_before_seq: hasMore ? (page[0]?.seq ?? null) : null,
    next_after_seq: page.at(-1)?.seq ?? null,
  };
}
