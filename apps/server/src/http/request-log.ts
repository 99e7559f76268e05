import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { pinoLogger } from "hono-pino";
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
 * One log line per request (`hono-pino` on the server's logger): `req_id`, `method`, `path`
 * (without the query, which may carry `?token=`), `status`, `ms`. Refusals and failures are worth a
 * line at the default level; successes only at debug.
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  return pinoLogger({
    pino: logger,
    http: {
      // `req_id` comes from hono/request-id below; these two keep hono-pino from adding its own.
      reqId: false,
      referRequestIdKey: "",
      onReqBindings: (c) => {
        // hono-pino's own timer rounds to whole milliseconds and names the field responseTime.
        c.set("startedAt", performance.now());
        return {};
      },
      responseTime: false,
      onResBindings: (c) => ({
        req_id: c.get("requestId"),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - (c.get("startedAt") as number)) * 10) / 10,
      }),
      onResLevel: (c) => (c.res.status >= 500 ? "warn" : c.res.status >= 400 ? "info" : "debug"),
      onResMessage: () => "request",
    },
  });
}
