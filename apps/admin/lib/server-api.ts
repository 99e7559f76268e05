import { redirect } from "next/navigation";
import { ApiError, apiErrorFrom, unreachableError } from "./api-error";
import { env } from "./env";
import { getSessionToken } from "./session";

/** A protocol schema: anything with zod's `safeParse`. */
export interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

export interface ServerRequest {
  method?: string;
  body?: unknown;
  /** Defaults to the session cookie's admin token; `null` sends none. */
  token?: string | null;
  signal?: AbortSignal;
}

/** Calls the podchat server from the Next.js server. A failed connection becomes SERVER_UNREACHABLE. */
export async function serverFetch(path: string, req: ServerRequest = {}): Promise<Response> {
  const token = req.token === undefined ? await getSessionToken() : req.token;
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (req.body !== undefined) headers["Content-Type"] = "application/json";
  try {
    return await fetch(`${env.serverUrl}${path}`, {
      method: req.method ?? "GET",
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      cache: "no-store",
      signal: req.signal,
    });
  } catch (error) {
    if (req.signal?.aborted) throw error;
    throw unreachableError();
  }
}

/** Like {@link serverFetch}, then turns `{error}` bodies into {@link ApiError} and validates the rest. */
export async function serverJson<T>(
  path: string,
  schema: Schema<T> | null,
  req: ServerRequest = {},
): Promise<T> {
  const res = await serverFetch(path, req);
  const body: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw apiErrorFrom(res.status, body);
  if (!schema) return body as T;
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new ApiError(502, "BAD_RESPONSE", `unexpected response from ${path}: ${parsed.error.message}`);
  return parsed.data;
}

/** For Server Components: an expired or missing session sends the admin back to sign-in. */
export async function loadForPage<T>(
  load: () => Promise<T>,
): Promise<{ data: T; error: null } | { data: null; error: ApiError }> {
  try {
    return { data: await load(), error: null };
  } catch (error) {
    if (error instanceof ApiError) {
      if (error.status === 401) redirect("/login?expired=1");
      return { data: null, error };
    }
    throw error;
  }
}
