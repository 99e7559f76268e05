import {
  type MessageFrame,
  type Channel,
  CloseCode,
  ErrorCode,
  type HistoryResponse,
  Limits,
  type ModerationAction,
  type UnreadResponse,
  wireUserId,
} from "@podchat/protocol";
import type { Bus } from "../../bus/bus.ts";
import { ChatError } from "../../chat/chat-error.ts";
import { toChannel, toMessageFrame, toSeqFrame } from "../../chat/wire.ts";
import { type Hub, refusalText } from "../../realtime/hub.ts";
import {
  type MessageStore,
  type ReadMark,
  StoreError,
  type StoredChannel,
} from "../../store/message-store.ts";
import type { ChatProvider } from "../chat-provider.ts";
import {
  type ChangeDeps,
  assertCanSend,
  deleteMessage,
  editMessage,
  toModerationState,
} from "./message-changes.ts";
import type { MessagePipeline } from "./message-pipeline.ts";

export interface WebsocketProviderDeps {
  store: MessageStore;
  bus: Bus;
  hub: Hub;
  pipeline: MessagePipeline;
}

/** Maps store failures to ChatError so the edge answers with the right status. */
export async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StoreError) {
      // Data the store cannot keep (e.g. NUL in text) is the caller's to fix: a 400, not a retry.
      if (e.code === "INVALID_DATA")
        throw new ChatError(ErrorCode.VALIDATION_FAILED, e.message, { cause: e });
      throw new ChatError(e.code, e.message, { cause: e, retryable: e.retryable });
    }
    throw e;
  }
}

/** podchat's own chat: channels, members and messages in the store, delivered over WebSocket. */
export function createWebsocketProvider(deps: WebsocketProviderDeps): ChatProvider {
  const { store, bus, hub, pipeline } = deps;

  const present = async (c: StoredChannel, members?: string[]): Promise<Channel> => {
    const extra: Partial<Channel> = { online: (await hub.online(c.channel_url)).map(wireUserId) };
    if (members) extra.members = members.map(wireUserId);
    return toChannel(c, extra);
  };

  const changes: ChangeDeps = { pipeline, moderation: (url) => storeCall(() => hub.moderation(url)) };

  const unreadOf = (m: ReadMark): UnreadResponse => ({
    channel_url: m.channel_url,
    user_id: wireUserId(m.user_id),
    last_read_seq: m.last_read_seq,
    last_seq: m.last_seq,
    unread_count: m.unread_count,
  });

  const requireMember = async (channelUrl: string, userId: string) => {
    if (!(await storeCall(() => store.isMember(channelUrl, userId))))
      throw new ChatError(ErrorCode.NOT_MEMBER, `user ${userId} is not a member of ${channelUrl}`);
  };

  /** Applies a moderation change, then tells every instance (rooms drop their cache) and answers the new state. */
  const moderate = async (
    channelUrl: string,
    write: () => Promise<void>,
    events: Array<{ action: ModerationAction; user_id?: string; until?: string | null }>,
    kick?: string[],
  ) => {
    await requireHere(channelUrl);
    await storeCall(write);
    const timestamp = new Date().toISOString();
    for (const e of events) await bus.publishChannel(channelUrl, { kind: "moderation", ...e, timestamp });
    if (kick && kick.length > 0) {
      await bus.publishChannel(channelUrl, {
        kind: "kick",
        user_ids: kick,
        close_code: CloseCode.FORBIDDEN,
        error_code: ErrorCode.BANNED,
        reason: refusalText.BANNED,
      });
    }
    return toModerationState(channelUrl, await storeCall(() => store.getModeration(channelUrl)));
  };

  const untilOf = (seconds?: number) =>
    seconds === undefined ? null : new Date(Date.now() + seconds * 1000).toISOString();

  const requireHere = async (channelUrl: string): Promise<StoredChannel> => {
    const c = await storeCall(() => store.getChannel(channelUrl));
    if (!c) throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${channelUrl} does not exist`);
    if (c.provider !== "websocket") {
      throw new ChatError(ErrorCode.WRONG_PROVIDER, `channel ${channelUrl} is served by ${c.provider}`);
    }
    return c;
  };

  return {
    name: "websocket",
    async createChannel(input) {
      const c = await storeCall(() =>
        store.createChannel({
          channel_url: input.channel_url,
          name: input.name ?? input.channel_url,
          custom_type: input.custom_type ?? null,
          data: input.data ?? {},
          provider: "websocket",
          user_ids: [...new Set(input.user_ids)],
        }),
      );
      return present(c, await storeCall(() => store.listMembers(c.channel_url)));
    },
    async getChannel(channelUrl) {
      const c = await storeCall(() => store.getChannel(channelUrl));
      if (c?.provider !== "websocket") return null;
      const [members, last] = await Promise.all([
        storeCall(() => store.listMembers(channelUrl)),
        storeCall(() =>
          store.listMessages(channelUrl, {
            beforeSeq: Number.MAX_SAFE_INTEGER,
            limit: 1,
            messagesOnly: true,
          }),
        ),
      ]);
      const out = await present(c, members);
      out.last_message = last[0] ? toMessageFrame(last[0]) : null;
      return out;
    },
    async listChannels(query) {
      const page = await storeCall(() =>
        store.listChannels({
          limit: query.limit ?? 20,
          provider: "websocket",
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.q ? { q: query.q } : {}),
        }),
      );
      return {
        channels: await Promise.all(page.channels.map((c) => present(c))),
        next_cursor: page.nextCursor,
      };
    },
    async updateChannel(channelUrl, patch) {
      await requireHere(channelUrl);
      const c = await storeCall(() => store.updateChannel(channelUrl, patch));
      return present(c, await storeCall(() => store.listMembers(channelUrl)));
    },
    async deleteChannel(channelUrl) {
      await requireHere(channelUrl);
      await storeCall(() => store.deleteChannel(channelUrl));
      await bus.publishChannel(channelUrl, {
        kind: "kick",
        user_ids: "all",
        close_code: CloseCode.CHANNEL_DELETED,
        error_code: ErrorCode.CHANNEL_DELETED,
        reason: "the channel was deleted",
      });
    },
    async addMembers(channelUrl, userIds) {
      await requireHere(channelUrl);
      const c = await storeCall(() => store.addMembers(channelUrl, userIds));
      return present(c, await storeCall(() => store.listMembers(channelUrl)));
    },
    async removeMembers(channelUrl, userIds) {
      await requireHere(channelUrl);
      const c = await storeCall(() => store.removeMembers(channelUrl, userIds));
      await bus.publishChannel(channelUrl, {
        kind: "kick",
        user_ids: userIds,
        close_code: CloseCode.FORBIDDEN,
        error_code: ErrorCode.NOT_MEMBER,
        reason: "you were removed from the channel",
      });
      return present(c, await storeCall(() => store.listMembers(channelUrl)));
    },
    async listMembers(channelUrl) {
      await requireHere(channelUrl);
      return storeCall(() => store.listMembers(channelUrl));
    },
    async sendMessage(channelUrl, body) {
      await requireHere(channelUrl);
      const type = body.type ?? (body.user_id === undefined ? "ADMM" : "MESG");
      if (type !== "ADMM") {
        if (body.user_id === undefined) {
          throw new ChatError(ErrorCode.VALIDATION_FAILED, "user_id is required for MESG, FILE and IMAGE", {
            field: "user_id",
          });
        }
        await requireMember(channelUrl, body.user_id);
        await assertCanSend(changes.moderation, channelUrl, body.user_id);
      }
      if (type === "MESG" && body.message.length === 0) {
        throw new ChatError(ErrorCode.VALIDATION_FAILED, "message must not be empty", { field: "message" });
      }
      const r = await storeCall(() =>
        pipeline.send({
          channel_url: channelUrl,
          type,
          user_id: body.user_id ?? null,
          message: body.message,
          req_id: body.req_id ?? null,
          custom_type: body.custom_type ?? null,
          data: body.data ?? null,
          file: body.file ?? null,
        }),
      );
      return { message: toMessageFrame(r.message), duplicate: r.duplicate };
    },
    async listMessages(channelUrl, query): Promise<HistoryResponse> {
      await requireHere(channelUrl);
      const limit = Math.min(query.limit ?? 50, Limits.historyPageMax);
      const backwards = query.after_seq === undefined;
      const changes = query.include_changes === "true";
      const rows = await storeCall(() =>
        store.listMessages(
          channelUrl,
          backwards
            ? {
                beforeSeq: query.before_seq ?? Number.MAX_SAFE_INTEGER,
                limit: limit + 1,
                messagesOnly: !changes,
              }
            : { afterSeq: query.after_seq!, limit: limit + 1, messagesOnly: !changes },
        ),
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
      await requireHere(channelUrl);
      const r = await storeCall(() => editMessage(changes, channelUrl, targetSeq, edit));
      return toMessageFrame(r.target);
    },
    async deleteMessage(channelUrl, targetSeq, by) {
      await requireHere(channelUrl);
      await storeCall(() => deleteMessage(changes, channelUrl, targetSeq, by.userId));
    },
    async markRead(channelUrl, userId, seq) {
      await requireHere(channelUrl);
      await requireMember(channelUrl, userId);
      const m = await storeCall(() => store.markRead(channelUrl, userId, seq));
      await bus
        .publishChannel(channelUrl, {
          kind: "read",
          user_id: userId,
          seq: m.last_read_seq,
          timestamp: new Date().toISOString(),
        })
        .catch(() => {}); // the mark is stored; a lost receipt only delays what others see
      return unreadOf(m);
    },
    async unread(channelUrl, userId) {
      await requireHere(channelUrl);
      await requireMember(channelUrl, userId);
      return unreadOf(await storeCall(() => store.readMark(channelUrl, userId)));
    },
    async readState(channelUrl) {
      await requireHere(channelUrl);
      const rows = await storeCall(() => store.readState(channelUrl));
      return {
        channel_url: channelUrl,
        members: rows.map((r) => ({ user_id: wireUserId(r.user_id), last_read_seq: r.last_read_seq })),
      };
    },
    async moderation(channelUrl) {
      await requireHere(channelUrl);
      return toModerationState(channelUrl, await storeCall(() => store.getModeration(channelUrl)));
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
