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
  type InboxQuery,
  type InboxResponse,
  type TotalUnreadResponse,
  type Pin,
  type PinsResponse,
  type SearchResponse,
  wireUserId,
} from "@podchat/protocol";
import type { Bus } from "../bus/bus.ts";
import { ChatError } from "../errors/chat-error.ts";
import type {
  ChatProvider,
  EditedMessage,
  LogEntryRef,
  SearchInput,
  SentMessage,
} from "../providers/chat-provider.ts";
import { toChannel, toMessageFrame } from "../providers/websocket/wire.ts";
import type { MessageStore } from "../store/message-store.ts";
import { MergedInbox } from "./merged-inbox.ts";
import type { MessageHookChain } from "./message-hooks/index.ts";
import { ModerationCache } from "./moderation-cache.ts";
import { isBanned, isOperator, refusalText, sendRefusal } from "./moderation-policy.ts";

/** Decides which provider a new channel is created on (the feature flag). */
export interface ProviderSelector {
  providerForNewChannel(channelUrl: string, userIds: string[]): Promise<ProviderName>;
  /** @since 0.3 Whether new channels may go to `provider` now (the flag, without overrides). */
  mayChoose?(provider: ProviderName): boolean;
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
  /** Throws ChatError only (errors/store-errors.ts). */
  store: MessageStore;
  /** Moderation changes from every instance reach the send rules' cache through it. */
  bus: Bus;
  selector: ProviderSelector;
  /** @since 0.2 Told once a channel is deleted (its uploaded files go too). */
  onChannelDeleted?: (channelUrl: string) => Promise<void>;
  /**
   * @since 0.3 When to ask a remote provider that can list a user's channels (Sendbird) for its
   * share of an inbox (config `sendbird.inbox`): `auto` (default) while the selector may create
   * channels there or the user is in a channel routed there, `always`, or `off` (the store alone).
   */
  remoteInbox?: "auto" | "always" | "off";
  /** @since 0.3 How long an inbox waits for the remote provider before answering partial. Default 5 s. */
  remoteInboxTimeoutMs?: number;
  /**
   * @since 0.4 The pre-store hook chain (`messages.hooks`) members' sends and edits pass through
   * before they are stored; undefined = none (no work on the send path).
   */
  messageHooks?: MessageHookChain;
}

/**
 * A member's access to one channel, checked once: what a socket holds for as long as it is
 * admitted (removal, a ban or deletion end it), and what a REST call makes for itself. Every send,
 * edit, delete and read mark of both goes through it, under the same rules.
 */
export interface ChannelAccess {
  readonly channelUrl: string;
  readonly userId: string;
  readonly provider: ChatProvider;
  send(input: Omit<SendMessageInput, "userId">): Promise<SentMessage>;
  edit(seq: number, edit: { message: string; data?: Record<string, unknown> }): Promise<EditedMessage>;
  delete(seq: number): Promise<LogEntryRef | null>;
  markRead(seq: number): Promise<UnreadResponse>;
  /** False while the user may not send (banned, muted, frozen): typing is not shown then. */
  maySend(): Promise<boolean>;
}

/**
 * The one entry point backends use, in-process or behind the REST API, and where podchat's
 * rules live: who may send, edit, delete and mark read (chat/moderation-policy.ts), for REST and
 * sockets alike. Each channel goes to the provider it lives on (recorded in the store when it was
 * created); new channels go where the feature flag says. A provider that enforces access itself
 * (Sendbird) is trusted to; for the others the rules are applied here, before the provider runs.
 */
export class ChatService {
  private readonly moderationCache: ModerationCache;
  private readonly inbox: MergedInbox;

  constructor(private readonly deps: ChatServiceDeps) {
    this.moderationCache = new ModerationCache(deps.bus, (url) => this.moderationRaw(url));
    const all = Object.values(deps.providers).filter((p): p is ChatProvider => p !== undefined);
    const remote =
      deps.remoteInbox === "off"
        ? undefined
        : all.find(
            (p): p is ChatProvider & Required<Pick<ChatProvider, "listUserChannels">> =>
              !p.capabilities.recordsInStore && p.listUserChannels !== undefined,
          );
    const local = all.find((p) => p.capabilities.recordsInStore)?.name ?? "websocket";
    const always = deps.remoteInbox === "always";
    this.inbox = new MergedInbox({
      store: deps.store,
      local,
      remote,
      ...(deps.remoteInboxTimeoutMs !== undefined ? { remoteBudgetMs: deps.remoteInboxTimeoutMs } : {}),
      mayHaveRemote: async (userId) => {
        if (!remote) return false;
        if (always || deps.selector.mayChoose?.(remote.name)) return true;
        const routed = await deps.store.listUserChannels(userId, { limit: 1, provider: remote.name });
        return routed.rows.length > 0;
      },
    });
  }

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
    const row = await this.deps.store.getChannel(channelUrl);
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
    const existing = await store.getChannel(body.channel_url);
    if (existing) throw new ChatError(ErrorCode.CHANNEL_EXISTS, `channel ${body.channel_url} already exists`);
    const name = await this.deps.selector.providerForNewChannel(body.channel_url, body.user_ids);
    const remote = this.provider(name);
    if (remote.capabilities.recordsInStore) return remote.createChannel(body);

    // Elsewhere (Sendbird): create there first, then record where the channel lives. If the record
    // cannot be written, undo the remote create so no channel exists that podchat cannot route.
    const created = await remote.createChannel(body);
    try {
      await store.createChannel({
        channel_url: body.channel_url,
        name: created.name,
        custom_type: body.custom_type ?? null,
        data: body.data ?? {},
        provider: name,
        user_ids: body.user_ids,
      });
    } catch (e) {
      await remote.deleteChannel(body.channel_url).catch(() => {});
      throw e;
    }
    return created;
  }

  /** Metadata with members; null when podchat does not know the channel. */
  async getChannelMetadata(channelUrl: string): Promise<Channel | null> {
    const row = await this.deps.store.getChannel(channelUrl);
    return row ? this.provider(row.provider).getChannel(channelUrl) : null;
  }

  /**
   * Records a channel that legacy code made on a remote provider (Sendbird) directly (podchat never
   * saw it), so it can be routed and migrated; null when no remote provider has it either.
   */
  async adopt(channelUrl: string): Promise<Channel | null> {
    for (const remote of Object.values(this.deps.providers)) {
      if (!remote || remote.capabilities.recordsInStore) continue;
      const found = await remote.getChannel(channelUrl);
      if (!found) continue;
      await this.deps.store
        .createChannel({
          channel_url: channelUrl,
          name: found.name,
          custom_type: found.custom_type ?? null,
          data: found.data,
          provider: remote.name,
          user_ids: (found.members ?? []).map(String),
        })
        .catch((e) => {
          if (!(e instanceof ChatError && e.code === ErrorCode.CHANNEL_EXISTS)) throw e;
        });
      return found;
    }
    return null;
  }

  /** Without a provider: every channel podchat routes, from its own records. */
  async listChannels(query: ListChannelsQuery = {}): Promise<ListChannelsResponse> {
    if (query.provider) return this.provider(query.provider).listChannels(query);
    const page = await this.deps.store.listChannels({
      limit: query.limit ?? 20,
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.q ? { q: query.q } : {}),
    });
    return { channels: page.channels.map((c) => toChannel(c)), next_cursor: page.nextCursor };
  }

  /**
   * A user's channel list, newest activity first, with unread counts (@since 0.3): podchat's own
   * channels from the store and, when a remote provider is configured (Sendbird), the user's
   * channels there, merged into one keyset-paged list (chat/merged-inbox.ts). `partial` when the
   * remote could not be asked.
   */
  listUserChannels(userId: string, query: InboxQuery = {}): Promise<InboxResponse> {
    return this.inbox.list(userId, query);
  }

  /** Unread messages over the user's podchat channels (the socket's READY badge). @since 0.3 */
  totalUnread(userId: string): Promise<number> {
    return this.deps.store.totalUnread(userId);
  }

  /** Unread over every provider's channels, Sendbird's included (`GET .../unread`). @since 0.3 */
  async inboxUnread(userId: string): Promise<TotalUnreadResponse> {
    const { total, errors } = await this.inbox.totalUnread(userId);
    return {
      user_id: wireUserId(userId),
      total_unread: total,
      ...(errors.length > 0 ? { partial: true, errors } : {}),
    };
  }

  /** Every channel the user is a member of. @since 0.3 */
  userChannelUrls(userId: string): Promise<string[]> {
    return this.deps.store.userChannelUrls(userId);
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
    if (!p.capabilities.recordsInStore)
      await this.mirror(() => this.deps.store.updateChannel(channelUrl, body));
    return updated;
  }

  async deleteChannel(channelUrl: string): Promise<void> {
    const p = await this.providerOf(channelUrl);
    await p.deleteChannel(channelUrl);
    if (!p.capabilities.recordsInStore) await this.deps.store.deleteChannel(channelUrl);
    await this.deps.onChannelDeleted?.(channelUrl);
  }

  async addMembers(channelUrl: string, userIds: Array<string | number>): Promise<Channel> {
    const p = await this.providerOf(channelUrl);
    const ids = userIds.map(String);
    const c = await p.addMembers(channelUrl, ids);
    if (!p.capabilities.recordsInStore) await this.mirror(() => this.deps.store.addMembers(channelUrl, ids));
    return c;
  }

  async removeMembers(channelUrl: string, userIds: Array<string | number>): Promise<Channel> {
    const p = await this.providerOf(channelUrl);
    const ids = userIds.map(String);
    const c = await p.removeMembers(channelUrl, ids);
    if (!p.capabilities.recordsInStore)
      await this.mirror(() => this.deps.store.removeMembers(channelUrl, ids));
    return c;
  }

  async listMembers(channelUrl: string): Promise<string[]> {
    return (await this.providerOf(channelUrl)).listMembers(channelUrl);
  }

  /** Membership as the channel's provider knows it. */
  async isMember(channelUrl: string, userId: string): Promise<boolean> {
    return this.isMemberOn(await this.providerOf(channelUrl), channelUrl, userId);
  }

  private async isMemberOn(p: ChatProvider, channelUrl: string, userId: string): Promise<boolean> {
    if (p.capabilities.recordsInStore) return this.deps.store.isMember(channelUrl, userId);
    return (await p.listMembers(channelUrl)).includes(userId);
  }

  /** Keeps podchat's record of a remote channel in step; the remote stays the truth. */
  private async mirror(fn: () => Promise<unknown>) {
    // The remote change happened; a stale local copy only affects listings until migration.
    await fn().catch(() => {});
  }

  /**
   * Admission of a member to a channel's socket: the channel exists and is served over podchat's
   * sockets, the user is a member and not banned. Throws ChatError saying which rule failed.
   */
  async admit(channelUrl: string, userId: string): Promise<ChannelAccess> {
    const row = await this.deps.store.getChannel(channelUrl);
    if (!row) throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${channelUrl} does not exist`);
    const p = this.provider(row.provider);
    if (!p.capabilities.realtime)
      throw new ChatError(ErrorCode.WRONG_PROVIDER, `channel ${channelUrl} is served by ${row.provider}`);
    if (!(await this.isMemberOn(p, channelUrl, userId)))
      throw new ChatError(ErrorCode.NOT_MEMBER, `user ${userId} is not a member of ${channelUrl}`);
    if (isBanned(await this.moderationCache.get(channelUrl), userId))
      throw new ChatError(ErrorCode.BANNED, `user ${userId} is banned from ${channelUrl}`);
    return this.access(p, channelUrl, userId, true);
  }

  /** A member's access for one REST call: the channel's provider, membership checked per operation. */
  private async memberAccess(channelUrl: string, userId: string): Promise<ChannelAccess> {
    return this.access(await this.providerOf(channelUrl), channelUrl, userId, false);
  }

  private access(p: ChatProvider, channelUrl: string, userId: string, admitted: boolean): ChannelAccess {
    const rules = !p.capabilities.enforcesAccess;
    const member = async () => {
      if (rules && !admitted && !(await this.isMemberOn(p, channelUrl, userId)))
        throw new ChatError(ErrorCode.NOT_MEMBER, `user ${userId} is not a member of ${channelUrl}`);
    };
    const maySend = async () => {
      if (!rules) return;
      const why = sendRefusal(await this.moderationCache.get(channelUrl), userId);
      if (why) throw new ChatError(ErrorCode[why], refusalText[why]);
    };
    return {
      channelUrl,
      userId,
      provider: p,
      send: async (input) => {
        const type = input.type ?? "MESG";
        if (type === "ADMM") throw new ChatError(ErrorCode.FORBIDDEN, "a member cannot send admin messages");
        if (type === "MESG" && input.message.length === 0)
          throw new ChatError(ErrorCode.VALIDATION_FAILED, "message must not be empty", { field: "message" });
        await member();
        await maySend();
        const hooks = this.deps.messageHooks;
        if (hooks && input.message.length > 0) {
          const message = await hooks.run({
            channel_url: channelUrl,
            user_id: userId,
            message: input.message,
            custom_type: input.customType ?? null,
            data: input.data ?? null,
            kind: "send",
          });
          return p.sendMessage(channelUrl, sendBody({ ...input, message, userId, type }));
        }
        return p.sendMessage(channelUrl, sendBody({ ...input, userId, type }));
      },
      edit: async (seq, edit) => {
        await maySend();
        const hooks = this.deps.messageHooks;
        if (hooks && edit.message.length > 0) {
          const message = await hooks.run({
            channel_url: channelUrl,
            user_id: userId,
            message: edit.message,
            custom_type: null,
            data: edit.data ?? null,
            kind: "edit",
          });
          return p.editMessage(channelUrl, seq, { ...edit, message, userId });
        }
        return p.editMessage(channelUrl, seq, { ...edit, userId });
      },
      delete: async (seq) => {
        let asOperator = false;
        if (rules) {
          const m = await this.moderationCache.get(channelUrl);
          if (isBanned(m, userId)) throw new ChatError(ErrorCode.BANNED, refusalText.BANNED);
          asOperator = isOperator(m, userId);
        }
        return p.deleteMessage(channelUrl, seq, { userId, ...(asOperator ? { asOperator } : {}) });
      },
      markRead: async (seq) => {
        await member();
        return p.markRead(channelUrl, userId, seq);
      },
      maySend: () =>
        maySend().then(
          () => true,
          () => false,
        ),
    };
  }

  /**
   * Sends a message: as a member (`userId`, under the channel's rules) or, without one, as the
   * admin (type ADMM). The same path as a socket's sends.
   */
  async sendMessage(channelUrl: string, input: SendMessageInput): Promise<SentMessage> {
    const type = input.type ?? (input.userId === undefined ? "ADMM" : "MESG");
    if (type !== "ADMM") {
      if (input.userId === undefined) {
        throw new ChatError(ErrorCode.VALIDATION_FAILED, "user_id is required for MESG, FILE and IMAGE", {
          field: "user_id",
        });
      }
      const { userId, ...rest } = input;
      return (await this.memberAccess(channelUrl, String(userId))).send({ ...rest, type });
    }
    const p = await this.providerOf(channelUrl);
    return p.sendMessage(channelUrl, sendBody({ ...input, type }));
  }

  /** Throws BANNED / MUTED / FROZEN when the user may not send now (e.g. before an upload). */
  async assertMaySend(channelUrl: string, userId: string): Promise<void> {
    const p = await this.providerOf(channelUrl);
    if (p.capabilities.enforcesAccess) return;
    const why = sendRefusal(await this.moderationCache.get(channelUrl), userId);
    if (why) throw new ChatError(ErrorCode[why], refusalText[why]);
  }

  // Chat features (@since 0.2): each goes to the channel's provider, under the same rules.

  /** Edits a message; `userId` must be its author and allowed to send (omit for a privileged edit). */
  async editMessage(
    channelUrl: string,
    seq: number,
    edit: { message: string; data?: Record<string, unknown>; userId?: string | number },
  ): Promise<MessageFrame> {
    const e: { message: string; data?: Record<string, unknown> } = { message: edit.message };
    if (edit.data !== undefined) e.data = edit.data;
    const edited =
      edit.userId !== undefined
        ? await (await this.memberAccess(channelUrl, String(edit.userId))).edit(seq, e)
        : await (await this.providerOf(channelUrl)).editMessage(channelUrl, seq, e);
    return edited.message;
  }

  /** Deletes a message as a tombstone; `userId` must be its author or an operator (omit when privileged). */
  async deleteMessage(channelUrl: string, seq: number, userId?: string | number): Promise<void> {
    if (userId !== undefined) await (await this.memberAccess(channelUrl, String(userId))).delete(seq);
    else await (await this.providerOf(channelUrl)).deleteMessage(channelUrl, seq, {});
  }

  async markRead(channelUrl: string, userId: string | number, seq: number): Promise<UnreadResponse> {
    return (await this.memberAccess(channelUrl, String(userId))).markRead(seq);
  }

  async unread(channelUrl: string, userId: string | number): Promise<UnreadResponse> {
    const p = await this.providerOf(channelUrl);
    const id = String(userId);
    if (!p.capabilities.enforcesAccess && !(await this.isMemberOn(p, channelUrl, id)))
      throw new ChatError(ErrorCode.NOT_MEMBER, `user ${id} is not a member of ${channelUrl}`);
    return p.unread(channelUrl, id);
  }

  async readState(channelUrl: string): Promise<ReadStateResponse> {
    return (await this.providerOf(channelUrl)).readState(channelUrl);
  }

  async moderation(channelUrl: string): Promise<ModerationState> {
    return (await this.providerOf(channelUrl)).moderation(channelUrl);
  }

  private async moderationRaw(channelUrl: string): Promise<ModerationState> {
    return this.moderation(channelUrl);
  }

  async isOperator(channelUrl: string, userId: string): Promise<boolean> {
    return isOperator(await this.moderation(channelUrl), userId);
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

  // Search and pins (@since 0.5). `userId` absent = a privileged caller (API key, admin).

  /** A channel's messages matching `q` (a member's, or privileged). */
  async searchMessages(channelUrl: string, input: SearchInput, userId?: string): Promise<SearchResponse> {
    const p = await this.providerOf(channelUrl);
    if (userId !== undefined) await this.requireMemberOn(p, channelUrl, userId);
    return p.searchMessages(channelUrl, input);
  }

  /**
   * Messages matching `q` in every channel the user is a member of that podchat stores (its own
   * chat's); a Sendbird channel's messages are not in the store, so they are not searched here.
   */
  async searchUserMessages(userId: string, input: SearchInput): Promise<SearchResponse> {
    const page = await this.deps.store.searchUserMessages(userId, {
      query: input.q,
      limit: input.limit,
      ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
    });
    return { messages: page.messages.map(toMessageFrame), next_cursor: page.nextCursor };
  }

  /** Pins need an operator (or a privileged caller); anyone else is FORBIDDEN. */
  async pinMessage(
    channelUrl: string,
    seq: number,
    userId?: string,
  ): Promise<{ pin: Pin; created: boolean }> {
    const p = await this.providerOf(channelUrl);
    if (userId !== undefined) await this.requireOperator(p, channelUrl, userId);
    return p.pinMessage(channelUrl, seq, userId !== undefined ? { userId } : {});
  }

  async unpinMessage(channelUrl: string, seq: number, userId?: string): Promise<Pin | null> {
    const p = await this.providerOf(channelUrl);
    if (userId !== undefined) await this.requireOperator(p, channelUrl, userId);
    return p.unpinMessage(channelUrl, seq, userId !== undefined ? { userId } : {});
  }

  async listPins(channelUrl: string, userId?: string): Promise<PinsResponse> {
    const p = await this.providerOf(channelUrl);
    if (userId !== undefined) await this.requireMemberOn(p, channelUrl, userId);
    return p.listPins(channelUrl);
  }

  private async requireMemberOn(p: ChatProvider, channelUrl: string, userId: string) {
    if (!(await this.isMemberOn(p, channelUrl, userId)))
      throw new ChatError(ErrorCode.NOT_MEMBER, `user ${userId} is not a member of ${channelUrl}`);
  }

  private async requireOperator(p: ChatProvider, channelUrl: string, userId: string) {
    await this.requireMemberOn(p, channelUrl, userId);
    if (!(await this.isOperator(channelUrl, userId)))
      throw new ChatError(ErrorCode.FORBIDDEN, "only the channel's operators may pin and unpin messages");
  }

  async close(): Promise<void> {
    await this.moderationCache.close();
  }
}

/** A send as the provider takes it (the protocol's REST body). */
function sendBody(input: SendMessageInput): Parameters<ChatProvider["sendMessage"]>[1] {
  const body: Parameters<ChatProvider["sendMessage"]>[1] = { message: input.message };
  if (input.userId !== undefined) body.user_id = String(input.userId);
  if (input.type) body.type = input.type;
  if (input.reqId) body.req_id = input.reqId;
  if (input.customType) body.custom_type = input.customType;
  if (input.data) body.data = input.data;
  if (input.file) body.file = input.file;
  return body;
}
