import { createVerifier, TokenError } from "fast-jwt";
import { type JWTPayload, type JWTVerifyGetKey, createRemoteJWKSet, errors, jwtVerify } from "jose";

export interface VerifiedToken {
  userId: string;
  claims: JWTPayload;
  /** True when the token carries the admin role (`role: "admin"` or `roles` containing it). */
  isAdmin: boolean;
}

export type AuthFailure =
  | "missing"
  | "malformed"
  | "expired"
  | "not_yet_valid"
  | "invalid_claims"
  | "bad_signature"
  /** @since 0.4 Issued before the user's tokens were revoked. */
  | "revoked";

export class AuthError extends Error {
  constructor(
    readonly reason: AuthFailure,
    message: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

export interface TokenVerifierOptions {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  clockToleranceS?: number;
  /**
   * Longest lifetime accepted: `exp - iat`, or `exp - now` for a token without `iat`. Longer-lived
   * tokens are refused, so a leaked token is useful for a bounded time. Default 7 days.
   */
  maxLifetimeS?: number;
  /** Refuse tokens without `exp` (they would never expire). Default true. */
  requireExp?: boolean;
}

/** 7 days: the default of `auth.jwt.max_lifetime_s`. */
const DEFAULT_MAX_TOKEN_LIFETIME_S = 7 * 24 * 3600;

export interface TokenVerifier {
  verify(token: string | undefined | null): Promise<VerifiedToken>;
}

/**
 * Verifies user JWTs: HS256 with a shared secret, or any asymmetric algorithm from a JWKS URL.
 * `sub` is the user id. `exp`/`nbf` are always checked when present, `iss`/`aud` when configured.
 * The lifetime policy (required `exp`, maximum `exp - iat`, no `iat` in the future) is the same for
 * both key kinds. Messages say what is wrong without echoing the token or the key.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const clockToleranceS = options.clockToleranceS ?? 5;
  const maxLifetimeS = options.maxLifetimeS ?? DEFAULT_MAX_TOKEN_LIFETIME_S;
  const requireExp = options.requireExp ?? true;
  // HS256 goes through fast-jwt (node:crypto HMAC, synchronous, a cache of verified tokens): jose
  // verifies through WebCrypto, ≈ 20 % of the CPU of a 10,000-socket connection ramp in the bench.
  // The cache keeps a token's claims at most until its exp; refused tokens are never cached.
  const hs256 = options.secret
    ? createVerifier({
        key: options.secret,
        algorithms: ["HS256"],
        clockTolerance: clockToleranceS * 1000,
        cache: 10_000,
        ...(options.issuer ? { allowedIss: options.issuer } : {}),
        ...(options.audience ? { allowedAud: options.audience } : {}),
        requiredClaims: [...(options.issuer ? ["iss"] : []), ...(options.audience ? ["aud"] : [])],
      })
    : undefined;
  // Asymmetric keys from an identity provider's JWKS: jose fetches, caches and rotates the set.
  const jwks: JWTVerifyGetKey | undefined = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl))
    : undefined;
  const jwksAlgorithms = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"];

  return {
    async verify(token) {
      if (!token) throw new AuthError("missing", "a token is required");
      if (token.length > 8192 || token.split(".").length !== 3)
        throw new AuthError("malformed", "the token is malformed");
      let payload: JWTPayload;
      try {
        if (jwks) {
          const result = await jwtVerify(token, jwks, {
            algorithms: jwksAlgorithms,
            clockTolerance: clockToleranceS,
            ...(options.issuer ? { issuer: options.issuer } : {}),
            ...(options.audience ? { audience: options.audience } : {}),
          });
          payload = result.payload;
        } else if (hs256) {
          payload = hs256(token) as JWTPayload;
        } else {
          throw new AuthError("bad_signature", "no token key is configured");
        }
      } catch (e) {
        throw toAuthError(e);
      }
      checkLifetime(payload, { maxLifetimeS, requireExp, clockToleranceS });
      const sub = payload.sub;
      if (typeof sub !== "string" || sub.length === 0 || sub.length > 64) {
        throw new AuthError("invalid_claims", "the token has no valid sub (user id)");
      }
      const roles = Array.isArray(payload.roles) ? payload.roles : [];
      return { userId: sub, claims: payload, isAdmin: payload.role === "admin" || roles.includes("admin") };
    },
  };
}

/** Durations in messages: "7d", "8d 1h", "2h 30m", "45s". */
function duration(total: number): string {
  const parts: string[] = [];
  let rest = total;
  for (const [unit, n] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= n) parts.push(`${Math.floor(rest / n)}${unit}`);
    rest %= n;
  }
  return parts.join(" ") || "0s";
}

/**
 * The lifetime policy, after the signature and exp/nbf are verified (fast-jwt and jose check that a
 * present exp is a number; iat is checked here).
 */
function checkLifetime(
  payload: JWTPayload,
  policy: { maxLifetimeS: number; requireExp: boolean; clockToleranceS: number },
): void {
  const now = Math.floor(Date.now() / 1000);
  const { exp, iat } = payload;
  if (iat !== undefined) {
    if (typeof iat !== "number" || !Number.isFinite(iat))
      throw new AuthError("invalid_claims", "the token's iat claim is not accepted");
    if (iat > now + policy.clockToleranceS)
      throw new AuthError("invalid_claims", "the token's iat (issued at) is in the future");
  }
  if (exp === undefined) {
    if (policy.requireExp)
      throw new AuthError("invalid_claims", "the token has no exp (expiry); tokens must expire");
    return;
  }
  if (typeof exp !== "number" || !Number.isFinite(exp))
    throw new AuthError("invalid_claims", "the token's exp claim is not accepted");
  const lifetime = exp - (iat ?? now);
  if (lifetime > policy.maxLifetimeS) {
    throw new AuthError(
      "invalid_claims",
      `the token's lifetime (exp - ${iat === undefined ? "now" : "iat"} = ${duration(Math.ceil(lifetime))}) ` +
        `exceeds the maximum of ${duration(policy.maxLifetimeS)}`,
    );
  }
}

function toAuthError(e: unknown): AuthError {
  if (e instanceof AuthError) return e;
  if (e instanceof TokenError) return fromFastJwt(e);
  if (e instanceof errors.JWTExpired) return new AuthError("expired", "the token has expired");
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === "nbf") return new AuthError("not_yet_valid", "the token is not valid yet");
    return new AuthError("invalid_claims", `the token's ${e.claim} claim is not accepted`);
  }
  if (e instanceof errors.JWSSignatureVerificationFailed)
    return new AuthError("bad_signature", "the token signature is invalid");
  if (e instanceof errors.JOSEAlgNotAllowed)
    return new AuthError("bad_signature", "the token algorithm is not accepted");
  return new AuthError("malformed", "the token is malformed or cannot be verified");
}

function fromFastJwt(e: TokenError): AuthError {
  const codes = TokenError.codes;
  switch (e.code) {
    case codes.expired:
      return new AuthError("expired", "the token has expired");
    case codes.inactive:
      return new AuthError("not_yet_valid", "the token is not valid yet");
    case codes.invalidSignature:
    case codes.missingSignature:
      return new AuthError("bad_signature", "the token signature is invalid");
    case codes.invalidAlgorithm:
      return new AuthError("bad_signature", "the token algorithm is not accepted");
    case codes.invalidClaimValue:
    case codes.invalidClaimType:
    case codes.missingRequiredClaim: {
      // fast-jwt names the claim only in its message ("The iss claim value is not allowed.").
      const claim = /\b(iss|aud|sub|exp|nbf|iat|jti|nonce)\b/.exec(e.message)?.[1] ?? "a";
      return new AuthError("invalid_claims", `the token's ${claim} claim is not accepted`);
    }
    default:
      return new AuthError("malformed", "the token is malformed or cannot be verified");
  }
}
