import type { NextRequest } from "next/server";
import { ApiError } from "./api-error";
import { serverFetch } from "./server-api";
import { getSessionToken } from "./session";

export interface ProxyContext {
  params: Promise<{ path: string[] }>;
}

const passHeaders = ["content-type", "cache-control", "location", "content-disposition"];

/**
 * Forwards a browser request to `{prefix}/{path}` on the podchat server with the session's admin
 * token. Bodies stream back unchanged, so Server-Sent Events pass through too.
 */
export async function forward(prefix: string, req: NextRequest, ctx: ProxyContext): Promise<Response> {
  const token = await getSessionToken();
  if (!token) return errorJson(new ApiError(401, "UNAUTHORIZED", "sign in to the admin first"));
  const { path } = await ctx.params;
  const target = `${prefix}/${path.map(encodeURIComponent).join("/")}${req.nextUrl.search}`;
  const hasBody = req.method !== "GET" && req.method !== "DELETE" && req.method !== "HEAD";
  let body: unknown;
  if (hasBody) {
    const text = await req.text();
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return errorJson(new ApiError(400, "VALIDATION_FAILED", "the request body is not JSON"));
    }
  }
  let upstream: Response;
  try {
    upstream = await serverFetch(target, { method: req.method, body, token, signal: req.signal });
  } catch (error) {
    if (error instanceof ApiError) return errorJson(error);
    return new Response(null, { status: 499 });
  }
  const headers = new Headers();
  for (const name of passHeaders) {
    const value = upstream.headers.get(name);
    if (value) headers.set(name, value);
  }
  if (headers.get("content-type")?.startsWith("text/event-stream")) {
    headers.set("cache-control", "no-cache, no-transform");
    headers.set("x-accel-buffering", "no");
  }
  return new Response(upstream.body, { status: upstream.status, headers });
}

function errorJson(error: ApiError): Response {
  return Response.json({ error: { code: error.code, message: error.message } }, { status: error.status });
}
