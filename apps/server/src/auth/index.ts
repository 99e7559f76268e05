export {
  AuthError,
  type AuthFailure,
  createTokenVerifier,
  type TokenVerifier,
  type VerifiedToken,
} from "./token-verifier.ts";
