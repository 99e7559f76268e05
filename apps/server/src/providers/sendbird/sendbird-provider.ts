import { ErrorCode, Limits, wireUserId } from "@podchat/protocol";
import type {
  Channel,
  CreateChannelBody,
  HistoryQuery,
  HistoryResponse,
  ListChannelsQuery,
  ListChannelsResponse,
  MessageFrame,
  ModerationState,
  ReadStateResponse,
  SendMessageBody,
  UnreadResponse,
  UpdateChannelBody,
} from "@podchat/protocol";
import { ChatError } from "../../errors/chat-error.ts";
import type { ChatProvider, EditedMessage, SentMessage } from "../chat-provider.ts";
import { SendbirdApiError, SendbirdErrorCode, isSendbirdApiError } from "./sendbird-api-error.ts";
import type { SendbirdService } from "./sendbird-service.ts";
import type { SendbirdGroupChannel, SendbirdMember, SendbirdMessage } from "./sendbird-types.ts";

const defaultHistoryLimit = 50;
/** Sendbird's page caps: 100 channels or members, 200 messages per side of the anchor. */
const sendbirdChannelPageMax = 100;
const sendbirdMessageLimitMax = 200;

/**
 * podchat's `ChatProvider` on Sendbird group channels.
 *
 * Sequence numbers: Sendbird has no per-channel gap-free counter, and deriving one (a message's
 * position in the channel) would cost a history scan per message. So on Sendbird channels
 * `seq` is Sendbird's `message_id`: unique and increasing within a channel (ids are monotonic per
 * application), but with gaps. `last_seq` is the last message's id (0 when there is none), and
 * `before_seq`/`after_seq` page with Sendbird's `message_id` anchor (`include=false`). Clients must
 * therefore compare seqs by order only, never count on `seq + 1`.
 *
 * File and image messages: podchat uploads give a URL, so FILE and IMAGE are sent as Sendbird FILE
 * messages by URL (`url`, `file_name`, `file_size`, `file_type`, `thumbnails` = `thumbnail_url`).
 * Sendbird has no IMAGE type and no caption on file messages: podchat keeps the type, the caption
 * (`message`) and `width`/`height` under a reserved `_podchat` key of Sendbird's `data` string, and
 * strips it again when reading, so they round-trip. File messages need a sending member on
 * Sendbird: a FILE/IMAGE without `user_id` is UNSUPPORTED.
 *
 * Differences from podchat's own chat, by design of Sendbird's Platform API:
 * - Edits (`PUT .../messages/{id}`) change the message in place: history shows the edited text with
 *   `edited_at` (Sendbird's `updated_at`), but there is no MESSAGE_UPDATED entry in a seq log.
 * - Deletes (`DELETE .../messages/{id}`) remove the message for real: it vanishes from history
 *   instead of staying as a `deleted: true` tombstone (its seq just becomes one more gap).
 * - Read state is a timestamp per member on Sendbird. `markRead` marks the whole channel read "up to
 *   now" (`mark_as_read` has no "up to message" form; its `timestamp` is deprecated): `seq` is
 *   ignored beyond that. `last_read_seq` is the newest message at or before the member's read
 *   receipt, and `unread_count` is Sendbird's own count (others' messages after the receipt,
 *   admin messages included).
 * - Bans expel the member (Sendbird removes banned users from the channel); a ban "until lifted"
 *   is Sendbird's ten-year ban, reported back as `until: null`.
 * - Mute and freeze are enforced by Sendbird for its SDK clients; podchat's REST sends check them
 *   here too (one channel read per send), as the Platform API acts with admin rights.
 *
 * Not supported: `req_id` idempotency (`duplicate` is always false), FILE/IMAGE without a sender.
 * `q` of `listChannels` matches channel names only (Sendbird's `name_contains`).
 */
export function createSendbirdProvider(service: SendbirdService): ChatProvider {
  async function channelWithMembers(channelUrl: string): Promise<Channel> {
    return toChannel(await service.getGroupChannel(channelUrl, { showMember: true }));
  }

  /** Runs a moderation change, then answers the channel's moderation state; errors mapped once. */
  async function moderate(channelUrl: string, change: () => Promise<unknown>): Promise<ModerationState> {
    try {
      await change();
      return await moderationOf(service, channelUrl);
    } catch (error) {
      throw await moderationError(service, channelUrl, error);
    }
  }

  /**
   * Bans or mutes each user in turn (the service defaults `seconds` to -1). A missing channel
   * fails the first call with 400201, which `moderate` maps: no separate channel read first.
   */
  function restrict(
    channelUrl: string,
    userIds: string[],
    restrictOne: (userId: string) => Promise<unknown>,
  ): Promise<ModerationState> {
    return moderate(channelUrl, async () => {
      for (const userId of unique(userIds)) await restrictOne(userId);
    });
  }

  return {
    name: "sendbird",
    // Sendbird is the truth for its channels and checks members, bans, mutes and freezes itself
    // (this provider reads them through the Platform API before a send).
    capabilities: { recordsInStore: false, enforcesAccess: true, realtime: false },

    async createChannel(input: CreateChannelBody): Promise<Channel> {
      try {
        await service.ensureUsers(input.user_ids);
        const created = await service.createGroupChannel({
          channel_url: input.channel_url,
          name: input.name,
          user_ids: input.user_ids,
          data: input.data ?? {},
          custom_type: input.custom_type,
        });
        return created.members ? toChannel(created) : await channelWithMembers(created.channel_url);
      } catch (error) {
        throw toChatError(error, "create");
      }
    },

    async getChannel(channelUrl: string): Promise<Channel | null> {
      try {
        return await channelWithMembers(channelUrl);
      } catch (error) {
        if (isSendbirdApiError(error, SendbirdErrorCode.RESOURCE_NOT_FOUND)) return null;
        throw toChatError(error, "channel");
      }
    },

    async listChannels(query: ListChannelsQuery): Promise<ListChannelsResponse> {
      if (query.provider !== undefined && query.provider !== "sendbird")
        return { channels: [], next_cursor: null };
      try {
        const page = await service.listGroupChannels({
          token: query.cursor,
          limit: Math.min(query.limit ?? 50, sendbirdChannelPageMax),
          showEmpty: true,
          nameContains: query.q,
        });
        return { channels: page.channels.map(toChannel), next_cursor: page.next || null };
      } catch (error) {
        throw toChatError(error, "list");
      }
    },

    async updateChannel(channelUrl: string, patch: UpdateChannelBody): Promise<Channel> {
      try {
        const updated = await service.updateGroupChannel(channelUrl, {
          name: patch.name,
          data: patch.data,
          custom_type: patch.custom_type,
        });
        return toChannel(updated);
      } catch (error) {
        throw toChatError(error, "channel");
      }
    },

    async deleteChannel(channelUrl: string): Promise<void> {
      try {
        await service.deleteGroupChannel(channelUrl);
      } catch (error) {
        throw toChatError(error, "channel");
      }
    },

    async addMembers(channelUrl: string, userIds: string[]): Promise<Channel> {
      try {
        await service.ensureUsers(userIds);
        const invited = await service.inviteMembers(channelUrl, userIds);
        return invited.members ? toChannel(invited) : await channelWithMembers(channelUrl);
      } catch (error) {
        throw toChatError(error, "channel");
      }
    },

    async removeMembers(channelUrl: string, userIds: string[]): Promise<Channel> {
      try {
        await service.removeMembers(channelUrl, userIds);
        return await channelWithMembers(channelUrl);
      } catch (error) {
        throw toChatError(error, "channel");
      }
    },

    async listMembers(channelUrl: string): Promise<string[]> {
      try {
        const ids: string[] = [];
        let token: string | undefined;
        do {
          const page = await service.listMembers(channelUrl, { token, limit: sendbirdChannelPageMax });
          ids.push(...page.members.map((m) => m.user_id));
          token = page.next || undefined;
        } while (token);
        return ids;
      } catch (error) {
        throw toChatError(error, "channel");
      }
    },

    async sendMessage(channelUrl: string, body: SendMessageBody): Promise<SentMessage> {
      // As on podchat's own provider: no sender means an admin message.
      const type = body.type ?? (body.user_id === undefined ? "ADMM" : "MESG");
      const isFile = type === "FILE" || type === "IMAGE";
      if (isFile && body.user_id === undefined) {
        throw unsupported(
          "Sending a FILE/IMAGE message without user_id",
          "Sendbird file messages must be sent by a member",
          "user_id",
        );
      }
      if (isFile && !body.file) {
        throw new ChatError(ErrorCode.VALIDATION_FAILED, `file is required for ${type} messages`, {
          field: "file",
        });
      }
      if (type === "MESG" && body.user_id === undefined) {
        throw new ChatError(ErrorCode.VALIDATION_FAILED, "user_id is required for MESG messages", {
          field: "user_id",
        });
      }
      try {
        if (body.user_id !== undefined && type !== "ADMM") {
          await assertMaySend(service, channelUrl, String(body.user_id));
        }
        const sent = await service.sendMessage(channelUrl, toSendInput(type, body));
        const frame = toMessageFrame(sent);
        if (!frame) throw new ChatError(ErrorCode.PROVIDER_ERROR, `Sendbird answered a ${sent.type} message`);
        return { message: frame, duplicate: false };
      } catch (error) {
        if (isSendbirdApiError(error, SendbirdErrorCode.RESOURCE_NOT_FOUND)) {
          // Sendbird says 400201 for an unknown channel and for an unknown sender alike.
          throw (await channelExists(service, channelUrl))
            ? new ChatError(ErrorCode.NOT_MEMBER, `Sendbird: ${error.message}`, {
                field: "user_id",
                retryable: false,
                cause: error,
              })
            : toChatError(error, "channel");
        }
        throw toChatError(error, "send");
      }
    },

    async listMessages(channelUrl: string, query: HistoryQuery): Promise<HistoryResponse> {
      try {
        return await history(service, channelUrl, query);
      } catch (error) {
        throw toChatError(error, "channel");
      }
    },

    async editMessage(
      channelUrl: string,
      targetSeq: number,
      edit: { message: string; data?: Record<string, unknown>; userId?: string },
    ): Promise<EditedMessage> {
      try {
        const target = await messageAt(service, channelUrl, targetSeq);
        if (edit.userId !== undefined && target.user?.user_id !== edit.userId) {
          throw new ChatError(ErrorCode.NOT_AUTHOR, "Only the author may edit this message", {
            status: 403,
            field: "user_id",
          });
        }
        const stored = splitData(target.data);
        const data = edit.data ?? stored.data;
        let updated: SendbirdMessage;
        if (target.type === "FILE") {
          // No text on Sendbird file messages: the caption lives in the `_podchat` part of data.
          updated = await service.updateMessage(channelUrl, target.message_id, {
            message_type: "FILE",
            data: joinData(data, { ...stored.meta, message: edit.message }),
          });
        } else if (target.type === "MESG" || target.type === "ADMM") {
          updated = await service.updateMessage(channelUrl, target.message_id, {
            message_type: target.type,
            message: edit.message,
            data: joinData(data, stored.meta),
          });
        } else {
          throw unsupported("Editing this message", `Sendbird ${target.type} messages have no podchat form`);
        }
        const frame = toMessageFrame(updated);
        if (!frame)
          throw new ChatError(ErrorCode.PROVIDER_ERROR, `Sendbird answered a ${updated.type} message`);
        return { message: frame, entry: null };
      } catch (error) {
        throw await messageError(service, channelUrl, error);
      }
    },

    async deleteMessage(channelUrl: string, targetSeq: number, by: { userId?: string }): Promise<null> {
      try {
        const target = await messageAt(service, channelUrl, targetSeq);
        if (by.userId !== undefined && target.user?.user_id !== by.userId) {
          const operators = await allOperators(service, channelUrl);
          if (!operators.includes(by.userId)) {
            throw new ChatError(
              ErrorCode.NOT_AUTHOR,
              "Only the author or an operator may delete this message",
              { status: 403, field: "user_id" },
            );
          }
        }
        await service.deleteMessage(channelUrl, target.message_id);
        return null;
      } catch (error) {
        throw await messageError(service, channelUrl, error);
      }
    },

    async markRead(channelUrl: string, userId: string, _seq: number): Promise<UnreadResponse> {
      try {
        const channel = await service.getGroupChannel(channelUrl, { showMember: true });
        assertMember(channel, userId);
        // Sendbird marks everything read up to now; `seq` cannot narrow it (see the header).
        await service.markAllAsRead(channelUrl, userId);
        return await unreadOf(service, channelUrl, userId);
      } catch (error) {
        throw toChatError(error, "channel");
      }
    },

    async unread(channelUrl: string, userId: string): Promise<UnreadResponse> {
      try {
        return await unreadOf(service, channelUrl, userId);
      } catch (error) {
        throw toChatError(error, "channel");
      }
    },

    async readState(channelUrl: string): Promise<ReadStateResponse> {
      try {
        const channel = await service.getGroupChannel(channelUrl, {
          showMember: true,
          showReadReceipt: true,
        });
        const receipts = channel.read_receipt ?? {};
        const members = channel.members ?? [];
        const seqByTs = new Map<number, number>();
        const stamps = [...new Set(members.map((m) => receipts[m.user_id] ?? 0))];
        for (let i = 0; i < stamps.length; i += 5) {
          await Promise.all(
            stamps.slice(i, i + 5).map(async (ts) => {
              seqByTs.set(ts, await seqReadAt(service, channelUrl, ts));
            }),
          );
        }
        return {
          channel_url: channel.channel_url,
          members: members.map((m) => ({
            user_id: wireUserId(m.user_id),
            last_read_seq: seqByTs.get(receipts[m.user_id] ?? 0) ?? 0,
          })),
        };
      } catch (error) {
        throw toChatError(error, "channel");
      }
    },

    async moderation(channelUrl: string): Promise<ModerationState> {
      try {
        return await moderationOf(service, channelUrl);
      } catch (error) {
        throw toChatError(error, "channel");
      }
    },

    ban(channelUrl: string, userIds: string[], seconds?: number): Promise<ModerationState> {
      return restrict(channelUrl, userIds, (user_id) => service.banUser(channelUrl, { user_id, seconds }));
    },

    unban(channelUrl: string, userId: string): Promise<ModerationState> {
      return moderate(channelUrl, () =>
        ignoreNotFound(service, channelUrl, () => service.unbanUser(channelUrl, userId)),
      );
    },

    mute(channelUrl: string, userIds: string[], seconds?: number): Promise<ModerationState> {
      return restrict(channelUrl, userIds, (user_id) => service.muteUser(channelUrl, { user_id, seconds }));
    },

    unmute(channelUrl: string, userId: string): Promise<ModerationState> {
      return moderate(channelUrl, () =>
        ignoreNotFound(service, channelUrl, () => service.unmuteUser(channelUrl, userId)),
      );
    },

    async setFrozen(channelUrl: string, frozen: boolean): Promise<ModerationState> {
      try {
        await service.setFrozen(channelUrl, frozen);
        return await moderationOf(service, channelUrl);
      } catch (error) {
        throw toChatError(error, "channel");
      }
    },

    addOperators(channelUrl: string, userIds: string[]): Promise<ModerationState> {
      return moderate(channelUrl, () => service.registerOperators(channelUrl, unique(userIds)));
    },

    removeOperators(channelUrl: string, userIds: string[]): Promise<ModerationState> {
      return moderate(channelUrl, async () => {
        // Sendbird fails the whole call (400111) when one id is not an operator; podchat's removal
        // is idempotent, so only current operators are sent.
        const current = new Set(await allOperators(service, channelUrl));
        const removing = unique(userIds).filter((id) => current.has(id));
        if (removing.length > 0) await service.unregisterOperators(channelUrl, removing);
      });
    },
  };
}

function unsupported(operation: string, why: string, field?: string): ChatError {
  return new ChatError(ErrorCode.UNSUPPORTED, `${operation} is not supported on Sendbird channels: ${why}`, {
    status: 501,
    ...(field ? { field } : {}),
  });
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** podchat's own metadata inside Sendbird's `data` string (see the provider's header). */
interface PodchatMeta {
  type?: "IMAGE";
  /** Caption of a file message (Sendbird file messages have no text). */
  message?: string;
  width?: number;
  height?: number;
}
const metaKey = "_podchat";

function splitData(raw: string): { data: Record<string, unknown>; meta: PodchatMeta } {
  const parsed = parseData(raw);
  const { [metaKey]: meta, ...data } = parsed;
  return {
    data,
    meta: typeof meta === "object" && meta !== null && !Array.isArray(meta) ? (meta as PodchatMeta) : {},
  };
}

function joinData(data: Record<string, unknown>, meta: PodchatMeta): Record<string, unknown> {
  const cleaned = Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined && v !== ""));
  return Object.keys(cleaned).length > 0 ? { ...data, [metaKey]: cleaned } : data;
}

function toSendInput(type: SendMessageBody["type"] & string, body: SendMessageBody) {
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

function isOperator(member: SendbirdMember): boolean {
  return member.role === "operator";
}

function assertMember(channel: SendbirdGroupChannel, userId: string): SendbirdMember {
  const member = channel.members?.find((m) => m.user_id === userId);
  if (!member) {
    throw new ChatError(ErrorCode.NOT_MEMBER, `${userId} is not a member of ${channel.channel_url}`, {
      field: "user_id",
    });
  }
  return member;
}

/**
 * podchat's send rules that the Platform API (admin rights) may not apply itself: a muted member
 * cannot send, and only operators send in a frozen channel. Bans expel, so a banned user fails
 * as a non-member.
 */
async function assertMaySend(service: SendbirdService, channelUrl: string, userId: string): Promise<void> {
  const channel = await service.getGroupChannel(channelUrl, { showMember: true });
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

async function messageAt(
  service: SendbirdService,
  channelUrl: string,
  seq: number,
): Promise<SendbirdMessage> {
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new ChatError(ErrorCode.MESSAGE_NOT_FOUND, `No message with seq ${seq}`, { status: 404 });
  }
  return service.getMessage(channelUrl, seq);
}

/** 400201 from a call on a channel that does exist: something inside it (a message, a user) is missing. */
async function missingInChannel(
  service: SendbirdService,
  channelUrl: string,
  error: unknown,
): Promise<boolean> {
  return (
    isSendbirdApiError(error, SendbirdErrorCode.RESOURCE_NOT_FOUND) &&
    (await channelExists(service, channelUrl))
  );
}

/** A call's error on a channel: 400201 is `code` when the channel exists (asked), else the channel is missing. */
async function errorInChannel(
  service: SendbirdService,
  channelUrl: string,
  error: unknown,
  code: ErrorCode,
  details: { status?: number; field?: string },
): Promise<ChatError> {
  if (isSendbirdApiError(error) && (await missingInChannel(service, channelUrl, error))) {
    return new ChatError(code, `Sendbird: ${error.message}`, { ...details, retryable: false, cause: error });
  }
  return toChatError(error, "channel");
}

/** 400201 on a message call: the channel or the message is missing. */
function messageError(service: SendbirdService, channelUrl: string, error: unknown): Promise<ChatError> {
  return errorInChannel(service, channelUrl, error, ErrorCode.MESSAGE_NOT_FOUND, { status: 404 });
}

/** 400201 on a moderation write: the channel or a user is missing. */
function moderationError(service: SendbirdService, channelUrl: string, error: unknown): Promise<ChatError> {
  return errorInChannel(service, channelUrl, error, ErrorCode.NOT_FOUND, { field: "user_ids" });
}

/** Lifting a ban or mute that is not there is a no-op in podchat; on Sendbird it is 400201. */
async function ignoreNotFound(
  service: SendbirdService,
  channelUrl: string,
  call: () => Promise<void>,
): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (await missingInChannel(service, channelUrl, error)) return;
    throw error;
  }
}

/** Seq (message id) of the newest message created at or before `ts` (Unix ms); 0 for none. */
async function seqReadAt(service: SendbirdService, channelUrl: string, ts: number): Promise<number> {
  if (ts <= 0) return 0;
  const around = await service.listMessages(channelUrl, {
    message_ts: ts,
    prev_limit: 1,
    next_limit: 0,
    include: true,
  });
  return around.filter((m) => m.created_at <= ts).reduce((max, m) => Math.max(max, m.message_id), 0);
}

async function unreadOf(
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

async function allPages<T>(fetchPage: (token: string | undefined) => Promise<{ items: T[]; next: string }>) {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    all.push(...page.items);
    token = page.next || undefined;
  } while (token);
  return all;
}

async function allOperators(service: SendbirdService, channelUrl: string): Promise<string[]> {
  const operators = await allPages(async (token) => {
    const page = await service.listOperators(channelUrl, { token, limit: sendbirdChannelPageMax });
    return { items: page.operators, next: page.next };
  });
  return operators.map((o) => o.user_id);
}

/** A Sendbird ban "until lifted" is a ten-year ban; anything that long reads back as null. */
const permanentBanMs = 10 * 365 * 86_400_000 - 86_400_000;

function untilOf(startAt: number | undefined, endAt: number): string | null {
  if (endAt <= 0) return null;
  if (startAt !== undefined && endAt - startAt >= permanentBanMs) return null;
  return new Date(endAt).toISOString();
}

async function moderationOf(service: SendbirdService, channelUrl: string): Promise<ModerationState> {
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

/**
 * One page of history. Asks Sendbird for one message more than `limit` to learn whether more
 * exist; at Sendbird's cap (200) a full page reports `has_more` and the next page may be empty.
 */
async function history(
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

async function channelExists(service: SendbirdService, channelUrl: string): Promise<boolean> {
  try {
    await service.getGroupChannel(channelUrl, { showMember: false });
    return true;
  } catch (error) {
    if (isSendbirdApiError(error, SendbirdErrorCode.RESOURCE_NOT_FOUND)) return false;
    throw toChatError(error, "channel");
  }
}

function toFrames(messages: SendbirdMessage[]): MessageFrame[] {
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

type Operation = "create" | "channel" | "list" | "send";

/** Sendbird failure → the `ChatError` podchat's edge understands, keeping the original as cause. */
export function toChatError(error: unknown, operation: Operation): ChatError {
  if (error instanceof ChatError) return error;
  if (!(error instanceof SendbirdApiError)) {
    return new ChatError(ErrorCode.PROVIDER_ERROR, "Sendbird call failed", {
      retryable: false,
      cause: error,
    });
  }
  const base = { cause: error, retryable: error.retryable };
  const message = `Sendbird: ${error.message}`;
  switch (error.code) {
    case SendbirdErrorCode.RESOURCE_NOT_FOUND:
      // On create the channel cannot be what is missing: a user is.
      return operation === "create"
        ? new ChatError(ErrorCode.NOT_FOUND, message, { ...base, field: "user_ids" })
        : new ChatError(ErrorCode.CHANNEL_NOT_FOUND, message, base);
    case SendbirdErrorCode.RESOURCE_ALREADY_EXISTS:
      return new ChatError(
        operation === "create" ? ErrorCode.CHANNEL_EXISTS : ErrorCode.PROVIDER_ERROR,
        message,
        operation === "create" ? { ...base, field: "channel_url" } : base,
      );
    case SendbirdErrorCode.UNAUTHORIZED_REQUEST:
      if (operation === "send")
        return new ChatError(ErrorCode.NOT_MEMBER, message, { ...base, field: "user_id" });
      break;
  }
  // 4001xx: the request was invalid for Sendbird (e.g. a channel_url Sendbird does not accept).
  if (error.status === 400 && error.code >= 400100 && error.code < 400200) {
    return new ChatError(ErrorCode.VALIDATION_FAILED, message, base);
  }
  return new ChatError(ErrorCode.PROVIDER_ERROR, message, {
    ...base,
    // A rate limit stays a 429 so callers back off (with Retry-After) instead of treating it as an outage.
    ...(error.kind === "timeout" ? { status: 504 } : error.status === 429 ? { status: 429 } : {}),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  });
}
