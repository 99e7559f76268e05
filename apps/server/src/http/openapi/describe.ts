import { ChannelUrl, ErrorBody, UserIdString } from "@podchat/protocol";
import { type DescribeRouteOptions, resolver } from "hono-openapi";
import * as z from "zod";
import type * as zm from "zod/mini";
import { requestRegistry, responseRegistry } from "./schemas.ts";

/**
 * Helpers for the `describeRoute({...})` each route carries. They only describe: nothing here runs
 * on a request (bodies are still parsed by `validate.ts`, and responses are never validated).
 */

type Schema = zm.ZodMiniType | z.ZodType;
type Parameter = NonNullable<DescribeRouteOptions["parameters"]>[number];
type Responses = NonNullable<DescribeRouteOptions["responses"]>;
type RequestBody = NonNullable<DescribeRouteOptions["requestBody"]>;

const asInput = { options: { io: "input", metadata: requestRegistry } };
const asOutput = { options: { io: "output", metadata: responseRegistry } };

type Security = Array<Record<string, string[]>>;
/** Any one of the named security schemes. */
const anyOf = (...schemes: Array<keyof typeof securitySchemes>): Security =>
  schemes.map((n) => ({ [n]: [] }));

/** Who may call, as OpenAPI security requirements. */
export const auth = {
  /** Public. */
  none: [] as Security,
  /** A backend's API key, or a user's JWT (a member acts on its own channels; an admin JWT anywhere). */
  chat: anyOf("apiKey", "bearer"),
  /** A user's JWT only (per-member state: read marks). */
  member: anyOf("bearer"),
  /** A backend's API key, or an admin JWT. */
  privileged: anyOf("apiKey", "adminSession"),
  /** An admin JWT (the session from `POST /api/v1/admin/login`). */
  admin: anyOf("adminSession"),
  /** An admin JWT, or the same token as `?access_token=` (EventSource cannot set headers). */
  adminStream: anyOf("adminSession", "adminSessionQuery"),
  /** A member's JWT (or `?token=` for `<img>` tags), or an API key. */
  download: anyOf("bearer", "tokenQuery", "apiKey"),
  /** @since 0.4 The metrics token (Prometheus' `authorization` credentials), when one is configured. */
  metrics: anyOf("metricsToken"),
};

/** The document's security schemes, named as in {@link auth}. */
export const securitySchemes = {
  apiKey: {
    type: "apiKey",
    in: "header",
    name: "X-Api-Key",
    description: "A backend's API key (auth.api_keys): may do anything on the chat API",
  },
  bearer: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A user's JWT (sub = user id); a JWT with the admin role acts as an admin",
  },
  adminSession: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "An admin JWT: the token POST /api/v1/admin/login returns, or any JWT with role admin",
  },
  adminSessionQuery: {
    type: "apiKey",
    in: "query",
    name: "access_token",
    description: "The admin JWT as a query parameter, for the SSE streams only",
  },
  tokenQuery: {
    type: "apiKey",
    in: "query",
    name: "token",
    description: "A user's JWT as a query parameter, for file downloads only (<img src>)",
  },
  metricsToken: {
    type: "http",
    scheme: "bearer",
    description: "observability.metrics_token (METRICS_TOKEN), for /metrics when it is set",
  },
} as const;

/** A JSON request body; its schema must be a named request component (see `schemas.ts`). */
export function jsonRequest(schema: Schema, description?: string): RequestBody {
  if (!requestRegistry.has(schema)) throw new Error("jsonRequest: register the body schema in schemas.ts");
  return {
    required: true,
    ...(description ? { description } : {}),
    content: { "application/json": { schema: resolver(schema, asInput) } },
  };
}

/** A JSON response of the given schema. */
export function jsonResponse(schema: Schema, description = "OK") {
  return { description, content: { "application/json": { schema: resolver(schema, asOutput) } } };
}

/** A response without a body (204). */
export const noContent = { description: "Done; no body" };

const errorSchema = resolver(ErrorBody, asOutput);

const ERROR_TEXT = {
  400: "VALIDATION_FAILED: the request is malformed; error.field names the field at fault",
  401: "UNAUTHORIZED: no credential, or one that is not valid",
  403: "FORBIDDEN or NOT_MEMBER: the caller may not do this",
  404: "NOT_FOUND or CHANNEL_NOT_FOUND",
  409: "Conflict",
  410: "Gone",
  413: "The body exceeds limits.rest_body_bytes",
  415: "Unsupported media type",
  429: "RATE_LIMITED: slow down (Retry-After)",
  501: "UNSUPPORTED: not available in this setup",
  502: "PROVIDER_ERROR: the channel's provider (Sendbird) failed",
  503: "STORE_UNAVAILABLE or DRAINING: retry later (error.retryable)",
} as const;
type ErrorStatus = keyof typeof ERROR_TEXT;

/**
 * The error responses of a route, all with the one error body `{error: {code, message, …}}`; 500
 * INTERNAL is always listed. A `[status, text]` pair says what that status means on this route.
 */
export function errors(...list: Array<ErrorStatus | readonly [ErrorStatus, string]>): Responses {
  const out: Responses = {};
  for (const item of [...list, [500, "INTERNAL: an unexpected error (logged)"] as const]) {
    const [status, text] = Array.isArray(item) ? item : [item, ERROR_TEXT[item as ErrorStatus]];
    out[String(status)] = { description: text, content: { "application/json": { schema: errorSchema } } };
  }
  return out;
}

function jsonSchemaOf(schema: Schema): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
}

function pathParam(name: string, schema: Record<string, unknown>, description: string): Parameter {
  return { name, in: "path", required: true, description, schema };
}

/** Path parameters, with the same rules the routes check. */
export const param = {
  channelUrl: pathParam("channel_url", jsonSchemaOf(ChannelUrl), "The channel's url"),
  userId: pathParam("user_id", jsonSchemaOf(UserIdString), "A user id"),
  seq: pathParam("seq", { type: "integer", minimum: 1 }, "The message's seq in its channel"),
  fileId: pathParam("id", { type: "string", format: "uuid" }, "The file id (the last segment of its url)"),
  env: pathParam("env", { type: "string", enum: ["dev", "stg", "prod"] }, "An environment"),
  jobId: pathParam("id", { type: "string" }, "A migration job id"),
  deliveryId: pathParam("id", { type: "integer", minimum: 1 }, "A webhook delivery id"),
  endpointId: pathParam("id", { type: "string" }, "A webhook endpoint id (webhooks.endpoints[].id)"),
};

/** The query parameters a (flat) protocol query schema accepts. */
export function queryParams(schema: Schema): Parameter[] {
  const js = jsonSchemaOf(schema) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: js.required?.includes(name) ?? false,
    schema: s,
  }));
}
