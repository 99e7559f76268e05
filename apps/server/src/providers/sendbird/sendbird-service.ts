/*
 * Typed client of the Sendbird Chat Platform API v3, following these documentation pages:
 * - Overview, headers (`Api-Token`, `Content-Type: application/json; charset=utf8`):
 *   https://sendbird.com/docs/chat/v3/platform-api/getting-started/prepare-to-use-api
 * - Create a user: https://sendbird.com/docs/chat/v3/platform-api/user/creating-users/create-a-user
 * - Get a user: https://sendbird.com/docs/chat/v3/platform-api/user/listing-users/get-a-user
 * - Create a group channel:
 *   https://sendbird.com/docs/chat/v3/platform-api/channel/creating-a-channel/create-a-group-channel
 * - Get / update / delete a group channel, list group channels (`token`, `limit`, `next`,
 *   `show_member`, `show_empty`, `name_contains`):
 *   https://sendbird.com/docs/chat/v3/platform-api/channel/listing-channels-in-an-application/list-group-channels
 * - Invite as members, leave, list members:
 *   https://sendbird.com/docs/chat/v3/platform-api/channel/listing-users/list-members-of-a-group-channel
 * - Send a message (MESG, ADMM; `custom_type`, `data`):
 *   https://sendbird.com/docs/chat/v3/platform-api/message/messaging-basics/send-a-message
 * - List messages (`message_ts` | `message_id`, `prev_limit`, `next_limit` 0..200, `include`, `reverse`):
 *   https://sendbird.com/docs/chat/v3/platform-api/message/messaging-basics/list-messages
 * - Error body `{ error, code, message }` and codes (400201 not found, 400202 unique constraint,
 *   400401 invalid API token, 500901 internal, 500910 rate limited):
 *   https://sendbird.com/docs/chat/v3/platform-api/error-codes
 * - Send a file message by URL (`message_type: "FILE"`, `url`, `file_name`, `file_size`, `file_type`,
 *   `thumbnails`), get / update / delete a message (`PUT|DELETE .../messages/{message_id}`):
 *   https://sendbird.com/docs/chat/v3/platform-api/message/messaging-basics/messaging-basics-overview
 *   https://sendbird.com/docs/chat/v3/platform-api/message/messaging-basics/update-a-message
 *   https://sendbird.com/docs/chat/v3/platform-api/message/messaging-basics/delete-a-message
 * - Read receipts: mark all messages as read (`PUT .../messages/mark_as_read` {user_id}), number of
 *   unread messages per member (`GET .../messages/unread_count?user_ids=`), and each member's read
 *   receipt (Unix ms) on the channel resource with `show_read_receipt=true`:
 *   https://sendbird.com/docs/chat/v3/platform-api/message/read-receipts/mark-all-messages-as-read-message
 *   https://sendbird.com/docs/chat/v3/platform-api/message/read-receipts/get-number-of-unread-messages-per-member
 *   https://sendbird.com/docs/chat/v3/platform-api/channel/listing-channels-in-an-application/get-a-group-channel
 * - Moderation: freeze (`PUT .../freeze` {freeze}), ban (`POST .../ban` {user_id, seconds, description},
 *   `GET .../ban` → banned_list, `GET|DELETE .../ban/{banned_user_id}`), mute (`POST .../mute`,
 *   `GET .../mute` → muted_list, `DELETE .../mute/{muted_user_id}`), operators (`POST .../operators`
 *   {operator_ids}, `GET .../operators`, `DELETE .../operators?operator_ids=`):
 *   https://sendbird.com/docs/chat/v3/platform-api/moderation/freezing-a-channel/freeze-a-group-channel
 *   https://sendbird.com/docs/chat/platform-api/v3/moderation/banning-a-user/ban-a-member-from-a-group-channel
 *   https://sendbird.com/docs/chat/v3/platform-api/moderation/listing-banned-users/list-banned-members-in-a-group-channel
 *   https://sendbird.com/docs/chat/v3/platform-api/moderation/muting-a-user/mute-a-member-in-a-group-channel
 *   https://sendbird.com/docs/chat/v3/platform-api/moderation/listing-muted-users/list-muted-members-in-a-group-channel
 *   https://sendbird.com/docs/chat/v3/platform-api/user/assigning-a-user-role/register-operators-to-a-group-channel
 *   https://sendbird.com/docs/chat/v3/platform-api/user/assigning-a-user-role/unregister-operators-from-a-group-channel
 * - List group channels by user (`GET /users/{user_id}/my_group_channels`: `token`, `limit` 1..100,
 *   `order`, `show_empty`, `custom_types`, `name_startswith`, `unread_filter`, `next`):
 *   https://sendbird.com/docs/chat/v3/platform-api/user/managing-joined-group-channels/list-group-channels-by-user
 * - Rate limits (HTTP 429, `X-RateLimit-Limit`/`-Remaining`/`-Reset`, retry after
 *   `X-RateLimit-RetryAfter`):
 *   https://sendbird.com/docs/chat/v3/platform-api/application/understanding-rate-limits/rate-limits
 */
import { setTimeout as sleep } from "node:timers/promises";
import type * as z from "zod";
import { SendbirdApiError, SendbirdErrorCode, isSendbirdApiError } from "./sendbird-api-error.ts";
import { defaultBackoff, fullJitterDelay, retryAfterMs } from "./sendbird-retry.ts";
import type { BackoffOptions } from "./sendbird-retry.ts";
import {
  EmptyResponse,
  SendbirdBan,
  SendbirdBanList,
  SendbirdChannelList,
  SendbirdErrorBody,
  SendbirdGroupChannel,
  SendbirdMemberList,
  SendbirdMessage,
  SendbirdMessageList,
  SendbirdMuteList,
  SendbirdMyGroupChannelList,
  SendbirdOperatorList,
  SendbirdUnreadCounts,
  SendbirdUser,
} from "./sendbird-types.ts";

export interface SendbirdServiceOptions {
  /** Sendbird application id; picks the default base url `https://api-{appId}.sendbird.com/v3`. */
  appId: string;
  apiToken: string;
  /** Overrides the base url (the local emulator, a proxy). Includes `/v3`. */
  baseUrl?: string;
  /** Per attempt, including reading the body. Default 10 s. */
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures. Default 2 (3 attempts in all). */
  maxRetries?: number;
  backoff?: BackoffOptions;
  /** A `Retry-After` longer than this is not waited for: the call fails at once. Default 30 s. */
  maxRetryAfterMs?: number;
}

/** `data` is a string on Sendbird; objects are JSON-encoded. */
export type SendbirdData = Record<string, unknown> | string;

export interface CreateGroupChannelInput {
  channel_url: string;
  name?: string;
  user_ids: string[];
  data?: SendbirdData;
  custom_type?: string;
  cover_url?: string;
  is_distinct?: boolean;
}

export interface UpdateGroupChannelInput {
  name?: string;
  data?: SendbirdData;
  custom_type?: string;
  cover_url?: string;
}

export interface ListGroupChannelsInput {
  token?: string;
  /** 1..100 (Sendbird's default 10). */
  limit?: number;
  showMember?: boolean;
  /** Sendbird leaves channels without messages out unless this is true. Default true here. */
  showEmpty?: boolean;
  nameContains?: string;
  channelUrls?: string[];
}

/** "List group channels by user"; unset fields take Sendbird's defaults. */
export interface ListMyGroupChannelsInput {
  token?: string;
  /** 1..100 (Sendbird's default 10). */
  limit?: number;
  order?:
    | "chronological"
    | "latest_last_message"
    | "channel_name_alphabetical"
    | "metadata_value_alphabetical";
  /** Sendbird leaves channels without messages out unless this is true. */
  showEmpty?: boolean;
  showMember?: boolean;
  /** Exact custom types (sent comma-separated, each urlencoded). */
  customTypes?: string[];
  nameStartswith?: string;
  unreadFilter?: "all" | "unread_message";
}

export interface ListMembersInput {
  token?: string;
  /** 1..100. */
  limit?: number;
}

export type SendMessageInput =
  | { message_type: "MESG"; user_id: string; message: string; custom_type?: string; data?: SendbirdData }
  | { message_type: "ADMM"; message: string; custom_type?: string; data?: SendbirdData }
  | {
      /** A file message by URL: the file stays where it is hosted (podchat's upload store). */
      message_type: "FILE";
      user_id: string;
      url: string;
      file_name?: string;
      file_size?: number;
      file_type?: string;
      /** Up to 3 thumbnail URLs. */
      thumbnails?: string[];
      custom_type?: string;
      data?: SendbirdData;
    };

/** "Update a message": `message_type` must be the message's own type. */
export interface UpdateMessageInput {
  message_type: "MESG" | "FILE" | "ADMM";
  message?: string;
  custom_type?: string;
  data?: SendbirdData;
}

/** A ban or mute; `seconds` -1 (Sendbird's default) = ten years for bans, until lifted for mutes. */
export interface RestrictUserInput {
  user_id: string;
  seconds?: number;
  description?: string;
}

/** One page of a moderation list: the same paging as members. */
export type PageInput = ListMembersInput;

/** The anchor is either a timestamp (ms) or a message id; limits are 0..200. */
export type ListMessagesInput = ({ message_ts: number } | { message_id: number }) & {
  prev_limit?: number;
  next_limit?: number;
  include?: boolean;
  reverse?: boolean;
};

export interface CreateUserInput {
  user_id: string;
  nickname: string;
  profile_url?: string;
}

/** A comma-separated id list: each id urlencoded once, the commas left as they are. */
interface IdList {
  readonly ids: readonly string[];
}

type Query = Record<string, string | number | boolean | IdList | undefined>;

/** Which failures a request may be retried on. */
type RetryPolicy =
  /** Idempotent, or harmless to repeat: 429, 5xx, timeouts, network errors. */
  | "retryable"
  /** Not safe to repeat once Sendbird may have processed it (sending a message): 429 only. */
  | "rate-limit-only";

interface RequestSpec<S extends z.ZodType> {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  query?: Query;
  body?: unknown;
  schema: S;
  retry?: RetryPolicy;
}

/**
 * Client of Sendbird's Platform API v3 (users, group channels, members, messages). Every method
 * throws {@link SendbirdApiError}. Usable on its own; `createSendbirdProvider` adapts it to
 * podchat's `ChatProvider`.
 */
export class SendbirdService {
  readonly baseUrl: string;
  readonly #apiToken: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #backoff: BackoffOptions;
  readonly #maxRetryAfterMs: number;

  constructor(options: SendbirdServiceOptions) {
    if (!options.apiToken) throw new TypeError("SendbirdService: apiToken is required");
    if (!options.baseUrl && !options.appId)
      throw new TypeError("SendbirdService: appId or baseUrl is required");
    this.baseUrl = (options.baseUrl ?? `https://api-${options.appId}.sendbird.com/v3`).replace(/\/+$/, "");
    this.#apiToken = options.apiToken;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxRetries = Math.max(0, options.maxRetries ?? 2);
    this.#backoff = options.backoff ?? defaultBackoff;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  }

  // --- users ---------------------------------------------------------------------------------

  createUser(input: CreateUserInput): Promise<SendbirdUser> {
    return this.#request({
      method: "POST",
      path: "/users",
      body: { user_id: input.user_id, nickname: input.nickname, profile_url: input.profile_url ?? "" },
      schema: SendbirdUser,
    });
  }

  getUser(userId: string): Promise<SendbirdUser> {
    return this.#request({ method: "GET", path: `/users/${seg(userId)}`, schema: SendbirdUser });
  }

  /**
   * Creates the users Sendbird does not know yet (nickname = user id), as creating a channel with
   * or inviting unknown users fails there. Returns the ids it created.
   */
  async ensureUsers(userIds: readonly string[]): Promise<string[]> {
    const created: string[] = [];
    const ids = [...new Set(userIds)];
    // A few at a time: Sendbird rate-limits per second, and channels have up to 100 members.
    for (let i = 0; i < ids.length; i += 5) {
      await Promise.all(
        ids.slice(i, i + 5).map(async (id) => {
          try {
            await this.getUser(id);
          } catch (error) {
            if (!isSendbirdApiError(error, SendbirdErrorCode.RESOURCE_NOT_FOUND)) throw error;
            try {
              await this.createUser({ user_id: id, nickname: id });
              created.push(id);
            } catch (createError) {
              // Someone else created it in between: that is what we wanted.
              if (!isSendbirdApiError(createError, SendbirdErrorCode.RESOURCE_ALREADY_EXISTS))
                throw createError;
            }
          }
        }),
      );
    }
    return created;
  }

  // --- group channels ------------------------------------------------------------------------

  /**
   * Creates a group channel with `channel_url`. Fails with 400202 when the url is taken, and with
   * 400201 when a user does not exist (see {@link ensureUsers}).
   */
  async createGroupChannel(input: CreateGroupChannelInput): Promise<SendbirdGroupChannel> {
    try {
      return await this.#request({
        method: "POST",
        path: "/group_channels",
        body: {
          channel_url: input.channel_url,
          name: input.name,
          user_ids: input.user_ids,
          data: encodeData(input.data),
          custom_type: input.custom_type,
          cover_url: input.cover_url,
          is_distinct: input.is_distinct,
        },
        schema: SendbirdGroupChannel,
      });
    } catch (error) {
      // A retry after a lost response finds the channel our first attempt created.
      if (isSendbirdApiError(error, SendbirdErrorCode.RESOURCE_ALREADY_EXISTS) && error.attempts > 1) {
        return this.getGroupChannel(input.channel_url);
      }
      throw error;
    }
  }

  /** With its members unless `showMember` is false; with `read_receipt` when `showReadReceipt`. */
  getGroupChannel(
    channelUrl: string,
    options: { showMember?: boolean; showReadReceipt?: boolean } = {},
  ): Promise<SendbirdGroupChannel> {
    return this.#request({
      method: "GET",
      path: `/group_channels/${seg(channelUrl)}`,
      query: {
        show_member: options.showMember ?? true,
        show_read_receipt: options.showReadReceipt || undefined,
      },
      schema: SendbirdGroupChannel,
    });
  }

  listGroupChannels(input: ListGroupChannelsInput = {}): Promise<SendbirdChannelList> {
    return this.#request({
      method: "GET",
      path: "/group_channels",
      query: {
        token: input.token || undefined,
        limit: input.limit,
        show_member: input.showMember,
        show_empty: input.showEmpty ?? true,
        name_contains: input.nameContains,
        channel_urls: input.channelUrls ? idList("channel_urls", input.channelUrls) : undefined,
      },
      schema: SendbirdChannelList,
    });
  }

  /** The group channels `userId` is a member of, with the user's unread count in each. */
  listMyGroupChannels(
    userId: string,
    input: ListMyGroupChannelsInput = {},
  ): Promise<SendbirdMyGroupChannelList> {
    return this.#request({
      method: "GET",
      path: `/users/${seg(userId)}/my_group_channels`,
      query: {
        token: input.token || undefined,
        limit: input.limit,
        order: input.order,
        show_empty: input.showEmpty,
        show_member: input.showMember,
        custom_types: input.customTypes ? idList("custom_types", input.customTypes) : undefined,
        name_startswith: input.nameStartswith,
        unread_filter: input.unreadFilter,
      },
      schema: SendbirdMyGroupChannelList,
    });
  }

  updateGroupChannel(channelUrl: string, input: UpdateGroupChannelInput): Promise<SendbirdGroupChannel> {
    return this.#request({
      method: "PUT",
      path: `/group_channels/${seg(channelUrl)}`,
      body: {
        name: input.name,
        data: encodeData(input.data),
        custom_type: input.custom_type,
        cover_url: input.cover_url,
      },
      schema: SendbirdGroupChannel,
    });
  }

  async deleteGroupChannel(channelUrl: string): Promise<void> {
    await this.#request({
      method: "DELETE",
      path: `/group_channels/${seg(channelUrl)}`,
      schema: EmptyResponse,
    });
  }

  // --- members -------------------------------------------------------------------------------

  inviteMembers(channelUrl: string, userIds: string[]): Promise<SendbirdGroupChannel> {
    return this.#request({
      method: "POST",
      path: `/group_channels/${seg(channelUrl)}/invite`,
      body: { user_ids: userIds },
      schema: SendbirdGroupChannel,
    });
  }

  /** Makes the users leave the channel (Sendbird's `PUT .../leave`). */
  async removeMembers(channelUrl: string, userIds: string[]): Promise<void> {
    await this.#request({
      method: "PUT",
      path: `/group_channels/${seg(channelUrl)}/leave`,
      body: { user_ids: userIds },
      schema: EmptyResponse,
    });
  }

  listMembers(channelUrl: string, input: ListMembersInput = {}): Promise<SendbirdMemberList> {
    return this.#request({
      method: "GET",
      path: `/group_channels/${seg(channelUrl)}/members`,
      query: pageQuery(input),
      schema: SendbirdMemberList,
    });
  }

  // --- messages ------------------------------------------------------------------------------

  /**
   * Sends a text (MESG, from a member), file (FILE by URL, from a member) or admin (ADMM) message. Retried only when rate limited (429 or 500910): after a
   * timeout or 5xx Sendbird may have stored it, and a resend would duplicate it.
   */
  sendMessage(channelUrl: string, input: SendMessageInput): Promise<SendbirdMessage> {
    return this.#request({
      method: "POST",
      path: `/group_channels/${seg(channelUrl)}/messages`,
      body: { ...input, data: encodeData(input.data) },
      schema: SendbirdMessage,
      retry: "rate-limit-only",
    });
  }

  /** Messages around an anchor (timestamp or message id), oldest first unless `reverse`. */
  async listMessages(channelUrl: string, input: ListMessagesInput): Promise<SendbirdMessage[]> {
    const anchor =
      "message_id" in input ? { message_id: input.message_id } : { message_ts: input.message_ts };
    const result = await this.#request({
      method: "GET",
      path: `/group_channels/${seg(channelUrl)}/messages`,
      query: {
        ...anchor,
        prev_limit: input.prev_limit,
        next_limit: input.next_limit,
        include: input.include,
        reverse: input.reverse,
      },
      schema: SendbirdMessageList,
    });
    return result.messages;
  }

  getMessage(channelUrl: string, messageId: number): Promise<SendbirdMessage> {
    return this.#request({
      method: "GET",
      path: `/group_channels/${seg(channelUrl)}/messages/${messageId}`,
      schema: SendbirdMessage,
    });
  }

  /** Updates a message in place (Sendbird sets `updated_at`). Idempotent, so retried. */
  updateMessage(channelUrl: string, messageId: number, input: UpdateMessageInput): Promise<SendbirdMessage> {
    return this.#request({
      method: "PUT",
      path: `/group_channels/${seg(channelUrl)}/messages/${messageId}`,
      body: { ...input, data: encodeData(input.data) },
      schema: SendbirdMessage,
    });
  }

  /**
   * Deletes a message for real (it leaves history). A retry that finds it gone (400201 after a
   * first attempt that may have deleted it) counts as done.
   */
  async deleteMessage(channelUrl: string, messageId: number): Promise<void> {
    try {
      await this.#request({
        method: "DELETE",
        path: `/group_channels/${seg(channelUrl)}/messages/${messageId}`,
        schema: EmptyResponse,
      });
    } catch (error) {
      if (isSendbirdApiError(error, SendbirdErrorCode.RESOURCE_NOT_FOUND) && error.attempts > 1) return;
      throw error;
    }
  }

  // --- read receipts -------------------------------------------------------------------------

  /** Marks every message of the channel as read for `userId` (Sendbird has no "up to" form). */
  async markAllAsRead(channelUrl: string, userId: string): Promise<void> {
    await this.#request({
      method: "PUT",
      path: `/group_channels/${seg(channelUrl)}/messages/mark_as_read`,
      body: { user_id: userId },
      schema: EmptyResponse,
    });
  }

  /** Unread message count per member (members only; others are absent from the result). */
  async unreadCounts(channelUrl: string, userIds: readonly string[]): Promise<Record<string, number>> {
    const result = await this.#request({
      method: "GET",
      path: `/group_channels/${seg(channelUrl)}/messages/unread_count`,
      query: { user_ids: idList("user_ids", userIds) },
      schema: SendbirdUnreadCounts,
    });
    return result.unread;
  }

  // --- moderation ----------------------------------------------------------------------------

  setFrozen(channelUrl: string, freeze: boolean): Promise<SendbirdGroupChannel> {
    return this.#request({
      method: "PUT",
      path: `/group_channels/${seg(channelUrl)}/freeze`,
      body: { freeze },
      schema: SendbirdGroupChannel,
    });
  }

  /** Bans (and so expels) a member; `seconds` -1 or absent = ten years, Sendbird's "permanent". */
  banUser(channelUrl: string, input: RestrictUserInput): Promise<SendbirdBan> {
    return this.#request({
      method: "POST",
      path: `/group_channels/${seg(channelUrl)}/ban`,
      body: restrictBody(input),
      schema: SendbirdBan,
    });
  }

  listBannedUsers(channelUrl: string, input: PageInput = {}): Promise<SendbirdBanList> {
    return this.#request({
      method: "GET",
      path: `/group_channels/${seg(channelUrl)}/ban`,
      query: pageQuery(input),
      schema: SendbirdBanList,
    });
  }

  /** "View a ban": the user's ban in force in the channel, or null when not banned (400201). */
  async getBan(channelUrl: string, userId: string): Promise<SendbirdBan | null> {
    try {
      return await this.#request({
        method: "GET",
        path: `/group_channels/${seg(channelUrl)}/ban/${seg(userId)}`,
        schema: SendbirdBan,
      });
    } catch (error) {
      if (isSendbirdApiError(error, SendbirdErrorCode.RESOURCE_NOT_FOUND)) return null;
      throw error;
    }
  }

  async unbanUser(channelUrl: string, userId: string): Promise<void> {
    await this.#request({
      method: "DELETE",
      path: `/group_channels/${seg(channelUrl)}/ban/${seg(userId)}`,
      schema: EmptyResponse,
    });
  }

  async muteUser(channelUrl: string, input: RestrictUserInput): Promise<void> {
    await this.#request({
      method: "POST",
      path: `/group_channels/${seg(channelUrl)}/mute`,
      body: restrictBody(input),
      schema: EmptyResponse,
    });
  }

  listMutedUsers(channelUrl: string, input: PageInput = {}): Promise<SendbirdMuteList> {
    return this.#request({
      method: "GET",
      path: `/group_channels/${seg(channelUrl)}/mute`,
      query: pageQuery(input),
      schema: SendbirdMuteList,
    });
  }

  async unmuteUser(channelUrl: string, userId: string): Promise<void> {
    await this.#request({
      method: "DELETE",
      path: `/group_channels/${seg(channelUrl)}/mute/${seg(userId)}`,
      schema: EmptyResponse,
    });
  }

  /** Private channels take members only ("they need an invitation first"). */
  async registerOperators(channelUrl: string, userIds: string[]): Promise<void> {
    await this.#request({
      method: "POST",
      path: `/group_channels/${seg(channelUrl)}/operators`,
      body: { operator_ids: userIds },
      schema: EmptyResponse,
    });
  }

  /** Fails with 400111 when an id is not an operator. */
  async unregisterOperators(channelUrl: string, userIds: string[]): Promise<void> {
    await this.#request({
      method: "DELETE",
      path: `/group_channels/${seg(channelUrl)}/operators`,
      query: { operator_ids: idList("operator_ids", userIds) },
      schema: EmptyResponse,
    });
  }

  listOperators(channelUrl: string, input: PageInput = {}): Promise<SendbirdOperatorList> {
    return this.#request({
      method: "GET",
      path: `/group_channels/${seg(channelUrl)}/operators`,
      query: pageQuery(input),
      schema: SendbirdOperatorList,
    });
  }

  // --- transport -----------------------------------------------------------------------------

  async #request<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.output<S>> {
    const url = new URL(this.baseUrl + spec.path + queryString(spec.query ?? {}));
    const policy = spec.retry ?? "retryable";
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(spec, url, attempt).then(
        (value) => ({ ok: true as const, value }),
        (failure: unknown) => ({ ok: false as const, failure }),
      );
      if (outcome.ok) return outcome.value;
      const failure = outcome.failure;
      if (!(failure instanceof SendbirdApiError)) throw failure;
      const mayRetry =
        failure.retryable && (policy === "retryable" || failure.rateLimited) && attempt <= this.#maxRetries;
      if (!mayRetry) throw failure;
      const asked = failure.retryAfterMs;
      if (asked !== undefined && asked > this.#maxRetryAfterMs) throw failure;
      const jitter = fullJitterDelay(attempt - 1, this.#backoff);
      await sleep(Math.max(asked ?? 0, jitter));
    }
  }

  async #attempt<S extends z.ZodType>(spec: RequestSpec<S>, url: URL, attempt: number): Promise<z.output<S>> {
    const where = { method: spec.method, path: spec.path, attempts: attempt };
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: spec.method,
        headers: {
          "Api-Token": this.#apiToken,
          Accept: "application/json",
          ...(spec.body === undefined ? {} : { "Content-Type": "application/json; charset=utf8" }),
        },
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      const timedOut = cause instanceof Error && cause.name === "TimeoutError";
      throw new SendbirdApiError({
        ...where,
        kind: timedOut ? "timeout" : "network",
        status: 0,
        code: 0,
        retryable: true,
        message: timedOut
          ? `Sendbird ${spec.method} ${spec.path} timed out after ${this.#timeoutMs} ms`
          : `Sendbird ${spec.method} ${spec.path} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
      });
    }

    const json = parseJson(text);
    if (!response.ok) {
      const body = SendbirdErrorBody.safeParse(json);
      throw new SendbirdApiError({
        ...where,
        kind: "api",
        status: response.status,
        code: body.success ? body.data.code : 0,
        message: body.success && body.data.message ? body.data.message : `HTTP ${response.status}`,
        retryAfterMs: retryAfterMs(response.headers),
        cause: json ?? text,
      });
    }
    const parsed = spec.schema.safeParse(json ?? {});
    if (!parsed.success) {
      throw new SendbirdApiError({
        ...where,
        kind: "invalid_response",
        status: response.status,
        code: 0,
        retryable: false,
        message: `Sendbird ${spec.method} ${spec.path} answered an unexpected shape: ${parsed.error.message}`,
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
}

/** Builds a {@link SendbirdService}; the seed's legacy code uses it directly. */
export function createSendbirdService(options: SendbirdServiceOptions): SendbirdService {
  return new SendbirdService(options);
}

/** `token`/`limit` of a list call; an empty token is the first page. */
function pageQuery(input: PageInput): { token: string | undefined; limit: number | undefined } {
  return { token: input.token || undefined, limit: input.limit };
}

/**
 * An id list parameter, sent as Sendbird's docs show it (`?user_ids=urlencoded_id_1,urlencoded_id_2`):
 * each id percent-encoded exactly once. (URLSearchParams would encode the already encoded ids a
 * second time, and Sendbird would look up `u%40x` instead of `u@x`.) An id with a comma cannot be
 * told apart from two ids by Sendbird (its SDK sends commas as %2C too), so it is refused here.
 */
function idList(name: string, ids: readonly string[]): IdList {
  const withComma = ids.find((id) => id.includes(","));
  if (withComma !== undefined) {
    throw new TypeError(
      `Sendbird ${name}: "${withComma}" contains a comma, which a comma-separated list cannot carry`,
    );
  }
  return { ids };
}

/** `?a=1&b=x,y` with every value percent-encoded once (id lists: each id, commas kept). */
function queryString(query: Query): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const encoded =
      typeof value === "object"
        ? value.ids.map(encodeURIComponent).join(",")
        : encodeURIComponent(String(value));
    parts.push(`${encodeURIComponent(key)}=${encoded}`);
  }
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

/** Body of a ban or mute: `seconds` -1 (Sendbird's default) when absent. */
function restrictBody(input: RestrictUserInput) {
  return { user_id: input.user_id, seconds: input.seconds ?? -1, description: input.description };
}

function seg(value: string): string {
  return encodeURIComponent(value);
}

function encodeData(data: SendbirdData | undefined): string | undefined {
  if (data === undefined) return undefined;
  return typeof data === "string" ? data : JSON.stringify(data);
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
