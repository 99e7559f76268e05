export { createMessageHooks, type MessageHookConfig, MessageHookChain } from "./chain.ts";
export type { HookInput, HookVerdict, MessageHook } from "./types.ts";
export { WORD_LIST_LANGUAGES, WORD_LISTS } from "./word-lists.ts";
