import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs (stdout, or `destination` — tests read what would be logged). Redacts
 * anything that may carry a secret.
 */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "podchat", ...base },
    redact: {
      paths: [
        "token",
        "*.token",
        "headers.authorization",
        "*.headers.authorization",
        'headers["x-api-key"]',
        "*.headers['x-api-key']",
        "password",
        "*.password",
        "secret",
        "*.secret",
        "api_token",
        "*.api_token",
        "access_token",
        "*.access_token",
        "api_key",
        "*.api_key",
        "api_keys",
        "*.api_keys",
        "private_key",
        "*.private_key",
        "vapid_private_key",
        "*.vapid_private_key",
      ],
      censor: "[redacted]",
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
