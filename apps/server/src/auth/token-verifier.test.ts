import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { AuthError, createTokenVerifier, type TokenVerifierOptions } from "./token-verifier.ts";

const secret = "test-secret-test-secret-test-secret";
const key = new TextEncoder().encode(secret);
const now = () => Math.floor(Date.now() / 1000);

async function reason(p: Promise<unknown>) {
  try {
    await p;
    return "accepted";
  } catch (e) {
    expect(e).toBeInstanceOf(AuthError);
    return (e as AuthError).reason;
  }
}

describe("token verifier (HS256)", () => {
  const v = createTokenVerifier({ secret, issuer: "podchat-tests", audience: "podchat" });
  const good = () =>
    new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("42")
      .setIssuer("podchat-tests")
      .setAudience("podchat")
      .setExpirationTime("5m");

  it("accepts a valid token and reads sub and the admin role", async () => {
    const r = await v.verify(await good().sign(key));
    expect(r).toMatchObject({ userId: "42", isAdmin: true });
  });

  it("refuses missing, malformed, expired, not-yet-valid, wrong-key, wrong iss/aud, alg none and no sub", async () => {
    expect(await reason(v.verify(undefined))).toBe("missing");
    expect(await reason(v.verify("abc"))).toBe("malformed");
    expect(
      await reason(
        v.verify(
          await good()
            .setExpirationTime(now() - 60)
            .sign(key),
        ),
      ),
    ).toBe("expired");
    expect(
      await reason(
        v.verify(
          await good()
            .setNotBefore(now() + 600)
            .sign(key),
        ),
      ),
    ).toBe("not_yet_valid");
    expect(await reason(v.verify(await good().sign(new TextEncoder().encode("x".repeat(40)))))).toBe(
      "bad_signature",
    );
    expect(await reason(v.verify(await good().setIssuer("evil").sign(key)))).toBe("invalid_claims");
    expect(await reason(v.verify(await good().setAudience("other").sign(key)))).toBe("invalid_claims");
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const none = `${b64({ alg: "none" })}.${b64({ sub: "1", iss: "podchat-tests", aud: "podchat", exp: now() + 60 })}.`;
    expect(await reason(v.verify(none))).not.toBe("accepted");
    const noSub = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("podchat-tests")
      .setAudience("podchat")
      .setExpirationTime("5m")
      .sign(key);
    expect(await reason(v.verify(noSub))).toBe("invalid_claims");
  });

  it("never echoes the token in its messages", async () => {
    const tok = await good()
      .setExpirationTime(now() - 60)
      .sign(key);
    try {
      await v.verify(tok);
      expect.unreachable("an expired token was accepted");
    } catch (e) {
      expect(e).toBeInstanceOf(AuthError);
      expect((e as Error).message).not.toContain(tok.split(".")[1]!);
    }
  });
});

describe("token verifier (HS256): claims and the verified-token cache", () => {
  it("requires iss and aud when they are configured, and names the refused claim", async () => {
    const v = createTokenVerifier({ secret, issuer: "podchat-tests", audience: "podchat" });
    const base = () =>
      new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("1").setExpirationTime("5m");
    const noIss = await base().setAudience("podchat").sign(key);
    const noAud = await base().setIssuer("podchat-tests").sign(key);
    await expect(v.verify(noIss)).rejects.toMatchObject({
      reason: "invalid_claims",
      message: "the token's iss claim is not accepted",
    });
    await expect(v.verify(noAud)).rejects.toMatchObject({
      reason: "invalid_claims",
      message: "the token's aud claim is not accepted",
    });
    const listedAud = await base().setIssuer("podchat-tests").setAudience(["other", "podchat"]).sign(key);
    expect((await v.verify(listedAud)).userId).toBe("1");
  });

  it("refuses other HMAC algorithms and a token whose exp is not a number", async () => {
    const v = createTokenVerifier({ secret });
    const hs512 = await new SignJWT({}).setProtectedHeader({ alg: "HS512" }).setSubject("1").sign(key);
    expect(await reason(v.verify(hs512))).toBe("bad_signature");
    const stringExp = await new SignJWT({ exp: "2999999999" } as never)
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("1")
      .sign(key);
    expect(await reason(v.verify(stringExp))).toBe("invalid_claims");
  });

  it("does not keep accepting a cached token once it has expired", async () => {
    const v = createTokenVerifier({ secret, clockToleranceS: 0 });
    const tok = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("9")
      .setExpirationTime(now() + 1)
      .sign(key);
    expect((await v.verify(tok)).userId).toBe("9");
    expect((await v.verify(tok)).userId).toBe("9"); // served from the cache
    await new Promise((r) => setTimeout(r, 2100));
    expect(await reason(v.verify(tok))).toBe("expired");
  });
});

describe("token verifier (JWKS)", () => {
  it("verifies RS256 tokens against keys served from a JWKS URL", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    const server = createServer((_req, res) => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    try {
      const v = createTokenVerifier({ jwksUrl: url });
      const tok = await new SignJWT({})
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setSubject("7")
        .setExpirationTime("5m")
        .sign(privateKey);
      expect((await v.verify(tok)).userId).toBe("7");
      const other = await generateKeyPair("RS256");
      const forged = await new SignJWT({})
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setSubject("7")
        .setExpirationTime("5m")
        .sign(other.privateKey);
      expect(await reason(v.verify(forged))).toBe("bad_signature");
      const hs = await new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("7")
        .setExpirationTime("5m")
        .sign(key);
      expect(await reason(v.verify(hs))).not.toBe("accepted");
    } finally {
      server.close();
    }
  });
});

describe("token lifetime policy (HS256 and JWKS alike)", async () => {
  const rsa = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(rsa.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const server = createServer((_req, res) => {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  const day = 86_400;

  const kinds = [
    {
      kind: "HS256",
      verifier: (o: Partial<TokenVerifierOptions> = {}) => createTokenVerifier({ secret, ...o }),
      sign: (claims: Record<string, unknown>) =>
        new SignJWT({ sub: "5", ...claims }).setProtectedHeader({ alg: "HS256" }).sign(key),
    },
    {
      kind: "JWKS",
      verifier: (o: Partial<TokenVerifierOptions> = {}) => createTokenVerifier({ jwksUrl, ...o }),
      sign: (claims: Record<string, unknown>) =>
        new SignJWT({ sub: "5", ...claims })
          .setProtectedHeader({ alg: "RS256", kid: "k1" })
          .sign(rsa.privateKey),
    },
  ];

  for (const { kind, verifier, sign } of kinds) {
    describe(kind, () => {
      it("accepts a token within the maximum lifetime (default 7 days) and refuses a longer one", async () => {
        const v = verifier();
        const t = now();
        expect((await v.verify(await sign({ iat: t, exp: t + 7 * day }))).userId).toBe("5");
        await expect(v.verify(await sign({ iat: t, exp: t + 7 * day + 60 }))).rejects.toMatchObject({
          reason: "invalid_claims",
          message: "the token's lifetime (exp - iat = 7d 1m) exceeds the maximum of 7d",
        });
        // Issued long ago, still valid: exp - iat counts, not the time left.
        await expect(v.verify(await sign({ iat: t - 8 * day, exp: t + 3600 }))).rejects.toMatchObject({
          reason: "invalid_claims",
          message: "the token's lifetime (exp - iat = 8d 1h) exceeds the maximum of 7d",
        });
      });

      it("measures exp - now for a token without iat, against a configured maximum", async () => {
        const v = verifier({ maxLifetimeS: 3600 });
        const t = now();
        expect((await v.verify(await sign({ exp: t + 1800 }))).userId).toBe("5");
        await expect(v.verify(await sign({ exp: t + 2 * 3600 + 60 }))).rejects.toMatchObject({
          reason: "invalid_claims",
          // exp - now is 2h 1m, or one second less when the clock ticked between signing and verifying.
          message: expect.stringMatching(
            /^the token's lifetime \(exp - now = 2h (1m|59s)\) exceeds the maximum of 1h$/,
          ),
        });
      });

      it("refuses a token without exp when exp is required (the default), accepts it when not", async () => {
        const noExp = await sign({ iat: now() });
        await expect(verifier().verify(noExp)).rejects.toMatchObject({
          reason: "invalid_claims",
          message: "the token has no exp (expiry); tokens must expire",
        });
        expect((await verifier({ requireExp: false }).verify(noExp)).userId).toBe("5");
      });

      it("refuses iat in the future beyond the clock tolerance, accepts it within", async () => {
        const v = verifier({ clockToleranceS: 5 });
        const t = now();
        expect((await v.verify(await sign({ iat: t + 3, exp: t + 600 }))).userId).toBe("5");
        await expect(v.verify(await sign({ iat: t + 120, exp: t + 600 }))).rejects.toMatchObject({
          reason: "invalid_claims",
          message: "the token's iat (issued at) is in the future",
        });
      });
    });
  }
});
