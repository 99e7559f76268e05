import { describe, expect, it } from "vitest";
import { TokenRevocations, withRevocations } from "./token-revocations.ts";
import type { TokenVerifier } from "./token-verifier.ts";

describe("TokenRevocations", () => {
  const base = Date.parse("2030-01-01T00:00:00.500Z");
  const make = () => {
    let now = base;
    const r = new TokenRevocations({ maxLifetimeS: 3600, clockToleranceS: 5, now: () => now });
    return { r, advance: (ms: number) => (now += ms) };
  };

  it("refuses tokens issued before the revocation (second precision), and tokens without iat", () => {
    const { r } = make();
    expect(r.apply("1", base)).toBe(true);
    const s = Math.floor(base / 1000);
    expect(r.isRevoked("1", s - 1)).toBe(true);
    // Same second: issued before or after the revocation, it cannot tell; refused.
    expect(r.isRevoked("1", s)).toBe(true);
    expect(r.isRevoked("1", s + 1)).toBe(false);
    expect(r.isRevoked("1", null)).toBe(true);
    expect(r.isRevoked("2", s - 1)).toBe(false);
  });

  it("keeps the later time and forgets a revocation once every token it covers has expired", () => {
    const { r, advance } = make();
    r.apply("1", base);
    expect(r.apply("1", base - 10_000)).toBe(false);
    expect(r.apply("1", base)).toBe(false);
    expect(r.apply("1", base + 2000)).toBe(true);
    expect(r.since("1")).toBe(base + 2000);
    advance(2000 + 3605 * 1000 - 1);
    expect(r.isRevoked("1", null)).toBe(true);
    advance(2);
    // max_lifetime_s + tolerance later, a token without iat issued before it would have expired.
    expect(r.isRevoked("1", null)).toBe(false);
    expect(r.since("1")).toBeUndefined();
    // Too old to matter: not recorded.
    expect(r.apply("3", base)).toBe(false);
  });

  it("wraps a verifier: a revoked token fails with reason `revoked`", async () => {
    const { r } = make();
    const inner: TokenVerifier = {
      verify: async (tok) => ({
        userId: tok ?? "",
        claims: { iat: Math.floor(base / 1000) - 5 },
        isAdmin: false,
      }),
    };
    const v = withRevocations(inner, r);
    expect((await v.verify("1")).userId).toBe("1");
    r.apply("1", base);
    await expect(v.verify("1")).rejects.toMatchObject({ reason: "revoked" });
    expect((await v.verify("2")).userId).toBe("2");
  });
});
