export {
  AuthError,
  type AuthFailure,
  createTokenVerifier,
  DEFAULT_MAX_TOKEN_LIFETIME_S,
  type TokenVerifier,
  type TokenVerifierOptions,
  type VerifiedToken,
} from "./token-verifier.ts";
export { createTokenVerifierFromConfig } from "./create-token-verifier.ts";
