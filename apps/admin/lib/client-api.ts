import { ApiError, apiErrorFrom } from "./api-error";
import type { Schema } from "./server-api";

export interface ClientRequest {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
}

/**
 * Browser → Next.js route handler (`/api/admin/*`, `/api/chat/*`), which adds the admin token.
 * Throws {@link ApiError}; `{error}` bodies keep their code, message and field.
 */
export async function callApi<T = unknown>(
  path: string,
  req: ClientRequest = {},
  schema?: Schema<T>,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: req.method ?? "GET",
      headers: req.body === undefined ? {} : { "Content-Type": "application/json" },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "ADMIN_UNREACHABLE", "the admin server cannot be reached");
  }
  const body: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw apiErrorFrom(res.status, body);
  if (!schema) return body as T;
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(502, "BAD_RESPONSE", `unexpected response from ${path}`);
  return parsed.data;
}

/** `/api/admin/...` path for an admin API path (`/channels/x`). */
export const adminPath = (path: string) => `/api/admin${path}`;
/** `/api/chat/...` path for a chat API path (`/channels/x/messages`). */
export const chatPath = (path: string) => `/api/chat${path}`;
/** A channel url as one path segment. */
export const seg = (value: string) => encodeURIComponent(value);
