import { ErrorCode } from "@podchat/protocol";
import { ChatError } from "../../errors/chat-error.ts";
import { SendbirdApiError, SendbirdErrorCode, isSendbirdApiError } from "./sendbird-api-error.ts";
import type { SendbirdService } from "./sendbird-service.ts";

export function unsupported(operation: string, why: string, field?: string): ChatError {
  return new ChatError(ErrorCode.UNSUPPORTED, `${operation} is not supported on Sendbird channels: ${why}`, {
    status: 501,
    ...(field ? { field } : {}),
  });
}

/** 400201 from a call on a channel that does exist: something inside it (a message, a user) is missing. */
async function missingInChannel(
  service: SendbirdService,
  channelUrl: string,
  error: unknown,
): Promise<boolean> {
  return (
    isSendbirdApiError(error, SendbirdErrorCode.RESOURCE_NOT_FOUND) &&
    (await channelExists(service, channelUrl))
  );
}

/** A call's error on a channel: 400201 is `code` when the channel exists (asked), else the channel is missing. */
async function errorInChannel(
  service: SendbirdService,
  channelUrl: string,
  error: unknown,
  code: ErrorCode,
  details: { status?: number; field?: string },
): Promise<ChatError> {
  if (isSendbirdApiError(error) && (await missingInChannel(service, channelUrl, error))) {
    return new ChatError(code, `Sendbird: ${error.message}`, { ...details, retryable: false, cause: error });
  }
  return toChatError(error, "channel");
}

/** 400201 on a message call: the channel or the message is missing. */
export function messageError(
  service: SendbirdService,
  channelUrl: string,
  error: unknown,
): Promise<ChatError> {
  return errorInChannel(service, channelUrl, error, ErrorCode.MESSAGE_NOT_FOUND, { status: 404 });
}

/** 400201 on a moderation write: the channel or a user is missing. */
export function moderationError(
  service: SendbirdService,
  channelUrl: string,
  error: unknown,
): Promise<ChatError> {
  return errorInChannel(service, channelUrl, error, ErrorCode.NOT_FOUND, { field: "user_ids" });
}

/** Lifting a ban or mute that is not there is a no-op in podchat; on Sendbird it is 400201. */
export async function ignoreNotFound(
  service: SendbirdService,
  channelUrl: string,
  call: () => Promise<void>,
): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (await missingInChannel(service, channelUrl, error)) return;
    throw error;
  }
}

export async function channelExists(service: SendbirdService, channelUrl: string): Promise<boolean> {
  try {
    await service.getGroupChannel(channelUrl, { showMember: false });
    return true;
  } catch (error) {
    if (isSendbirdApiError(error, SendbirdErrorCode.RESOURCE_NOT_FOUND)) return false;
    throw toChatError(error, "channel");
  }
}

export type Operation = "create" | "channel" | "list" | "send";

/** Sendbird failure → the `ChatError` podchat's edge understands, keeping the original as cause. */
export function toChatError(error: unknown, operation: Operation): ChatError {
  if (error instanceof ChatError) return error;
  if (!(error instanceof SendbirdApiError)) {
    return new ChatError(ErrorCode.PROVIDER_ERROR, "Sendbird call failed", {
      retryable: false,
      cause: error,
    });
  }
  const base = { cause: error, retryable: error.retryable };
  const message = `Sendbird: ${error.message}`;
  switch (error.code) {
    case SendbirdErrorCode.RESOURCE_NOT_FOUND:
      // On create the channel cannot be what is missing: a user is.
      return operation === "create"
        ? new ChatError(ErrorCode.NOT_FOUND, message, { ...base, field: "user_ids" })
        : new ChatError(ErrorCode.CHANNEL_NOT_FOUND, message, base);
    case SendbirdErrorCode.RESOURCE_ALREADY_EXISTS:
      return new ChatError(
        operation === "create" ? ErrorCode.CHANNEL_EXISTS : ErrorCode.PROVIDER_ERROR,
        message,
        operation === "create" ? { ...base, field: "channel_url" } : base,
      );
    case SendbirdErrorCode.BANNED_USER:
      return new ChatError(ErrorCode.BANNED, message, {
        ...base,
        status: 403,
        ...(operation === "send" ? {} : { field: "user_ids" }),
      });
    case SendbirdErrorCode.UNAUTHORIZED_REQUEST:
      if (operation === "send")
        return new ChatError(ErrorCode.NOT_MEMBER, message, { ...base, field: "user_id" });
      break;
  }
  // 4001xx: the request was invalid for Sendbird (e.g. a channel_url Sendbird does not accept).
  if (error.status === 400 && error.code >= 400100 && error.code < 400200) {
    const field = fieldOf(error.message);
    return new ChatError(ErrorCode.VALIDATION_FAILED, message, field ? { ...base, field } : base);
  }
  return new ChatError(ErrorCode.PROVIDER_ERROR, message, {
    ...base,
    // A rate limit stays a 429 so callers back off (with Retry-After) instead of treating it as an outage.
    ...(error.kind === "timeout" ? { status: 504 } : error.rateLimited ? { status: 429 } : {}),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  });
}

/** Sendbird names the parameter in quotes (`Invalid value: "channel_url".`); the first such name. */
function fieldOf(message: string): string | undefined {
  return /"([A-Za-z_][A-Za-z0-9_.[\]]*)"/.exec(message)?.[1];
}
