export { applyChange } from "./apply.ts";
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
  EditOptions,
  FetchLike,
  GapEvent,
  HistoryOptions,
  LogEntry,
  OutboxItem,
  OutboxStatus,
  SendFileOptions,
  SendOptions,
  SendResult,
  UploadOptions,
  WebSocketConstructor,
  WebSocketLike,
} from "./types.ts";
export { CloseCode, retryPolicyFor } from "@podchat/protocol";
export type {
  FileInfo,
  HistoryResponse,
  MessageDeletedFrame,
  MessageFrame,
  MessageUpdatedFrame,
  ModerationAction,
  ModerationFrame,
  ModerationState,
  ReadReceiptFrame,
  ReadStateResponse,
  TransportResponse,
  TypingFrame,
  UnreadResponse,
  UserJoinedFrame,
  UserLeftFrame,
  WireUserId,
} from "@podchat/protocol";
