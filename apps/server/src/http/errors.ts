import { type ErrorBody, ErrorCode } from "@podchat/protocol";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { core } from "zod";
import { ChatError } from "../chat/chat-error.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import { StoreError } from "../store/message-store.ts";

/** A zod failure as the one error type, naming the first field at fault. */
export function validationError(error: { issues: readonly core.$ZodIssue[] }, prefix = ""): ChatError {
  const issue = error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join(".");
  const message = issue ? `${field ? `${field}: ` : ""}${issue.message}` : "invalid request";
  return new ChatError(ErrorCode.VALIDATION_FAILED, message, {
    status: 400,
    ...(field ? { field } : {}),
  });
}

/** Maps anything thrown by a route to the error body; never leaks internals. */
export function errorResponse(c: Context, err: unknown, logger: Logger, metrics: Metrics) {
  let e: ChatError;
  if (err instanceof ChatError) e = err;
  else if (err instanceof StoreError && err.code === "INVALID_DATA")
    e = new ChatError(ErrorCode.VALIDATION_FAILED, err.message, { cause: err });
  else if (err instanceof StoreError)
    e = new ChatError(err.code, err.message, { retryable: err.retryable, cause: err });
  else {
    logger.error({ err, path: c.req.path }, "unhandled error");
    e = new ChatError(ErrorCode.INTERNAL, "internal error", { status: 500 });
  }
  metrics.errors.inc({ code: e.code });
  const body: ErrorBody = {
    error: { ...e.extra, code: e.code, message: e.message, retryable: e.retryable },
  };
  if (e.field) body.error.field = e.field;
  if (e.retryAfterMs !== undefined) c.header("Retry-After", String(Math.ceil(e.retryAfterMs / 1000)));
  return c.json(body, e.status as ContentfulStatusCode);
}
