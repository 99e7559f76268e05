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
export { isRetryableStatus, PodchatApiError, PodchatEventsExpiredError } from "./errors.ts";
export type { ConsumeOptions, EventsApi, ListEventsInput } from "./events.ts";
export { type RouteName, routes } from "./routes.ts";
export type {
  Channel,
  EventsPage,
  FeedEvent,
  FileInfo,
  HistoryLogResponse,
  HistoryResponse,
  ListChannelsResponse,
  MessageFrame,
  ModerationState,
  ReadStateResponse,
  WireUserId,
} from "@podchat/protocol";
