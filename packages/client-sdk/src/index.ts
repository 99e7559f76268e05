export { backoffDelay, defaultReconnectPolicy, type ReconnectPolicy, reconnectDelay } from "./backoff.ts";
export { type ConnectOptions, PodchatChannel } from "./channel.ts";
export { createClient, PodchatClient } from "./client.ts";
export { ClientErrorCode, PodchatError, type PodchatErrorDetails } from "./errors.ts";
export type {
  ChannelEvents,
  ChannelStats,
  ChannelStatus,
  ClientOptions,
  ClientStats,
  FetchLike,
  GapEvent,
  HistoryOptions,
  OutboxItem,
  OutboxStatus,
  SendOptions,
  SendResult,
  WebSocketConstructor,
  WebSocketLike,
} from "./types.ts";
export { CloseCode, retryPolicyFor } from "@podchat/protocol";
export type {
  FileInfo,
  HistoryResponse,
  MessageFrame,
  TransportResponse,
  UserJoinedFrame,
  UserLeftFrame,
  WireUserId,
} from "@podchat/protocol";
