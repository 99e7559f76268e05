import { ErrorCode } from "@podchat/protocol";
import { ChatError } from "../../errors/chat-error.ts";
import type { ChatProvider } from "../chat-provider.ts";

const unsupported = (what: string) =>
  Promise.reject(
    new ChatError(ErrorCode.UNSUPPORTED, `${what} is not supported on Sendbird channels`, { status: 501 }),
  );

/**
 * Features podchat has and this provider does not map (@since 0.5): Sendbird's SDKs have message
 * search and pinned messages, but the Platform API pages for them (endpoints, parameters, answers)
 * are not in the documentation this project follows, so nothing is guessed: each is UNSUPPORTED.
 */
export const sendbirdUnsupported: Pick<
  ChatProvider,
  "searchMessages" | "pinMessage" | "unpinMessage" | "listPins"
> = {
  searchMessages: () => unsupported("message search"),
  pinMessage: () => unsupported("pinning messages"),
  unpinMessage: () => unsupported("unpinning messages"),
  listPins: () => unsupported("pinned messages"),
};
