import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChannel, JWT_SECRET, startServer, type TestServer, TestSocket } from "./harness.ts";

const key = new TextEncoder().encode(JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>) =>
  new SignJWT({ sub: "1", ...claims }).setProtectedHeader({ alg: "HS256" }).sign(key);

/** The token lifetime policy as a client sees it: an ERROR frame naming the rule, then 4401. */
describe("token lifetime policy on the socket and REST", () => {
  let t: TestServer;
  beforeAll(async () => {
    // require_exp as outside dev (dev's default is false).
    t = await startServer({ overrides: { auth: { jwt: { require_exp: true } } } });
    await createChannel(t, "policy", ["1"]);
  });
  afterAll(() => t.close());

  async function refusal(token: string) {
    const s = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/policy?token=${token}`);
    const err = await s.type("ERROR");
    return { message: err.message, code: err.code, close: await s.closed() };
  }

  it("refuses a token living longer than max_lifetime_s, one without exp, and one issued in the future", async () => {
    const t0 = now();
    expect(await refusal(await sign({ iat: t0, exp: t0 + 30 * 86_400 }))).toEqual({
      message: "the token's lifetime (exp - iat = 30d) exceeds the maximum of 7d",
      code: "UNAUTHORIZED",
      close: 4401,
    });
    expect(await refusal(await sign({ iat: t0 }))).toEqual({
      message: "the token has no exp (expiry); tokens must expire",
      code: "UNAUTHORIZED",
      close: 4401,
    });
    expect(await refusal(await sign({ iat: t0 + 3600, exp: t0 + 7200 }))).toEqual({
      message: "the token's iat (issued at) is in the future",
      code: "UNAUTHORIZED",
      close: 4401,
    });
    const ok = TestSocket.open(
      `${t.wsUrl}/api/v1/chat/ws/policy?token=${await sign({ iat: t0, exp: t0 + 3600 })}`,
    );
    await ok.type("CONNECTED");
    ok.close();
  });

  it("answers REST with 401 and the same message", async () => {
    const t0 = now();
    const res = await t.api("/api/v1/chat/channels/policy/messages", {
      token: await sign({ iat: t0, exp: t0 + 8 * 86_400 }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      "the token's lifetime (exp - iat = 8d) exceeds the maximum of 7d",
    );
  });
});
