import type {
  Channel,
  CreateChannelBody,
  HistoryQuery,
  HistoryResponse,
  ListChannelsQuery,
  ListChannelsResponse,
  MessageFrame,
  ProviderName,
  SendMessageBody,
  UpdateChannelBody,
} from "@podchat/protocol";

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
export interface ChatProvider {
  readonly name: ProviderName;
  createChannel(input: CreateChannelBody): Promise<Channel>;
  /** With `members`. Null when the channel does not exist on this provider. */
  getChannel(channelUrl: string): Promise<Channel | null>;
  listChannels(query: ListChannelsQuery): Promise<ListChannelsResponse>;
  updateChannel(channelUrl: string, patch: UpdateChannelBody): Promise<Channel>;
  deleteChannel(channelUrl: string): Promise<void>;
  addMembers(channelUrl: string, userIds: string[]): Promise<Channel>;
  removeMembers(channelUrl: string, userIds: string[]): Promise<Channel>;
  listMembers(channelUrl: string): Promise<string[]>;
  sendMessage(channelUrl: string, body: SendMessageBody): Promise<SentMessage>;
  listMessages(channelUrl: string, query: HistoryQuery): Promise<HistoryResponse>;
}
