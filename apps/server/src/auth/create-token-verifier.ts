import type { Config } from "../config/index.ts";
import { createTokenVerifier, type TokenVerifier } from "./token-verifier.ts";

/** The token verifier the config describes: key (secret or JWKS), iss/aud, and the lifetime policy. */
export function createTokenVerifierFromConfig(config: Config): TokenVerifier {
  const { jwt } = config.auth;
  return createTokenVerifier({
    ...(jwt.secret ? { secret: jwt.secret } : {}),
    ...(jwt.jwks_url ? { jwksUrl: jwt.jwks_url } : {}),
    ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
    ...(jwt.audience ? { audience: jwt.audience } : {}),
    clockToleranceS: jwt.clock_tolerance_s,
    maxLifetimeS: jwt.max_lifetime_s,
    // loadConfig resolves the per-env default; a config built by hand gets the same rule.
    requireExp: jwt.require_exp ?? config.env !== "dev",
  });
}
