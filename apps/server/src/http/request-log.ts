import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../observability/logger.ts";

/** A caller's id is kept when it is a plain token (no spaces or control characters). */
const CALLER_ID = /^[\x21-\x7e]{1,100}$/;

/**
 * The `generator` of `hono/request-id`. That middleware keeps a caller's X-Request-Id only when it
 * is made of word characters, `-` and `=`; it calls this for any other, so an id with other
 * printable characters (`.`, `:`, `/` …) is still kept, and anything else gets a fresh UUID.
 */
export function callerOrFreshId(c: Context): string {
  const given = c.req.header("x-request-id");
  return given && CALLER_ID.test(given) ? given : randomUUID();
}

/**
 * One log line per request on the server's pino logger: `req_id` (from `hono/request-id`, which
 * must run first), `method`, `path` (without the query, which may carry `?token=`), `status`, `ms`.
 * Refusals and failures are worth a line at the default level; successes only at debug.
 *
 * Not `hono-pino`: it makes two child loggers per request (≈ 10 µs a request here, four times
 * this middleware, on every send and history read even when the line is not written) and repeats
 * the logger's base fields (`service`, `env`) in every line. Not Hono's `logger()`: it prints
 * strings with the query string in them, without the status to choose a level from.
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async function requestLog(c, next) {
    const start = performance.now();
    await next();
    const status = c.res.status;
    logger[status >= 500 ? "warn" : status >= 400 ? "info" : "debug"](
      {
        req_id: c.get("requestId"),
        method: c.req.method,
        path: c.req.path,
        status,
        ms: Math.round((performance.now() - start) * 10) / 10,
      },
      "request",
    );
  };
}
