import {
  type Channel,
  CreateChannelBody,
  ErrorCode,
  type HistoryQuery,
  type HistoryResponse,
  type ListChannelsQuery,
  type ListChannelsResponse,
  type MessageFrame,
  type MessageType,
  type ModerationState,
  type ProviderName,
  type ReadStateResponse,
  type UnreadResponse,
  type FileInfo,
} from "@podchat/protocol";
import type { ChatProvider, SentMessage } from "../providers/chat-provider.ts";
import { storeCall } from "../providers/websocket/websocket-provider.ts";
import type { MessageStore } from "../store/message-store.ts";
import { ChatError } from "./chat-error.ts";
import { toChannel } from "./wire.ts";

/** Decides which provider a new channel is created on (the feature flag). */
export interface ProviderSelector {
  providerForNewChannel(channelUrl: string, userIds: string[]): Promise<ProviderName>;
}

export interface CreateGroupChannelInput {
  channelUrl: string;
  name?: string;
  userIds: Array<string | number>;
  data?: Record<string, unknown>;
  customType?: string;
}

export interface SendMessageInput {
  /** Sender; omit for an admin message (type ADMM). */
  userId?: string | number;
  message: string;
  type?: MessageType;
  reqId?: string;
  customType?: string;
  data?: Record<string, unknown>;
  file?: FileInfo;
}

export interface HistoryInput {
  beforeSeq?: number;
  afterSeq?: number;
  limit?: number;
  /** Include edit/delete entries of the seq log (see HistoryQuery.include_changes). */
  includeChanges?: boolean;
}

export interface ChatServiceDeps {
  providers: Partial<Record<ProviderName, ChatProvider>>;
  store: MessageStore;
  selector: ProviderSelector;
  /** @since 0.2 Told once a channel is deleted (its uploaded files go too). */
  onChannelDeleted?: (channelUrl: string) => Promise<void>;
}

/**
 * The one entry point backends use, in-process or behind the REST API. Each channel goes to the
 * provider it lives on (recorded in the store when it was created); new channels go where the
 * feature flag says.
 */
export class ChatService {
  constructor(private readonly deps: ChatServiceDeps) {}

  provider(name: ProviderName): ChatProvider {
    const p = this.deps.providers[name];
    if (!p) {
      throw new ChatError(ErrorCode.UNSUPPORTED, `the ${name} provider is not configured on this server`, {
        status: 503,
      });
    }
    return p;
  }

  /** The provider a channel lives on; CHANNEL_NOT_FOUND when podchat does not know it. */
  async providerOf(channelUrl: string): Promise<ChatProvider> {
    const row = await storeCall(() => this.deps.store.getChannel(channelUrl));
    if (!row) throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${channelUrl} does not exist`);
    return this.provider(row.provider);
  }

  async createGroupChannel(input: CreateGroupChannelInput): Promise<Channel> {
    const parsed = CreateChannelBody.safeParse({
      channel_url: input.channelUrl,
      name: input.name,
      user_ids: input.userIds,
      data: input.data,
      custom_type: input.customType,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ChatError(ErrorCode.VALIDATION_FAILED, issue?.message ?? "invalid channel", {
        field: issue?.path.join("."),
      });
    }
    const body = { ...parsed.data, user_ids: [...new Set(parsed.data.user_ids)] };
    const { store } = this.deps;
    const existing = await storeCall(() => store.getChannel(body.channel_url));
    if (existing) throw new ChatError(ErrorCode.CHANNEL_EXISTS, `channel ${body.channel_url} already exists`);
    const name = await this.deps.selector.providerForNewChannel(body.channel_url, body.user_ids);
    if (name === "websocket") return this.provider(name).createChannel(body);

    // Elsewhere (Sendbird): create there first, then record where the channel lives. If the record
    // cannot be written, undo the remote create so no channel exists that podchat cannot route.
    const remote = this.provider(name);
    const created = await remote.createChannel(body);
    try {
      await storeCall(() =>
        store.createChannel({
          channel_url: body.channel_url,
          name: created.name,
          custom_type: body.custom_type ?? null,
          data: body.data ?? {},
          provider: name,
          user_ids: body.user_ids,
        }),
      );
    } catch (e) {
      await remote.deleteChannel(body.channel_url).catch(() => {});
      throw e;
    }
    return created;
  }

  /** Metadata with members; null when podchat does not know the channel. */
  async getChannelMetadata(channelUrl: string): Promise<Channel | null> {
    const row = await storeCall(() => this.deps.store.getChannel(channelUrl));
    return row ? this.provider(row.provider).getChannel(channelUrl) : null;
  }

  /**
   * Records a channel that legacy code made on Sendbird directly (podchat never saw it), so it can
   * be routed and migrated; null when Sendbird has no such channel either.
   */
  async adopt(channelUrl: string): Promise<Channel | null> {
    const sendbird = this.deps.providers.sendbird;
    if (!sendbird) return null;
    const remote = await sendbird.getChannel(channelUrl);
    if (!remote) return null;
    await storeCall(() =>
      this.deps.store.createChannel({
        channel_url: channelUrl,
        name: remote.name,
        custom_type: remote.custom_type ?? null,
        data: remote.data,
        provider: "sendbird",
        user_ids: (remote.members ?? []).map(String),
      }),
    ).catch((e) => {
      if (!(e instanceof ChatError && e.code === ErrorCode.CHANNEL_EXISTS)) throw e;
    });
    return remote;
  }

  /** Without a provider: every channel podchat routes, from its own records. */
  async listChannels(query: ListChannelsQuery = {}): Promise<ListChannelsResponse> {
    if (query.provider) return this.provider(query.provider).listChannels(query);
    const page = await storeCall(() =>
      this.deps.store.listChannels({
        limit: query.limit ?? 20,
        ...(query.cursor ? { cursor: query.cursor } : {}),
        ...(query.q ? { q: query.q } : {}),
      }),
    );
    return { channels: page.channels.map((c) => toChannel(c)), next_cursor: page.nextCursor };
  }

  async updateChannel(
    channelUrl: string,
    patch: { name?: string; data?: Record<string, unknown>; customType?: string },
  ) {
    const p = await this.providerOf(channelUrl);
    const body: { name?: string; data?: Record<string, unknown>; custom_type?: string } = {};
    if (patch.name !== undefined) body.name = patch.name;
    if (patch.data !== undefined) body.data = patch.data;
    if (patch.customType !== undefined) body.custom_type = patch.customType;
    const updated = await p.updateChannel(channelUrl, body);
    if (p.name !== "websocket") await this.mirror(() => this.deps.store.updateChannel(channelUrl, body));
    return updated;
  }

  async deleteChannel(channelUrl: string): Promise<void> {
    const p = await this.providerOf(channelUrl);
    await p.deleteChannel(channelUrl);
    if (p.name !== "websocket") await storeCall(() => this.deps.store.deleteChannel(channelUrl));
    await this.deps.onChannelDeleted?.(channelUrl);
  }

  async addMembers(channelUrl: string, userIds: Array<string | number>): Promise<Channel> {
    const p = await this.providerOf(channelUrl);
    const ids = userIds.map(String);
    const c = await p.addMembers(channelUrl, ids);
    if (p.name !== "websocket") await this.mirror(() => this.deps.store.addMembers(channelUrl, ids));
    return c;
  }

  async removeMembers(channelUrl: string, userIds: Array<string | number>): Promise<Channel> {
    const p = await this.providerOf(channelUrl);
    const ids = userIds.map(String);
    const c = await p.removeMembers(channelUrl, ids);
    if (p.name !== "websocket") await this.mirror(() => this.deps.store.removeMembers(channelUrl, ids));
    return c;
  }

  async listMembers(channelUrl: string): Promise<string[]> {
    return (await this.providerOf(channelUrl)).listMembers(channelUrl);
  }

  /** Membership as the channel's provider knows it. */
  async isMember(channelUrl: string, userId: string): Promise<boolean> {
    const p = await this.providerOf(channelUrl);
    if (p.name === "websocket") return storeCall(() => this.deps.store.isMember(channelUrl, userId));
    return (await p.listMembers(channelUrl)).includes(userId);
  }

  /** Keeps podchat's record of a remote channel in step; the remote stays the truth. */
  private async mirror(fn: () => Promise<unknown>) {
    // The remote change happened; a stale local copy only affects listings until migration.
    await storeCall(fn).catch(() => {});
  }

  async sendMessage(channelUrl: string, input: SendMessageInput): Promise<SentMessage> {
    const body: Parameters<ChatProvider["sendMessage"]>[1] = { message: input.message };
    if (input.userId !== undefined) body.user_id = String(input.userId);
    if (input.type) body.type = input.type;
    if (input.reqId) body.req_id = input.reqId;
    if (input.customType) body.custom_type = input.customType;
    if (input.data) body.data = input.data;
    if (input.file) body.file = input.file;
    return (await this.providerOf(channelUrl)).sendMessage(channelUrl, body);
  }

  // Chat features (@since 0.2): each goes to the channel's provider.

  /** Edits a message; `userId` must be its author (omit for a privileged edit). */
  async editMessage(
    channelUrl: string,
    seq: number,
    edit: { message: string; data?: Record<string, unknown>; userId?: string | number },
  ): Promise<MessageFrame> {
    const e: { message: string; data?: Record<string, unknown>; userId?: string } = { message: edit.message };
    if (edit.data !== undefined) e.data = edit.data;
    if (edit.userId !== undefined) e.userId = String(edit.userId);
    return (await this.providerOf(channelUrl)).editMessage(channelUrl, seq, e);
  }

  /** Deletes a message as a tombstone; `userId` must be its author or an operator (omit when privileged). */
  async deleteMessage(channelUrl: string, seq: number, userId?: string | number): Promise<void> {
    const by = userId === undefined ? {} : { userId: String(userId) };
    return (await this.providerOf(channelUrl)).deleteMessage(channelUrl, seq, by);
  }

  async markRead(channelUrl: string, userId: string | number, seq: number): Promise<UnreadResponse> {
    return (await this.providerOf(channelUrl)).markRead(channelUrl, String(userId), seq);
  }

  async unread(channelUrl: string, userId: string | number): Promise<UnreadResponse> {
    return (await this.providerOf(channelUrl)).unread(channelUrl, String(userId));
  }

  async readState(channelUrl: string): Promise<ReadStateResponse> {
    return (await this.providerOf(channelUrl)).readState(channelUrl);
  }

  async moderation(channelUrl: string): Promise<ModerationState> {
    return (await this.providerOf(channelUrl)).moderation(channelUrl);
  }

  async isOperator(channelUrl: string, userId: string): Promise<boolean> {
    return (await this.moderation(channelUrl)).operators.some((o) => String(o) === userId);
  }

  async ban(channelUrl: string, userIds: Array<string | number>, seconds?: number): Promise<ModerationState> {
    return (await this.providerOf(channelUrl)).ban(channelUrl, userIds.map(String), seconds);
  }

  async unban(channelUrl: string, userId: string | number): Promise<ModerationState> {
    return (await this.providerOf(channelUrl)).unban(channelUrl, String(userId));
  }

  async mute(
    channelUrl: string,
    userIds: Array<string | number>,
    seconds?: number,
  ): Promise<ModerationState> {
    return (await this.providerOf(channelUrl)).mute(channelUrl, userIds.map(String), seconds);
  }

  async unmute(channelUrl: string, userId: string | number): Promise<ModerationState> {
    return (await this.providerOf(channelUrl)).unmute(channelUrl, String(userId));
  }

  async setFrozen(channelUrl: string, frozen: boolean): Promise<ModerationState> {
    return (await this.providerOf(channelUrl)).setFrozen(channelUrl, frozen);
  }

  async addOperators(channelUrl: string, userIds: Array<string | number>): Promise<ModerationState> {
    return (await this.providerOf(channelUrl)).addOperators(channelUrl, userIds.map(String));
  }

  async removeOperators(channelUrl: string, userIds: Array<string | number>): Promise<ModerationState> {
    return (await this.providerOf(channelUrl)).removeOperators(channelUrl, userIds.map(String));
  }

  async listMessages(channelUrl: string, input: HistoryInput = {}): Promise<HistoryResponse> {
    const q: HistoryQuery = {};
    if (input.beforeSeq !== undefined) q.before_seq = input.beforeSeq;
    if (input.afterSeq !== undefined) q.after_seq = input.afterSeq;
    if (input.limit !== undefined) q.limit = input.limit;
    if (input.includeChanges) q.include_changes = "true";
    return (await this.providerOf(channelUrl)).listMessages(channelUrl, q);
  }
}

/** The yaml/env value of `chat.use_websocket` for every new channel (runtime flags come later). */
export function staticSelector(useWebsocket: () => boolean): ProviderSelector {
  return {
    async providerForNewChannel() {
      return useWebsocket() ? "websocket" : "sendbird";
    },
  };
}
