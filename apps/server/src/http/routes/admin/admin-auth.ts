import { timingSafeEqual } from "node:crypto";
import { AdminLoginBody, AdminLoginResponse, ErrorCode } from "@podchat/protocol";
import type { Context } from "hono";
import { Hono } from "hono";
import { SignJWT } from "jose";
import { AuthError, type TokenVerifier } from "../../../auth/token-verifier.ts";
import { ChatError } from "../../../chat/chat-error.ts";
import type { Config } from "../../../config/index.ts";
import type { AppEnv } from "../../principal.ts";
import { auth, describeRoute, errors, jsonRequest, jsonResponse } from "../../openapi/index.ts";
import { jsonBody } from "../../validate.ts";
import { audit, ipOf } from "../../audit.ts";
import { LoginLimiter } from "./login-limiter.ts";

function same(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Signs podchat-issued tokens (admin sessions, playground user tokens) with the HS256 secret. */
export function tokenSigner(config: Config) {
  const secret = config.auth.jwt.secret ? new TextEncoder().encode(config.auth.jwt.secret) : null;
  return async (sub: string, ttlS: number, claims: Record<string, unknown> = {}) => {
    if (!secret) {
      throw new ChatError(
        ErrorCode.UNSUPPORTED,
        "podchat cannot issue tokens without auth.jwt.secret (JWKS-only setup)",
        { status: 501 },
      );
    }
    const exp = Math.floor(Date.now() / 1000) + ttlS;
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(exp);
    if (config.auth.jwt.issuer) jwt = jwt.setIssuer(config.auth.jwt.issuer);
    if (config.auth.jwt.audience) jwt = jwt.setAudience(config.auth.jwt.audience);
    return { token: await jwt.sign(secret), expires_at: new Date(exp * 1000).toISOString() };
  };
}

/** `POST /api/v1/admin/login`: the configured admin credential → an admin session token. */
export function loginRoute(config: Config) {
  const sign = tokenSigner(config);
  const { login_max_failures, login_window_s } = config.auth.admin;
  const limiter = new LoginLimiter(login_max_failures, login_window_s * 1000);
  const app = new Hono<AppEnv>();
  app.post(
    "/login",
    describeRoute({
      summary: "Sign in with the configured admin credential (auth.admin); answers an admin session token",
      description: `After auth.admin.login_max_failures failed sign-ins (default 5) within auth.admin.login_window_s (default 60 s) from one IP or for one username, further attempts get 429 with Retry-After. Sign-ins and failed sign-ins are audited.`,
      tags: ["admin-auth"],
      security: auth.none,
      requestBody: jsonRequest(AdminLoginBody),
      responses: {
        200: jsonResponse(
          AdminLoginResponse,
          "The session: a JWT with the admin role, valid auth.admin.session_ttl_s",
        ),
        ...errors(
          400,
          [401, "UNAUTHORIZED: wrong username or password"],
          413,
          [429, "RATE_LIMITED: too many failed sign-ins; see Retry-After"],
          [501, "UNSUPPORTED: no auth.jwt.secret to sign with (JWKS-only setup)"],
        ),
      },
    }),
    async (c) => {
      const body = await jsonBody(c, AdminLoginBody);
      const ip = ipOf(c) ?? "unknown";
      const keys = [`ip:${ip}`, `user:${body.username}`];
      const wait = limiter.retryAfterS(keys);
      if (wait > 0) {
        throw new ChatError(ErrorCode.RATE_LIMITED, `too many failed sign-ins; try again in ${wait} s`, {
          retryAfterMs: wait * 1000,
        });
      }
      const { username, password } = config.auth.admin;
      if (!password || !same(body.username, username) || !same(body.password, password)) {
        limiter.fail(keys);
        // The name tried, never the password.
        await audit(c, { action: "admin.login_failed", actor: { kind: "admin", id: body.username } });
        throw new ChatError(ErrorCode.UNAUTHORIZED, "wrong username or password");
      }
      const { token, expires_at } = await sign(`admin:${username}`, config.auth.admin.session_ttl_s, {
        role: "admin",
      });
      await audit(c, {
        action: "admin.login",
        actor: { kind: "admin", id: username },
        after: { expires_at },
      });
      const out: AdminLoginResponse = { token, expires_at, username };
      return c.json(out);
    },
  );
  return app;
}

/**
 * Only admins: a JWT with the admin role. SSE endpoints may pass it as `?access_token=` since
 * EventSource cannot set headers. Returns the actor name for the audit trail.
 */
export async function requireAdmin(
  c: Context<AppEnv>,
  verifier: TokenVerifier,
  allowQueryToken = false,
): Promise<string> {
  let p = c.get("principal");
  const q = allowQueryToken ? c.req.query("access_token") : undefined;
  if (p.kind === "anonymous" && q) {
    try {
      const v = await verifier.verify(q);
      p = { kind: "user", userId: v.userId, isAdmin: v.isAdmin };
    } catch (e) {
      if (e instanceof AuthError) throw new ChatError(ErrorCode.UNAUTHORIZED, e.message);
      throw e;
    }
  }
  if (p.kind === "anonymous") throw new ChatError(ErrorCode.UNAUTHORIZED, "sign in as an admin first");
  if (p.kind !== "user" || !p.isAdmin) throw new ChatError(ErrorCode.FORBIDDEN, "admins only");
  return p.userId;
}
