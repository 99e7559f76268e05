import { SignJWT } from "jose";
import type { Config } from "../config/index.ts";
import { CliError } from "./cli-error.ts";

export interface MintedToken {
  token: string;
  expiresAt: Date;
}

/**
 * A user token signed with the config's HS256 secret, with the claims the server checks: sub, iat,
 * exp, and iss/aud when configured. Refuses a lifetime the server would refuse.
 */
export async function mintUserToken(config: Config, userId: string, ttlS: number): Promise<MintedToken> {
  const { jwt } = config.auth;
  if (!jwt.secret) {
    throw new CliError(
      "the config has no auth.jwt.secret (JWT_SECRET); with JWKS (auth.jwt.jwks_url) your identity provider mints the tokens",
    );
  }
  if (userId.length === 0 || userId.length > 64) throw new CliError("user_id must be 1–64 characters");
  if (ttlS > jwt.max_lifetime_s) {
    throw new CliError(
      `--ttl ${ttlS}s exceeds auth.jwt.max_lifetime_s (${jwt.max_lifetime_s}s): the server would refuse the token`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  let t = new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuedAt(now);
  t = t.setExpirationTime(now + ttlS);
  if (jwt.issuer) t = t.setIssuer(jwt.issuer);
  if (jwt.audience) t = t.setAudience(jwt.audience);
  return {
    token: await t.sign(new TextEncoder().encode(jwt.secret)),
    expiresAt: new Date((now + ttlS) * 1000),
  };
}
