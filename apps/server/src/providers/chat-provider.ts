import type {
  Channel,
  CreateChannelBody,
  HistoryQuery,
  HistoryResponse,
  InboxChannel,
  ListChannelsQuery,
  ListChannelsResponse,
  MessageFrame,
  ModerationState,
  Pin,
  PinsResponse,
  SearchResponse,
  ReadStateResponse,
  UnreadResponse,
  ProviderName,
  SendMessageBody,
  UpdateChannelBody,
} from "@podchat/protocol";

/** The seq-log entry a change took (podchat's own chat; null where the provider has no seq log). */
export interface LogEntryRef {
  seq: number;
  message_id: string;
  timestamp: string;
}

/** An edit's result: the edited message, and its seq-log entry. */
export interface EditedMessage {
  message: MessageFrame;
  entry: LogEntryRef | null;
}

export interface SentMessage {
  message: MessageFrame;
  /** The req_id had been used before: `message` is the original, nothing new was stored. */
  duplicate: boolean;
}

/**
 * One chat backend (podchat's own WebSocket chat, or Sendbird). Every method throws `ChatError`;
 * ChatService routes each channel to the provider it lives on, so callers never branch on which.
 * Shapes are the protocol's REST shapes (snake_case), so a provider's result is what the REST API
 * answers.
 */
/** What a provider does itself, so ChatService never branches on a provider's name. @since 0.3 */
export interface ProviderCapabilities {
  /**
   * The provider writes podchat's channel record (channels, members) itself; otherwise the remote
   * service is the truth and ChatService keeps the record as a mirror for routing and listings.
   */
  readonly recordsInStore: boolean;
  /**
   * The provider enforces membership and moderation on each write itself (through its service);
   * otherwise ChatService applies podchat's rules (chat/moderation-policy.ts) before calling it.
   */
  readonly enforcesAccess: boolean;
  /** Members connect to the channel through podchat's sockets. */
  readonly realtime: boolean;
}

/**
 * One page of a user's channels on a provider that keeps them outside podchat's store (@since 0.3).
 * The filters narrow what the provider sends; ChatService applies podchat's exact rules again.
 */
export interface RemoteInboxQuery {
  /** The provider's own page token (from `next`); absent for the first page. */
  token?: string;
  limit: number;
  customType?: string;
  namePrefix?: string;
  unreadOnly?: boolean;
}

export interface RemoteInboxPage {
  /** Most recent activity first (`last_activity_at` descending), as the provider orders them. */
  channels: InboxChannel[];
  next: string | null;
}

export interface ChatProvider {
  readonly name: ProviderName;
  readonly capabilities: ProviderCapabilities;
  createChannel(input: CreateChannelBody): Promise<Channel>;
  /** With `members`. Null when the channel does not exist on this provider. */
  getChannel(channelUrl: string): Promise<Channel | null>;
  listChannels(query: ListChannelsQuery): Promise<ListChannelsResponse>;
  /**
   * @since 0.3 The user's channels as this provider knows them (Sendbird), for the inbox. Absent on
   * providers whose channels podchat's store lists itself.
   */
  listUserChannels?(userId: string, query: RemoteInboxQuery): Promise<RemoteInboxPage>;
  updateChannel(channelUrl: string, patch: UpdateChannelBody): Promise<Channel>;
  deleteChannel(channelUrl: string): Promise<void>;
  addMembers(channelUrl: string, userIds: string[]): Promise<Channel>;
  removeMembers(channelUrl: string, userIds: string[]): Promise<Channel>;
  listMembers(channelUrl: string): Promise<string[]>;
  sendMessage(channelUrl: string, body: SendMessageBody): Promise<SentMessage>;
  listMessages(channelUrl: string, query: HistoryQuery): Promise<HistoryResponse>;

  // Chat features (@since 0.2). A provider that cannot do one throws ChatError UNSUPPORTED (501)
  // with a message naming the operation, never a silent no-op.

  /** Edits a message; `userId` is the editor (must be the author unless omitted by a privileged caller). Returns the edited target. */
  editMessage(
    channelUrl: string,
    targetSeq: number,
    edit: { message: string; data?: Record<string, unknown>; userId?: string },
  ): Promise<EditedMessage>;
  /**
   * Deletes a message as a tombstone; `userId` must be the author unless omitted by a privileged
   * caller, or `asOperator` says ChatService found the user to be a channel operator.
   */
  deleteMessage(
    channelUrl: string,
    targetSeq: number,
    by: { userId?: string; asOperator?: boolean },
  ): Promise<LogEntryRef | null>;
  markRead(channelUrl: string, userId: string, seq: number): Promise<UnreadResponse>;
  unread(channelUrl: string, userId: string): Promise<UnreadResponse>;
  readState(channelUrl: string): Promise<ReadStateResponse>;
  moderation(channelUrl: string): Promise<ModerationState>;
  ban(channelUrl: string, userIds: string[], seconds?: number): Promise<ModerationState>;
  unban(channelUrl: string, userId: string): Promise<ModerationState>;
  mute(channelUrl: string, userIds: string[], seconds?: number): Promise<ModerationState>;
  unmute(channelUrl: string, userId: string): Promise<ModerationState>;
  setFrozen(channelUrl: string, frozen: boolean): Promise<ModerationState>;
  addOperators(channelUrl: string, userIds: string[]): Promise<ModerationState>;
  removeOperators(channelUrl: string, userIds: string[]): Promise<ModerationState>;

  // @since 0.5 (issue #18). Who may do them is ChatService's; Sendbird answers UNSUPPORTED (501).

  /** The channel's messages holding every term of `q`, newest first (see SearchQuery). */
  searchMessages(channelUrl: string, query: SearchInput): Promise<SearchResponse>;
  /** Pins a live message; `created` false when it was pinned already. `userId` absent = privileged. */
  pinMessage(
    channelUrl: string,
    seq: number,
    by: { userId?: string },
  ): Promise<{ pin: Pin; created: boolean }>;
  /** Unpins; the pin as it was, or null when the message was not pinned. */
  unpinMessage(channelUrl: string, seq: number, by: { userId?: string }): Promise<Pin | null>;
  listPins(channelUrl: string): Promise<PinsResponse>;
}

/** @since 0.5 A search as ChatService passes it (validated: see SearchQuery). */
export interface SearchInput {
  q: string;
  limit: number;
  cursor?: string;
}
