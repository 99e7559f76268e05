import {
  type Channel,
  CloseCode,
  ErrorCode,
  type HistoryResponse,
  Limits,
  type MessageFrame,
  type ModerationAction,
  wireUserId,
} from "@podchat/protocol";
import type { Bus } from "../../bus/bus.ts";
import { ChatError } from "../../errors/chat-error.ts";
import type { Presence } from "../../presence/presence.ts";
import type { InboxRow, MessageStore, StoredChannel, StoredMessage } from "../../store/message-store.ts";
import type { ChatProvider } from "../chat-provider.ts";
import type { MessagePipeline } from "./message-pipeline.ts";
import { websocketPinsAndSearch } from "./pins-search.ts";
import {
  toChannel,
  toInboxChannel,
  toMessageFrame,
  toModerationState,
  toSeqFrame,
  toUnread,
} from "./wire.ts";

export interface WebsocketProviderDeps {
  /** Throws ChatError only (see errors/store-errors.ts). */
  store: MessageStore;
  bus: Bus;
  presence: Presence;
  pipeline: MessagePipeline;
}

const logRef = (e: StoredMessage) => ({
  seq: e.seq,
  message_id: e.target_message_id ?? e.message_id,
  timestamp: e.created_at,
});

/** What a kicked socket is told, per reason. */
const kickText = {
  removed: "you were removed from the channel",
  banned: "you are banned from this channel",
  deleted: "the channel was deleted",
} as const;

/**
 * podchat's own chat: channels, members and messages in the store, delivered over WebSocket.
 * Storage and fan-out only: who may do what is ChatService's (chat/), which calls this provider
 * once its rules pass. Every change is published on the bus: to the channel (its sockets) and to
 * each affected user (their inbox, on whatever instance their socket is).
 */
export function createWebsocketProvider(deps: WebsocketProviderDeps): ChatProvider {
  const { store, bus, presence, pipeline } = deps;

  const present = async (c: StoredChannel, members?: string[]): Promise<Channel> => {
    const extra: Partial<Channel> = { online: (await presence.online(c.channel_url)).map(wireUserId) };
    if (members) extra.members = members.map(wireUserId);
    return toChannel(c, extra);
  };

  const withMembers = async (c: StoredChannel) => present(c, await store.listMembers(c.channel_url));

  /** Best effort: the change is stored; a lost event only delays what others see. */
  const announce = (p: Promise<unknown>) => p.catch(() => {});

  const kick = (channelUrl: string, userIds: string[] | "all", why: keyof typeof kickText) =>
    bus.publishChannel(channelUrl, {
      kind: "kick",
      user_ids: userIds,
      close_code: why === "deleted" ? CloseCode.CHANNEL_DELETED : CloseCode.FORBIDDEN,
      error_code:
        why === "deleted"
          ? ErrorCode.CHANNEL_DELETED
          : why === "banned"
            ? ErrorCode.BANNED
            : ErrorCode.NOT_MEMBER,
      reason: kickText[why],
    });

  /** Tells each user's inbox that its list lost a channel. */
  const leftList = async (channelUrl: string, userIds: string[], reason: "removed" | "deleted") => {
    for (const u of userIds) {
      await announce(
        (async () =>
          bus.publishUser(u, {
            kind: "removed",
            channel_url: channelUrl,
            reason,
            total_unread: await store.totalUnread(u),
          }))(),
      );
    }
  };

  /** One user's row of the channel (what their inbox shows for it). */
  const rowFor = async (channelUrl: string, userId: string): Promise<InboxRow | null> => {
    const [channel, mark, last] = await Promise.all([
      store.getChannel(channelUrl),
      store.readMark(channelUrl, userId),
      store.listMessages(channelUrl, { beforeSeq: Number.MAX_SAFE_INTEGER, limit: 1, messagesOnly: true }),
    ]);
    if (!channel) return null;
    return {
      channel,
      last_message: last[0] ?? null,
      unread_count: mark.unread_count,
      last_read_seq: mark.last_read_seq,
      joined_at: new Date().toISOString(),
    };
  };

  /** Tells each added user's inbox its new row. */
  const joinedList = async (channelUrl: string, userIds: string[]) => {
    for (const u of userIds) {
      await announce(
        (async () => {
          const row = await rowFor(channelUrl, u);
          if (!row) return;
          await bus.publishUser(u, {
            kind: "added",
            channel: toInboxChannel(row),
            total_unread: await store.totalUnread(u),
          });
        })(),
      );
    }
  };

  /** Applies a moderation change, then tells every instance and answers the new state. */
  const moderate = async (
    channelUrl: string,
    write: () => Promise<void>,
    events: Array<{ action: ModerationAction; user_id?: string; until?: string | null }>,
    banned?: string[],
  ) => {
    await write();
    const timestamp = new Date().toISOString();
    for (const e of events) await bus.publishChannel(channelUrl, { kind: "moderation", ...e, timestamp });
    if (banned && banned.length > 0) await kick(channelUrl, banned, "banned");
    return toModerationState(channelUrl, await store.getModeration(channelUrl));
  };

  const untilOf = (seconds?: number) =>
    seconds === undefined ? null : new Date(Date.now() + seconds * 1000).toISOString();

  return {
    ...websocketPinsAndSearch(store, bus),
    name: "websocket",
    capabilities: { recordsInStore: true, enforcesAccess: false, realtime: true },
    async createChannel(input) {
      const userIds = [...new Set(input.user_ids)];
      const c = await store.createChannel({
        channel_url: input.channel_url,
        name: input.name ?? input.channel_url,
        custom_type: input.custom_type ?? null,
        data: input.data ?? {},
        provider: "websocket",
        user_ids: userIds,
      });
      await joinedList(c.channel_url, userIds);
      return withMembers(c);
    },
    async getChannel(channelUrl) {
      const c = await store.getChannel(channelUrl);
      if (c?.provider !== "websocket") return null;
      const [members, last] = await Promise.all([
        store.listMembers(channelUrl),
        store.listMessages(channelUrl, { beforeSeq: Number.MAX_SAFE_INTEGER, limit: 1, messagesOnly: true }),
      ]);
      const out = await present(c, members);
      out.last_message = last[0] ? toMessageFrame(last[0]) : null;
      return out;
    },
    async listChannels(query) {
      const page = await store.listChannels({
        limit: query.limit ?? 20,
        provider: "websocket",
        ...(query.cursor ? { cursor: query.cursor } : {}),
        ...(query.q ? { q: query.q } : {}),
      });
      return {
        channels: await Promise.all(page.channels.map((c) => present(c))),
        next_cursor: page.nextCursor,
      };
    },
    async updateChannel(channelUrl, patch) {
      const c = await store.updateChannel(channelUrl, patch);
      const channel = await withMembers(c);
      await announce(bus.publishChannel(channelUrl, { kind: "updated", channel: toChannel(c) }));
      return channel;
    },
    async deleteChannel(channelUrl) {
      const members = await store.listMembers(channelUrl);
      await store.deleteChannel(channelUrl);
      await kick(channelUrl, "all", "deleted");
      await leftList(channelUrl, members, "deleted");
    },
    async addMembers(channelUrl, userIds) {
      const before = new Set(await store.listMembers(channelUrl));
      const c = await store.addMembers(channelUrl, userIds);
      await joinedList(
        channelUrl,
        userIds.filter((u) => !before.has(u)),
      );
      return withMembers(c);
    },
    async removeMembers(channelUrl, userIds) {
      const before = new Set(await store.listMembers(channelUrl));
      const c = await store.removeMembers(channelUrl, userIds);
      await kick(channelUrl, userIds, "removed");
      await leftList(
        channelUrl,
        userIds.filter((u) => before.has(u)),
        "removed",
      );
      return withMembers(c);
    },
    listMembers(channelUrl) {
      return store.listMembers(channelUrl);
    },
    async sendMessage(channelUrl, body) {
      const type = body.type ?? (body.user_id === undefined ? "ADMM" : "MESG");
      const r = await pipeline.send({
        channel_url: channelUrl,
        type,
        user_id: body.user_id ?? null,
        message: body.message,
        req_id: body.req_id ?? null,
        custom_type: body.custom_type ?? null,
        data: body.data ?? null,
        file: body.file ?? null,
      });
      return { message: toMessageFrame(r.message), duplicate: r.duplicate };
    },
    async listMessages(channelUrl, query): Promise<HistoryResponse> {
      if (!(await store.getChannel(channelUrl)))
        throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${channelUrl} does not exist`);
      const limit = Math.min(query.limit ?? 50, Limits.historyPageMax);
      const backwards = query.after_seq === undefined;
      const changes = query.include_changes === "true";
      const rows = await store.listMessages(
        channelUrl,
        backwards
          ? {
              beforeSeq: query.before_seq ?? Number.MAX_SAFE_INTEGER,
              limit: limit + 1,
              messagesOnly: !changes,
            }
          : { afterSeq: query.after_seq!, limit: limit + 1, messagesOnly: !changes },
      );
      const hasMore = rows.length > limit;
      const page = backwards ? rows.slice(rows.length - Math.min(rows.length, limit)) : rows.slice(0, limit);
      const first = page[0];
      const last = page[page.length - 1];
      return {
        // With include_changes the page is the seq log; edit/delete entries ride in `messages`.
        messages: changes ? (page.map(toSeqFrame) as MessageFrame[]) : page.map(toMessageFrame),
        has_more: hasMore,
        prev_before_seq: first && first.seq > 1 ? first.seq : null,
        next_after_seq: last ? last.seq : (query.after_seq ?? null),
      };
    },
    async editMessage(channelUrl, targetSeq, edit) {
      const r = await pipeline.edit({
        channel_url: channelUrl,
        target_seq: targetSeq,
        message: edit.message,
        ...(edit.data !== undefined ? { data: edit.data } : {}),
        user_id: edit.userId ?? null,
        ...(edit.userId !== undefined ? { require_author: edit.userId } : {}),
      });
      return { message: toMessageFrame(r.target), entry: logRef(r.entry) };
    },
    async deleteMessage(channelUrl, targetSeq, by) {
      const r = await pipeline.remove({
        channel_url: channelUrl,
        target_seq: targetSeq,
        user_id: by.userId ?? null,
        ...(by.userId !== undefined && !by.asOperator ? { require_author: by.userId } : {}),
      });
      return logRef(r.entry);
    },
    async markRead(channelUrl, userId, seq) {
      const m = await store.markRead(channelUrl, userId, seq);
      const timestamp = new Date().toISOString();
      await announce(
        bus.publishChannel(channelUrl, { kind: "read", user_id: userId, seq: m.last_read_seq, timestamp }),
      );
      await announce(
        (async () =>
          bus.publishUser(userId, {
            kind: "read",
            channel_url: channelUrl,
            last_read_seq: m.last_read_seq,
            unread_count: m.unread_count,
            total_unread: await store.totalUnread(userId),
          }))(),
      );
      return toUnread(m);
    },
    async unread(channelUrl, userId) {
      return toUnread(await store.readMark(channelUrl, userId));
    },
    async readState(channelUrl) {
      const rows = await store.readState(channelUrl);
      return {
        channel_url: channelUrl,
        members: rows.map((r) => ({ user_id: wireUserId(r.user_id), last_read_seq: r.last_read_seq })),
      };
    },
    async moderation(channelUrl) {
      return toModerationState(channelUrl, await store.getModeration(channelUrl));
    },
    ban(channelUrl, userIds, seconds) {
      const until = untilOf(seconds);
      return moderate(
        channelUrl,
        () => store.restrict(channelUrl, "ban", userIds, until),
        userIds.map((u) => ({ action: "ban" as const, user_id: u, until })),
        userIds,
      );
    },
    unban(channelUrl, userId) {
      return moderate(channelUrl, () => store.unrestrict(channelUrl, "ban", userId), [
        { action: "unban", user_id: userId },
      ]);
    },
    mute(channelUrl, userIds, seconds) {
      const until = untilOf(seconds);
      return moderate(
        channelUrl,
        () => store.restrict(channelUrl, "mute", userIds, until),
        userIds.map((u) => ({ action: "mute" as const, user_id: u, until })),
      );
    },
    unmute(channelUrl, userId) {
      return moderate(channelUrl, () => store.unrestrict(channelUrl, "mute", userId), [
        { action: "unmute", user_id: userId },
      ]);
    },
    setFrozen(channelUrl, frozen) {
      return moderate(channelUrl, () => store.setFrozen(channelUrl, frozen), [
        { action: frozen ? "freeze" : "unfreeze" },
      ]);
    },
    addOperators(channelUrl, userIds) {
      return moderate(
        channelUrl,
        () => store.addOperators(channelUrl, userIds),
        userIds.map((u) => ({ action: "operator_add" as const, user_id: u })),
      );
    },
    removeOperators(channelUrl, userIds) {
      return moderate(
        channelUrl,
        () => store.removeOperators(channelUrl, userIds),
        userIds.map((u) => ({ action: "operator_remove" as const, user_id: u })),
      );
    },
  };
}
