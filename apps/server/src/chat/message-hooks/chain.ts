import { ErrorCode } from "@podchat/protocol";
import { ChatError } from "../../errors/chat-error.ts";
import { httpHook, type HttpHookDeps, type HttpHookOptions } from "./http-hook.ts";
import { type LinksOptions, linksHook } from "./links.ts";
import { type ProfanityOptions, profanityHook } from "./profanity.ts";
import type { HookInput, MessageHook } from "./types.ts";

/** One entry of `messages.hooks` (config-schema.ts). */
export type MessageHookConfig =
  | ({ kind: "profanity" } & ProfanityOptions)
  | ({ kind: "links" } & LinksOptions)
  | ({ kind: "http" } & HttpHookOptions);

function hookFromConfig(c: MessageHookConfig, deps: HttpHookDeps = {}): MessageHook {
  switch (c.kind) {
    case "profanity":
      return profanityHook(c);
    case "links":
      return linksHook(c);
    case "http":
      return httpHook(c, deps);
  }
}

/**
 * The pre-store chain: each hook sees the text the one before left, in order; the first reject
 * ends it (MESSAGE_REJECTED: nothing is stored, no seq is taken). Runs before the provider, so a
 * rewrite is what is stored, acknowledged and delivered.
 */
export class MessageHookChain {
  constructor(readonly hooks: MessageHook[]) {}

  /** The text to store; throws ChatError MESSAGE_REJECTED. */
  async run(input: HookInput): Promise<string> {
    let message = input.message;
    for (const h of this.hooks) {
      const v = await h.check({ ...input, message });
      if (v.action === "reject")
        throw new ChatError(ErrorCode.MESSAGE_REJECTED, `message rejected: ${v.reason}`, {
          status: 422,
          retryable: false,
        });
      if (v.action === "rewrite") message = v.message;
    }
    if (message.length === 0 && input.message.length > 0)
      throw new ChatError(ErrorCode.MESSAGE_REJECTED, "message rejected: a hook left it empty", {
        status: 422,
        retryable: false,
      });
    return message;
  }
}

/** The chain of the config, or undefined when there is none (the send path then does no work). */
export function createMessageHooks(
  configs: MessageHookConfig[],
  deps: HttpHookDeps = {},
): MessageHookChain | undefined {
  return configs.length === 0 ? undefined : new MessageHookChain(configs.map((c) => hookFromConfig(c, deps)));
}
