export { loadConfig, ConfigError, type Config } from "./config/index.ts";
export { createPodchatServer, type PodchatServer, type PodchatServerOptions } from "./server.ts";
export { ChatService, type CreateGroupChannelInput, type SendMessageInput } from "./chat/chat-service.ts";
export { ChatError } from "./errors/chat-error.ts";
export type { ChatProvider } from "./providers/chat-provider.ts";
export type { MessageStore } from "./store/message-store.ts";
export type { Bus } from "./bus/bus.ts";
export { signWebhook, verifyWebhook } from "./webhooks/signature.ts";
