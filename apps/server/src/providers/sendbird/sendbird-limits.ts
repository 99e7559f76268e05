import { ErrorCode } from "@podchat/protocol";
import { ChatError } from "../../errors/chat-error.ts";

/**
 * What Sendbird accepts, where it is stricter than podchat's protocol (`Limits` in
 * packages/protocol). Checked before calling Sendbird, so a request fails at once with the field
 * named instead of as Sendbird's bare 4001xx. Lengths are counted as JavaScript does (UTF-16 code
 * units), the stricter reading where the docs say "characters".
 */
export const sendbirdLimits = {
  /** "numbers, letters, underscores, or hyphens ... between 4 and 100 characters" (Create a channel). */
  channelUrlPattern: /^[A-Za-z0-9_-]{4,100}$/,
  channelUrlMin: 4,
  channelUrlMax: 100,
  /** Group channel `name` (Create / Update a group channel). */
  nameMax: 191,
  /** Text of a user or admin message (Send a message). */
  messageMax: 5_000,
} as const;

function invalid(field: string, why: string): ChatError {
  return new ChatError(ErrorCode.VALIDATION_FAILED, `${field} ${why} on Sendbird channels`, {
    status: 400,
    field,
  });
}

export function assertSendbirdChannelUrl(channelUrl: string): void {
  if (!sendbirdLimits.channelUrlPattern.test(channelUrl)) {
    throw invalid(
      "channel_url",
      `must be ${sendbirdLimits.channelUrlMin} to ${sendbirdLimits.channelUrlMax} letters, digits, '_' or '-'`,
    );
  }
}

export function assertSendbirdName(name: string | undefined): void {
  if (name !== undefined && name.length > sendbirdLimits.nameMax) {
    throw invalid("name", `may have at most ${sendbirdLimits.nameMax} characters`);
  }
}

export function assertSendbirdMessage(message: string | undefined): void {
  if (message !== undefined && message.length > sendbirdLimits.messageMax) {
    throw invalid("message", `may have at most ${sendbirdLimits.messageMax} characters`);
  }
}
