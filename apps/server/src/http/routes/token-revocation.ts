import { RevokeTokensResponse, UserIdString, wireUserId } from "@podchat/protocol";
import { Hono } from "hono";
import type { TokenVerifier } from "../../auth/token-verifier.ts";
import type { TokenRevocationService } from "../../chat/token-revocation-service.ts";
import { audit } from "../audit.ts";
import { validationError } from "../errors.ts";
import { auth, describeRoute, errors, jsonResponse, param } from "../openapi/index.ts";
import { type AppEnv, requirePrivileged } from "../principal.ts";
import { requireAdmin } from "./admin/admin-auth.ts";

/**
 * `POST /{user_id}/revoke-tokens`, mounted under `/api/v1/admin/users` (an admin session) and
 * `/api/v1/chat/users` (an API key or an admin token): every token of the user issued until now
 * is refused, and the user's live sockets are closed with 4401 on every instance.
 */
export function tokenRevocationRoutes(d: {
  revocation: TokenRevocationService;
  verifier: TokenVerifier;
  /** `admin`: an admin session only (the dashboard); `service`: an API key or an admin token. */
  caller: "admin" | "service";
}) {
  const app = new Hono<AppEnv>();
  app.post(
    "/:user_id/revoke-tokens",
    describeRoute({
      summary: "Revoke every token of a user issued until now; close their sockets on every instance",
      description:
        "Tokens whose `iat` is before the returned `revoked_at` (and tokens without `iat`, until they " +
        "can no longer be alive: auth.jwt.max_lifetime_s) are refused with 401 / close 4401 from now " +
        "on, on every instance; the user's live sockets are closed with 4401 (the SDK asks `getToken` " +
        "for a fresh token). Stored: it survives restarts. Your backend decides whether to mint a new one.",
      tags: [d.caller === "admin" ? "admin" : "users"],
      security: d.caller === "admin" ? auth.admin : auth.chat,
      parameters: [param.userId],
      responses: {
        200: jsonResponse(RevokeTokensResponse),
        ...errors(
          400,
          401,
          [403, d.caller === "admin" ? "FORBIDDEN: admins only" : "FORBIDDEN: an API key or an admin token"],
          503,
        ),
      },
    }),
    async (c) => {
      if (d.caller === "admin") await requireAdmin(c, d.verifier);
      else requirePrivileged(c);
      const r = UserIdString.safeParse(c.req.param("user_id"));
      if (!r.success) throw validationError(r.error, "user_id");
      const { revokedAt, closedHere } = await d.revocation.revoke(r.data);
      await audit(c, {
        action: "token.revoke",
        target: { user_id: r.data },
        after: { revoked_at: revokedAt },
      });
      const body: RevokeTokensResponse = {
        user_id: wireUserId(r.data),
        revoked_at: revokedAt,
        closed_here: closedHere,
      };
      return c.json(body);
    },
  );
  return app;
}
