import { ErrorCode, Limits, wireUserId } from "@podchat/protocol";
import type {
  Channel,
  CreateChannelBody,
  HistoryQuery,
  HistoryResponse,
  ListChannelsQuery,
  ListChannelsResponse,
  MessageFrame,
  SendMessageBody,
  UpdateChannelBody,
} from "@podchat/protocol";
import { ChatError } from "../../chat/chat-error.ts";
import type { ChatProvider, SentMessage } from "../chat-provider.ts";
import { SendbirdApiError, SendbirdErrorCode, isSendbirdApiError } from "./sendbird-api-error.ts";
import type { SendbirdService } from "./sendbird-service.ts";
import type { SendbirdGroupChannel, SendbirdMessage } from "./sendbird-types.ts";

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
 * Not supported on Sendbird channels: sending FILE/IMAGE messages (`UNSUPPORTED`; received file
 * messages are mapped), and `req_id` idempotency (`duplicate` is always false). `q` of
 * `listChannels` matches channel names only (Sendbird's `name_contains`).
 */
export function createSendbirdProvider(service: SendbirdService): ChatProvider {
  async function channelWithMembers(channelUrl: string): Promise<Channel> {
    return toChannel(await service.getGroupChannel(channelUrl, { showMember: true }));
  }

  return {
    name: "sendbird",

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
      if (type === "FILE" || type === "IMAGE") {
        throw new ChatError(
          ErrorCode.UNSUPPORTED,
          "File and image messages are not supported on Sendbird channels",
          {
            field: "type",
          },
        );
      }
      if (type === "MESG" && body.user_id === undefined) {
        throw new ChatError(ErrorCode.VALIDATION_FAILED, "user_id is required for MESG messages", {
          field: "user_id",
        });
      }
      try {
        const sent = await service.sendMessage(
          channelUrl,
          type === "ADMM"
            ? { message_type: "ADMM", message: body.message, custom_type: body.custom_type, data: body.data }
            : {
                message_type: "MESG",
                user_id: body.user_id ?? "",
                message: body.message,
                custom_type: body.custom_type,
                data: body.data,
              },
        );
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
  return {
    type: message.type,
    channel_url: message.channel_url,
    user_id: message.user ? wireUserId(message.user.user_id) : null,
    message: message.message,
    timestamp: new Date(message.created_at).toISOString(),
    message_id: String(message.message_id),
    seq: message.message_id,
    ...(message.custom_type ? { custom_type: message.custom_type } : {}),
    ...(message.data ? { data: parseData(message.data) } : {}),
    ...(message.type === "FILE" && file
      ? {
          file: {
            url: file.url,
            name: file.name || "file",
            size: file.size,
            mime_type: file.type || "application/octet-stream",
          },
        }
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
