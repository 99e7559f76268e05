import pino, { type Logger } from "pino";

export type { Logger };

/** Structured JSON logs. Redacts anything that may carry a secret. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
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
      ],
      censor: "[redacted]",
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
