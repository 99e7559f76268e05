import { ErrorCode, wireUserId } from "@podchat/protocol";
import type {
  Channel,
  CreateChannelBody,
  HistoryQuery,
  HistoryResponse,
  ListChannelsQuery,
  ListChannelsResponse,
  ModerationState,
  ReadStateResponse,
  SendMessageBody,
  UnreadResponse,
  UpdateChannelBody,
} from "@podchat/protocol";
import { ChatError } from "../../errors/chat-error.ts";
import type {
  ChatProvider,
  EditedMessage,
  RemoteInboxPage,
  RemoteInboxQuery,
  SentMessage,
} from "../chat-provider.ts";
import { SendbirdErrorCode, isSendbirdApiError } from "./sendbird-api-error.ts";
import type { SendbirdService } from "./sendbird-service.ts";
import type { SendbirdMessage } from "./sendbird-types.ts";

import {
  assertMember,
  joinData,
  splitData,
  toChannel,
  toInboxChannel,
  toMessageFrame,
  toSendInput,
  unique,
} from "./sendbird-mapping.ts";
import {
  unsupported,
  messageError,
  moderationError,
  ignoreNotFound,
  channelExists,
  toChatError,
} from "./sendbird-errors.ts";
import {
  sendbirdChannelPageMax,
  messageAt,
  seqReadAt,
  unreadOf,
  allOperators,
  history,
} from "./sendbird-paging.ts";
import { assertMaySend, assertNoneBanned, moderationOf } from "./sendbird-moderation.ts";
import { sendbirdUnsupported } from "./sendbird-unsupported.ts";
import { assertSendbirdChannelUrl, assertSendbirdMessage, assertSendbirdName } from "./sendbird-limits.ts";

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
 *   is Sendbird's ten-year ban, reported back as `until: null`. A banned user is refused as
 *   BANNED when added back or sending (the ban is read first), as on podchat's own provider.
 * - Sendbird's limits (sendbird-limits.ts: channel url charset and length, name, message length)
 *   are checked before calling Sendbird, as VALIDATION_FAILED naming the field.
 * - Mute and freeze are enforced by Sendbird for its SDK clients; podchat's REST sends check them
 *   here too (one channel read per send), as the Platform API acts with admin rights.
 *
 * Inbox (`listUserChannels`, @since 0.3): "List group channels by user" ordered by
 * `latest_last_message`, mapped by `toInboxChannel` (sendbird-mapping.ts): seq fields are message
 * ids as above, and `last_read_seq` is only known when nothing is unread (0 otherwise).
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
    ...sendbirdUnsupported,
    name: "sendbird",
    // Sendbird is the truth for its channels and checks members, bans, mutes and freezes itself
    // (this provider reads them through the Platform API before a send).
    capabilities: { recordsInStore: false, enforcesAccess: true, realtime: false },

    async createChannel(input: CreateChannelBody): Promise<Channel> {
      assertSendbirdChannelUrl(input.channel_url);
      assertSendbirdName(input.name);
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

    async listUserChannels(userId: string, query: RemoteInboxQuery): Promise<RemoteInboxPage> {
      try {
        // Sendbird's "most recent last message first" is the inbox's order; empty channels included.
        const page = await service.listMyGroupChannels(userId, {
          token: query.token,
          limit: Math.min(Math.max(query.limit, 1), sendbirdChannelPageMax),
          order: "latest_last_message",
          showEmpty: true,
          ...(query.customType ? { customTypes: [query.customType] } : {}),
          ...(query.namePrefix ? { nameStartswith: query.namePrefix } : {}),
          ...(query.unreadOnly ? { unreadFilter: "unread_message" as const } : {}),
        });
        return { channels: page.channels.map(toInboxChannel), next: page.next || null };
      } catch (error) {
        // A user Sendbird does not know has no channels there.
        if (isSendbirdApiError(error, SendbirdErrorCode.RESOURCE_NOT_FOUND))
          return { channels: [], next: null };
        throw toChatError(error, "list");
      }
    },

    async updateChannel(channelUrl: string, patch: UpdateChannelBody): Promise<Channel> {
      assertSendbirdName(patch.name);
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
        await assertNoneBanned(service, channelUrl, userIds);
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
      if (!isFile) assertSendbirdMessage(body.message);
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
          assertSendbirdMessage(edit.message);
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
