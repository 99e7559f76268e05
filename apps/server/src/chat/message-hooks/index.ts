export { createMessageHooks, type MessageHookConfig, MessageHookChain } from "./chain.ts";
export type { HookInput, HookVerdict, MessageHook } from "./types.ts";
