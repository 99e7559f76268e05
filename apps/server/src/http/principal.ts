import { createHash, timingSafeEqual } from "node:crypto";
import { ErrorCode } from "@podchat/protocol";
import type { Context, MiddlewareHandler } from "hono";
import { AuthError, type TokenVerifier } from "../auth/token-verifier.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { ChatError } from "../chat/chat-error.ts";

/** Who is calling: a backend with an API key, a user with a JWT, or an admin. */
export type Principal =
  /** `keyId` (@since 0.4): `sha256:` + 12 hex digits of the key, for the audit log; never the key. */
  | { kind: "service"; keyId: string }
  | { kind: "user"; userId: string; isAdmin: boolean }
  | { kind: "anonymous" };

export type AppEnv = {
  /** `maxJsonDepth` = limits.max_json_depth, for body validation; `audit` (@since 0.4) see http/audit.ts. */
  Variables: { principal: Principal; requestId: string; maxJsonDepth: number; audit: AuditLog };
};

/** The fingerprint of an API key that names it in the audit log. */
function apiKeyId(key: string): string {
  return `sha256:${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Resolves the caller from `X-Api-Key` or `Authorization: Bearer <jwt>`; a bad credential is a 401. */
export function principalMiddleware(options: {
  apiKeys: string[];
  verifier: TokenVerifier;
}): MiddlewareHandler<AppEnv> {
  return async function principal(c, next) {
    const key = c.req.header("x-api-key");
    const auth = c.req.header("authorization");
    if (key !== undefined) {
      if (!options.apiKeys.some((k) => safeEqual(k, key))) {
        throw new ChatError(ErrorCode.UNAUTHORIZED, "the API key is not valid");
      }
      c.set("principal", { kind: "service", keyId: apiKeyId(key) });
    } else if (auth !== undefined) {
      const m = /^Bearer\s+(.+)$/i.exec(auth);
      if (!m) throw new ChatError(ErrorCode.UNAUTHORIZED, "Authorization must be 'Bearer <token>'");
      try {
        const v = await options.verifier.verify(m[1]);
        c.set("principal", { kind: "user", userId: v.userId, isAdmin: v.isAdmin });
      } catch (e) {
        if (e instanceof AuthError) throw new ChatError(ErrorCode.UNAUTHORIZED, e.message);
        throw e;
      }
    } else {
      c.set("principal", { kind: "anonymous" });
    }
    await next();
  };
}

/** Backends (API key) and admins may do anything on the chat API. */
export function isPrivileged(p: Principal): boolean {
  return p.kind === "service" || (p.kind === "user" && p.isAdmin);
}

export function requirePrivileged(c: Context<AppEnv>): void {
  const p = c.get("principal");
  if (p.kind === "anonymous")
    throw new ChatError(ErrorCode.UNAUTHORIZED, "an API key (X-Api-Key) or a bearer token is required");
  if (!isPrivileged(p))
    throw new ChatError(ErrorCode.FORBIDDEN, "this operation needs an API key or an admin token");
}

/** The calling user's id, or null for privileged callers; 401 for anonymous callers. */
export function requireUserOrPrivileged(c: Context<AppEnv>): string | null {
  const p = c.get("principal");
  if (p.kind === "anonymous")
    throw new ChatError(ErrorCode.UNAUTHORIZED, "an API key (X-Api-Key) or a bearer token is required");
  return isPrivileged(p) ? null : (p as { userId: string }).userId;
}
