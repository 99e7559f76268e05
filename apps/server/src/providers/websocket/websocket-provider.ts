import {
  type Channel,
  CloseCode,
  ErrorCode,
  type HistoryResponse,
  Limits,
  wireUserId,
} from "@podchat/protocol";
import type { Bus } from "../../bus/bus.ts";
import { ChatError } from "../../chat/chat-error.ts";
import { toChannel, toMessageFrame } from "../../chat/wire.ts";
import type { Hub } from "../../realtime/hub.ts";
import { type MessageStore, StoreError, type StoredChannel } from "../../store/message-store.ts";
import type { ChatProvider } from "../chat-provider.ts";
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
        storeCall(() => store.listMessages(channelUrl, { beforeSeq: Number.MAX_SAFE_INTEGER, limit: 1 })),
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
        if (!(await storeCall(() => store.isMember(channelUrl, body.user_id!)))) {
          throw new ChatError(ErrorCode.NOT_MEMBER, `user ${body.user_id} is not a member of ${channelUrl}`);
        }
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
      const rows = await storeCall(() =>
        store.listMessages(
          channelUrl,
          backwards
            ? { beforeSeq: query.before_seq ?? Number.MAX_SAFE_INTEGER, limit: limit + 1 }
            : { afterSeq: query.after_seq!, limit: limit + 1 },
        ),
      );
      const hasMore = rows.length > limit;
      const page = backwards ? rows.slice(rows.length - Math.min(rows.length, limit)) : rows.slice(0, limit);
      const first = page[0];
      const last = page[page.length - 1];
      return {
        messages: page.map(toMessageFrame),
        has_more: hasMore,
        prev_before_seq: first && first.seq > 1 ? first.seq : null,
        next_after_seq: last ? last.seq : (query.after_seq ?? null),
      };
    },
  };
}
