import {
  type Channel,
  CreateChannelBody,
  ErrorCode,
  type HistoryResponse,
  type ListChannelsQuery,
  type ListChannelsResponse,
  type MessageType,
  type ProviderName,
  type FileInfo,
} from "@podchat/protocol";
import type { ChatProvider, SentMessage } from "../providers/chat-provider.ts";
import { storeCall } from "../providers/websocket/websocket-provider.ts";
import type { MessageStore } from "../store/message-store.ts";
import { ChatError } from "./chat-error.ts";

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
}

export interface ChatServiceDeps {
  providers: Partial<Record<ProviderName, ChatProvider>>;
  store: MessageStore;
  selector: ProviderSelector;
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
      throw new ChatError(ErrorCode.UNSUPPORTED, `the ${name} provider is not configured on this server`, { status: 503 });
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
    const body = parsed.data;
    const existing = await storeCall(() => this.deps.store.getChannel(body.channel_url));
    if (existing) throw new ChatError(ErrorCode.CHANNEL_EXISTS, `channel ${body.channel_url} already exists`);
    const name = await this.deps.selector.providerForNewChannel(body.channel_url, body.user_ids);
    return this.provider(name).createChannel(body);
  }

  /** Metadata with members; null when the channel does not exist. */
  async getChannelMetadata(channelUrl: string): Promise<Channel | null> {
    const row = await storeCall(() => this.deps.store.getChannel(channelUrl));
    if (!row) return null;
    return this.provider(row.provider).getChannel(channelUrl);
  }

  async listChannels(query: ListChannelsQuery = {}): Promise<ListChannelsResponse> {
    return this.provider(query.provider ?? "websocket").listChannels(query);
  }

  async updateChannel(channelUrl: string, patch: { name?: string; data?: Record<string, unknown>; customType?: string }) {
    const p = await this.providerOf(channelUrl);
    const body: { name?: string; data?: Record<string, unknown>; custom_type?: string } = {};
    if (patch.name !== undefined) body.name = patch.name;
    if (patch.data !== undefined) body.data = patch.data;
    if (patch.customType !== undefined) body.custom_type = patch.customType;
    return p.updateChannel(channelUrl, body);
  }

  async deleteChannel(channelUrl: string): Promise<void> {
    return (await this.providerOf(channelUrl)).deleteChannel(channelUrl);
  }

  async addMembers(channelUrl: string, userIds: Array<string | number>): Promise<Channel> {
    return (await this.providerOf(channelUrl)).addMembers(channelUrl, userIds.map(String));
  }

  async removeMembers(channelUrl: string, userIds: Array<string | number>): Promise<Channel> {
    return (await this.providerOf(channelUrl)).removeMembers(channelUrl, userIds.map(String));
  }

  async listMembers(channelUrl: string): Promise<string[]> {
    return (await this.providerOf(channelUrl)).listMembers(channelUrl);
  }

  async isMember(channelUrl: string, userId: string): Promise<boolean> {
    return storeCall(() => this.deps.store.isMember(channelUrl, userId));
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

  async listMessages(channelUrl: string, input: HistoryInput = {}): Promise<HistoryResponse> {
    const q: { before_seq?: number; after_seq?: number; limit?: number } = {};
    if (input.beforeSeq !== undefined) q.before_seq = input.beforeSeq;
    if (input.afterSeq !== undefined) q.after_seq = input.afterSeq;
    if (input.limit !== undefined) q.limit = input.limit;
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
