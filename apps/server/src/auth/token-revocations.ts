import { AuthError, type TokenVerifier } from "./token-verifier.ts";

/**
 * Which users had their tokens revoked, and when (epoch ms): a token of such a user issued before
 * that time is refused. Kept in memory, fed from the store at start and from the bus on every
 * instance (see chat/token-revocation-service.ts); this class only decides.
 *
 * A revocation matters for as long as a token issued before it can live: `max_lifetime_s` (plus
 * the clock tolerance). After that every such token has expired anyway, so it is forgotten —
 * which is also how long a token without `iat` (which cannot show it is newer) stays refused.
 */
export class TokenRevocations {
  private readonly revokedAt = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly o: { maxLifetimeS: number; clockToleranceS: number; now?: () => number }) {
    this.now = o.now ?? Date.now;
  }

  /** The oldest revocation time (epoch ms) that can still refuse a live token. */
  horizon(): number {
    return this.now() - (this.o.maxLifetimeS + this.o.clockToleranceS) * 1000;
  }

  /** Records a revocation; true when it moved the user's time forward (a repeat or an older one does not). */
  apply(userId: string, atMs: number): boolean {
    const known = this.since(userId);
    if (known !== undefined && known >= atMs) return false;
    if (atMs < this.horizon()) return false;
    this.revokedAt.set(userId, atMs);
    return true;
  }

  /** The user's revocation time (epoch ms), while it still matters. */
  since(userId: string): number | undefined {
    const at = this.revokedAt.get(userId);
    if (at === undefined) return undefined;
    if (at < this.horizon()) {
      this.revokedAt.delete(userId);
      return undefined;
    }
    return at;
  }

  /**
   * Whether a token of the user issued at `iat` (epoch seconds, null without the claim) is revoked.
   * `iat` has second precision: a token issued in the same second as the revocation, before it,
   * is refused, and so, for the rest of that second, is one issued just after it (the SDK's
   * refresh-and-retry gets a good one a moment later).
   */
  isRevoked(userId: string, iat: number | null): boolean {
    const at = this.since(userId);
    if (at === undefined) return false;
    return iat === null || iat * 1000 < at;
  }
}

/** What a refused token (401) and a closed socket (4401) are told. */
export const REVOKED_MESSAGE = "the token was revoked; sign in again for a new one";

/** The verifier, refusing (`revoked`) tokens issued before their user's revocation. */
export function withRevocations(verifier: TokenVerifier, revocations: TokenRevocations): TokenVerifier {
  return {
    async verify(token) {
      const v = await verifier.verify(token);
      const iat = typeof v.claims.iat === "number" ? v.claims.iat : null;
      if (revocations.isRevoked(v.userId, iat)) throw new AuthError("revoked", REVOKED_MESSAGE);
      return v;
    },
  };
}
