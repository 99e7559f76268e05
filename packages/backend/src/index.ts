export {
  type AdminCredential,
  type CreateGroupChannelInput,
  createPodchatBackend,
  type EditMessageInput,
  type ListChannelsInput,
  type ListMessagesInput,
  type MintUserTokenInput,
  PodchatBackend,
  type PodchatBackendOptions,
  type SendAdminMessageInput,
  type SendMessageInput,
  type SentMessage,
  type UpdateChannelInput,
  type UserToken,
} from "./client.ts";
export { isRetryableStatus, PodchatApiError } from "./errors.ts";
export { type RouteName, routes } from "./routes.ts";
export type {
  Channel,
  FileInfo,
  HistoryLogResponse,
  HistoryResponse,
  ListChannelsResponse,
  MessageFrame,
  ModerationState,
  ReadStateResponse,
  WireUserId,
} from "@podchat/protocol";
