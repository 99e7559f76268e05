import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  JWT_SECRET,
  type TestServer,
  TestSocket,
  connect,
  createChannel,
  startServer,
  token,
} from "./harness.ts";

const key = new TextEncoder().encode(JWT_SECRET);
/** A token issued at `iatS` (epoch seconds); `null` leaves `iat` out. */
const tokenAt = (userId: string, iatS: number | null) => {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return new SignJWT({ sub: userId, exp, ...(iatS === null ? {} : { iat: iatS }) })
    .setProtectedHeader({ alg: "HS256" })
    .sign(key);
};
/** A token issued after the revocation (its second is over, or within the 5 s clock tolerance). */
const after = (userId: string, revokedAt: string) =>
  tokenAt(userId, Math.floor(Date.parse(revokedAt) / 1000) + 1);

const REVOKED = "the token was revoked; sign in again for a new one";

describe("revoking a user's tokens (single instance, SQLite)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer();
    await createChannel(t, "rv_room", ["1", "2"]);
  });
  afterAll(() => t.close());

  const revoke = (userId: string, init: Parameters<TestServer["api"]>[1] = {}) =>
    t.api(`/api/v1/chat/users/${userId}/revoke-tokens`, { method: "POST", ...init });

  it("closes the user's live sockets with 4401 and refuses their old tokens on REST, sockets and downloads", async () => {
    const old = await token("1");
    const channel = await connect(t, "rv_room", "1");
    const inbox = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws?token=${old}`);
    await inbox.type("READY");
    const other = await connect(t, "rv_room", "2");
    expect((await t.api("/api/v1/chat/users/1/channels", { token: old })).status).toBe(200);

    const res = await revoke("1");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ user_id: 1, closed_here: 2 });
    expect(Date.parse(body.revoked_at)).toBeLessThanOrEqual(Date.now());

    for (const s of [channel, inbox]) {
      expect(await s.closed()).toBe(4401);
      expect(s.frames.find((f) => f.type === "ERROR")).toMatchObject({
        code: "UNAUTHORIZED",
        message: REVOKED,
      });
    }
    // Another user's socket stays.
    other.send({ type: "MESG", message: "still here", req_id: "o1" });
    expect(await other.type("MESG")).toMatchObject({ message: "still here" });
    other.close();

    const rest = await t.api("/api/v1/chat/users/1/channels", { token: old });
    expect(rest.status).toBe(401);
    expect((await rest.json()).error).toMatchObject({ code: "UNAUTHORIZED", message: REVOKED });
    const again = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/rv_room?token=${old}`);
    expect(await again.type("ERROR")).toMatchObject({ message: REVOKED });
    expect(await again.closed()).toBe(4401);
    // A download link carrying the old token in ?token= is refused too.
    const form = new FormData();
    form.set("file", new File(["hi"], "a.txt", { type: "text/plain" }));
    const up = await (
      await t.api("/api/v1/chat/channels/rv_room/files", { method: "POST", body: form })
    ).json();
    expect((await fetch(`${up.url}?token=${old}`)).status).toBe(401);
    // A token without iat cannot show it is newer: refused while an old one could still be alive.
    expect((await t.api("/api/v1/chat/users/1/channels", { token: await tokenAt("1", null) })).status).toBe(
      401,
    );

    // A token issued after the revocation works, on REST and on the socket.
    const fresh = await after("1", body.revoked_at);
    expect((await t.api("/api/v1/chat/users/1/channels", { token: fresh })).status).toBe(200);
    const back = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/rv_room?token=${fresh}`);
    await back.type("CONNECTED");
    expect((await fetch(`${up.url}?token=${fresh}`)).status).toBe(200);
    back.close();
    // Other users' tokens were never affected.
    expect((await t.api("/api/v1/chat/users/2/channels", { token: await token("2") })).status).toBe(200);
  });

  it("a repeat moves the time forward and closes sockets opened with tokens issued since", async () => {
    const first = await (await revoke("7")).json();
    const s = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws?token=${await after("7", first.revoked_at)}`);
    await s.type("READY");
    await new Promise((r) => setTimeout(r, 1100)); // the next revocation falls in a later second
    const second = await (await revoke("7")).json();
    expect(Date.parse(second.revoked_at)).toBeGreaterThan(Date.parse(first.revoked_at));
    expect(second.closed_here).toBe(1);
    expect(await s.closed()).toBe(4401);
  });

  it("is for API keys and admins (both routes); users, anonymous callers and bad ids are refused", async () => {
    const admin = await token("ops", { claims: { role: "admin" } });
    const viaAdmin = await t.api("/api/v1/admin/users/5/revoke-tokens", { method: "POST", token: admin });
    expect(viaAdmin.status).toBe(200);
    expect(await viaAdmin.json()).toMatchObject({ user_id: 5, closed_here: 0 });
    expect((await revoke("5", { token: admin })).status).toBe(200);
    // The admin API takes admin sessions only, like the rest of /api/v1/admin.
    expect((await t.api("/api/v1/admin/users/5/revoke-tokens", { method: "POST" })).status).toBe(403);
    const self = await revoke("2", { token: await token("2") });
    expect(self.status).toBe(403);
    expect((await revoke("2", { noKey: true })).status).toBe(401);
    const bad = await revoke("x".repeat(65));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("VALIDATION_FAILED");
    // Nothing above revoked user 2.
    expect((await t.api("/api/v1/chat/users/2/channels", { token: await token("2") })).status).toBe(200);
  });

  it("survives a restart: the time is stored", async () => {
    const dbPath = t.dbPath;
    // Test 1 revoked user 1 more than a second ago (test 2 waits): this token is newer.
    const current = await token("1");
    await t.close();
    t = await startServer({ dbPath });
    const before = await tokenAt("1", Math.floor(Date.now() / 1000) - 3600);
    expect((await t.api("/api/v1/chat/users/1/channels", { token: before })).status).toBe(401);
    expect((await t.api("/api/v1/chat/users/1/channels", { token: current })).status).toBe(200);
  });
});
