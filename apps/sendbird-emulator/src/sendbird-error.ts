/**
 * Sendbird Chat Platform API v3 error codes the emulator answers with, as documented on
 * https://sendbird.com/docs/chat/v3/platform-api/error-codes (and the SDKs' server error enums).
 */
export const SendbirdErrorCode = {
  /** Parameter should be a string. */
  UNEXPECTED_TYPE_STRING: 400100,
  UNEXPECTED_TYPE_NUMBER: 400101,
  UNEXPECTED_TYPE_LIST: 400102,
  UNEXPECTED_TYPE_JSON: 400103,
  UNEXPECTED_TYPE_BOOLEAN: 400104,
  MISSING_REQUIRED_PARAMETER: 400105,
  UNAUTHORIZED_REQUEST: 400108,
  PARAMETER_VALUE_LENGTH_EXCEEDED: 400110,
  INVALID_VALUE: 400111,
  RESOURCE_NOT_FOUND: 400201,
  RESOURCE_ALREADY_EXISTS: 400202,
  INVALID_API_TOKEN: 400401,
  /** "BannedUser.EnterChannelNotAllowed": the user is banned from the channel. */
  BANNED_USER_ENTER_CHANNEL_NOT_ALLOWED: 400750,
  INVALID_JSON_BODY: 400403,
  INVALID_REQUEST_URL: 400404,
  INTERNAL_SERVER_ERROR: 500901,
  RATE_LIMIT_EXCEEDED: 500910,
} as const;

/** Sendbird's error body: `{ "error": true, "code": 400201, "message": "..." }`. */
export interface SendbirdErrorBody {
  error: true;
  code: number;
  message: string;
}

/** Thrown inside route handlers; the app's error handler turns it into Sendbird's error body. */
export class EmulatorHttpError extends Error {
  readonly status: number;
  readonly code: number;
  readonly headers: Record<string, string>;

  constructor(status: number, code: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "EmulatorHttpError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  toBody(): SendbirdErrorBody {
    return { error: true, code: this.code, message: this.message };
  }
}

export function notFound(what: string): EmulatorHttpError {
  return new EmulatorHttpError(400, SendbirdErrorCode.RESOURCE_NOT_FOUND, `"${what}" not found.`);
}

export function invalidValue(field: string): EmulatorHttpError {
  return new EmulatorHttpError(400, SendbirdErrorCode.INVALID_VALUE, `Invalid value: "${field}".`);
}

/** The default message of a code the emulator fails with on demand (fault injection). */
export function defaultMessageFor(code: number): string {
  switch (code) {
    case SendbirdErrorCode.RATE_LIMIT_EXCEEDED:
      return "Too many requests.";
    case SendbirdErrorCode.INTERNAL_SERVER_ERROR:
      return "Internal server error.";
    case SendbirdErrorCode.INVALID_API_TOKEN:
      return 'Invalid value: "Api-Token".';
    default:
      return "Emulated failure.";
  }
}
