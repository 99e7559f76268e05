import { ErrorCode } from "@podchat/protocol";
import type { Context } from "hono";
import type * as z from "zod/mini";
import { ChatError } from "../chat/chat-error.ts";
import { validationError } from "./errors.ts";
import { jsonProblem } from "./json-guard.ts";

/** Parses the JSON body with a protocol schema; 400 naming the field at fault. */
export async function jsonBody<S extends z.ZodMiniType>(c: Context, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ChatError(ErrorCode.VALIDATION_FAILED, "the body must be valid JSON", { status: 400 });
  }
  const problem = jsonProblem(raw, maxJsonDepth(c));
  if (problem) throw new ChatError(ErrorCode.VALIDATION_FAILED, problem, { status: 400 });
  const r = schema.safeParse(raw);
  if (!r.success) throw validationError(r.error);
  return r.data as z.output<S>;
}

/** The configured nesting limit (set on the context by the app), else the default. */
function maxJsonDepth(c: Context): number {
  const v = (c.get as (key: string) => unknown)("maxJsonDepth");
  return typeof v === "number" ? v : 32;
}

/** Parses the query string with a protocol schema. */
export function query<S extends z.ZodMiniType>(c: Context, schema: S): z.output<S> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) throw validationError(r.error);
  return r.data as z.output<S>;
}
