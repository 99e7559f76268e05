// Failed admin sign-ins are limited per IP and per username (auth.admin.login_max_failures within
// login_window_s), then 429 with Retry-After; real sockets, from two loopback addresses.
import { request } from "node:http";
import type { AuditLogEntry } from "@podchat/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { LoginLimiter } from "../../src/http/routes/admin/login-limiter.ts";
import { SECRETS, type AuditServer, startAuditServer } from "./support.ts";

let t: AuditServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** POST /api/v1/admin/login from `from` (127.0.0.1 or another loopback address). */
function login(
  s: AuditServer,
  body: { username: string; password: string },
  from = "127.0.0.1",
): Promise<{ status: number; retryAfter: string | undefined; code: string | undefined; token?: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      {
        host: "127.0.0.1",
        port: s.port,
        path: "/api/v1/admin/login",
        method: "POST",
        localAddress: from,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers["retry-after"] as string | undefined,
            code: (JSON.parse(text) as { error?: { code: string } }).error?.code,
            token: (JSON.parse(text) as { token?: string }).token,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

const wrong = (username = "admin") => ({ username, password: "not-it" });
const right = { username: "admin", password: SECRETS.adminPassword };

describe("admin sign-in rate limit", () => {
  it("answers 429 with Retry-After after 5 failures from one IP, whatever the username, even with the right password", async () => {
    t = await startAuditServer();
    for (const u of ["a", "b", "c", "d", "e"]) expect((await login(t, wrong(u))).status).toBe(401);
    const limited = await login(t, wrong("f"));
    expect(limited).toMatchObject({ status: 429, code: "RATE_LIMITED" });
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
    expect((await login(t, right)).status).toBe(429);
    // Another address is not limited by this one's failures.
    const other = await login(t, right, "127.0.0.2");
    expect(other.status).toBe(200);
    // Each counted failure is audited (with the name tried); the limited attempts are not.
    const admin = other.token!;
    const failed = (await (
      await t.api("/api/v1/admin/audit?action=admin.login_failed", { token: admin })
    ).json()) as {
      entries: AuditLogEntry[];
    };
    expect(failed.entries.map((e) => e.actor.id).sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(failed.entries.every((e) => e.ip === "127.0.0.1")).toBe(true);
  });

  it("limits one username from any IP", async () => {
    t = await startAuditServer();
    const from = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];
    for (const ip of from) expect((await login(t, wrong(), ip)).status).toBe(401);
    const limited = await login(t, right, "127.0.0.6");
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBeDefined();
    // Another username from a fresh address is unaffected (and gets a plain 401).
    expect((await login(t, wrong("someone"), "127.0.0.7")).status).toBe(401);
  });

  it("follows auth.admin.login_max_failures", async () => {
    t = await startAuditServer({ overrides: { auth: { admin: { login_max_failures: 2 } } } });
    expect((await login(t, wrong())).status).toBe(401);
    expect((await login(t, wrong())).status).toBe(401);
    expect((await login(t, wrong())).status).toBe(429);
  });
});

describe("LoginLimiter", () => {
  it("lets a key try again once its oldest counted failure leaves the window", () => {
    let now = 1_000_000;
    const l = new LoginLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfterS(["k"])).toBe(0);
      l.fail(["k"]);
      now += 10_000;
    }
    // Failures at +0, +10 s, +20 s; now +30 s: the first leaves the window at +60 s.
    expect(l.retryAfterS(["k"])).toBe(30);
    expect(l.retryAfterS(["other"])).toBe(0);
    expect(l.retryAfterS(["other", "k"])).toBe(30);
    now += 30_000;
    expect(l.retryAfterS(["k"])).toBe(0);
  });
});
