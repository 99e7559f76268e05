import { CloseCode } from "@podchat/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_KEY,
  JWT_SECRET,
  type TestServer,
  TestSocket,
  connect,
  createChannel,
  startServer,
  token,
} from "../harness.ts";
import { startLoggedServer } from "./support.ts";

/** A refusal's text must never echo a credential, the signing secret, or a stack trace. */
function expectNoLeak(text: string, creds: string[]) {
  for (const c of [JWT_SECRET, API_KEY, ...creds]) expect(text).not.toContain(c);
  expect(text).not.toMatch(/\n\s+at\s|\.ts:\d+|node_modules|Error:/);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
  await createChannel(t, "room", ["1", "2"]);
});
afterAll(async () => {
  await t.close();
});

async function refusedSocket(query: string, channel = "room") {
  const s = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/${channel}?${query}`);
  await s.opened;
  const err = await s.type("ERROR");
  const code = await s.closed();
  expect(err.close_code).toBe(code);
  return { err, code, reason: s.closeReason };
}

describe("socket authentication matrix", () => {
  const cases: Array<[string, () => Promise<string | null>, RegExp]> = [
    ["no token", async () => null, /required/],
    ["an empty token", async () => "", /required/],
    ["a malformed token", async () => "not-a-jwt", /malformed/],
    ["three garbage segments", async () => "a.b.c", /malformed/],
    ["an oversized token", async () => "x".repeat(9000), /malformed/],
    ["a wrong signature", () => token("1", { secret: "another-secret-another-secret-123" }), /signature/],
    [
      "alg none",
      async () => `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "1", exp: now() + 3600 })}.`,
      /./,
    ],
    ["an expired token", () => token("1", { expiresIn: now() - 60 }), /expired/],
    ["a not-yet-valid token", () => token("1", { notBefore: now() + 3600 }), /not valid yet/],
    ["a token without sub", () => token("", {}), /sub/],
  ];
  for (const [name, make, msg] of cases) {
    it(`refuses ${name} with 4401 and says why without leaking it`, async () => {
      const tok = await make();
      const q = tok === null ? "" : new URLSearchParams({ token: tok }).toString();
      const { err, code, reason } = await refusedSocket(q);
      expect(code).toBe(CloseCode.UNAUTHORIZED);
      expect(err.code).toBe("UNAUTHORIZED");
      expect(err.message).toMatch(msg);
      expectNoLeak(`${err.message} ${reason}`, tok ? [tok] : []);
    });
  }

  it("refuses a wrong issuer or audience when they are configured, accepts the right ones", async () => {
    const s = await startServer({ env: { JWT_ISSUER: "https://id.podchat.test", JWT_AUDIENCE: "podchat" } });
    try {
      await createChannel(s, "iss", ["1"]);
      const open = async (tok: string) => {
        const sock = TestSocket.open(`${s.wsUrl}/api/v1/chat/ws/iss?token=${tok}`);
        await sock.opened;
        return sock;
      };
      for (const tok of [
        await token("1", { issuer: "https://evil.test", audience: "podchat" }),
        await token("1", { issuer: "https://id.podchat.test", audience: "someone-else" }),
        await token("1"),
      ]) {
        const sock = await open(tok);
        const err = await sock.type("ERROR");
        expect(err.code).toBe("UNAUTHORIZED");
        expect(err.message).toMatch(/iss|aud/);
        expect(await sock.closed()).toBe(4401);
        expectNoLeak(String(err.message), [tok]);
      }
      const ok = await open(await token("1", { issuer: "https://id.podchat.test", audience: "podchat" }));
      expect((await ok.type("CONNECTED")).user_id).toBe(1);
      ok.close();
    } finally {
      await s.close();
    }
  });

  it("refuses the still-valid token of a removed member (socket 4403, REST 403)", async () => {
    await createChannel(t, "removal", ["1", "7"]);
    const tok = await token("7");
    const live = await connect(t, "removal", "7");
    const res = await t.api("/api/v1/chat/channels/removal/members/7", { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await live.closed()).toBe(CloseCode.FORBIDDEN);
    const again = await refusedSocket(`token=${tok}`, "removal");
    expect(again.code).toBe(CloseCode.FORBIDDEN);
    expect(again.err.code).toBe("NOT_MEMBER");
    expectNoLeak(String(again.err.message), [tok]);
    const rest = await t.api("/api/v1/chat/channels/removal/messages", { token: tok });
    expect(rest.status).toBe(403);
    const body = await rest.json();
    expect(body.error.code).toBe("NOT_MEMBER");
    expectNoLeak(JSON.stringify(body), [tok]);
    const send = await t.api("/api/v1/chat/channels/removal/messages", {
      method: "POST",
      token: tok,
      json: { message: "let me in" },
    });
    expect(send.status).toBe(403);
  });

  it("refuses a banned user: ERROR BANNED then 4403 on connect, 403 BANNED on REST sends, nothing stored", async () => {
    await createChannel(t, "ban_matrix", ["1", "2"]);
    const ban = await t.api("/api/v1/chat/channels/ban_matrix/bans", {
      method: "POST",
      json: { user_ids: ["2"] },
    });
    expect(ban.status).toBe(200);
    const tok = await token("2");
    const s = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/ban_matrix?token=${tok}`);
    expect(await s.closed()).toBe(CloseCode.FORBIDDEN);
    expect(s.frames).toEqual([
      expect.objectContaining({ type: "ERROR", code: "BANNED", close_code: CloseCode.FORBIDDEN }),
    ]);
    expectNoLeak(JSON.stringify(s.frames), [tok]);
    const dev = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/ban_matrix/test?user_id=2`);
    expect(await dev.closed()).toBe(CloseCode.FORBIDDEN);
    const res = await t.api("/api/v1/chat/channels/ban_matrix/messages", {
      method: "POST",
      token: tok,
      json: { message: "let me in" },
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("BANNED");
    const viaKey = await t.api("/api/v1/chat/channels/ban_matrix/messages", {
      method: "POST",
      json: { user_id: "2", message: "on their behalf" },
    });
    expect(viaKey.status).toBe(403);
    expect((await (await t.api("/api/v1/chat/channels/ban_matrix")).json()).last_seq).toBe(0);
  });

  it("has no dev test endpoint outside dev: stg and prod answer 404", async () => {
    for (const env of ["stg", "prod"]) {
      const s = await startServer({
        env: {
          APP_ENV: env,
          JWT_SECRET: `${env}-secret-${env}-secret-0123456789`,
          API_KEYS: `${env}-api-key-123456`,
          ADMIN_PASSWORD: "a-real-password",
        },
        // prod on SQLite needs the single-node opt-in (@since 0.4).
        overrides: { store: { driver: "sqlite", allow_sqlite_in_prod: true }, bus: { driver: "memory" } },
      });
      try {
        await createChannel(s, "room", ["1"]).catch(() => {});
        const sock = TestSocket.open(`${s.wsUrl}/api/v1/chat/ws/room/test?user_id=1`);
        await expect(sock.opened).rejects.toThrow(/404/);
      } finally {
        await s.close();
      }
    }
  });
});

describe("REST authentication and authorisation matrix", () => {
  let admin: string;
  beforeAll(async () => {
    const res = await t.api("/api/v1/admin/login", {
      method: "POST",
      json: { username: "admin", password: "admin" },
      noKey: true,
    });
    admin = ((await res.json()) as { token: string }).token;
  });

  async function expectError(res: Response, status: number, code: string, creds: string[] = []) {
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/json/);
    const text = await res.text();
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe("string");
    expectNoLeak(text, creds);
  }

  it("chat API: anonymous 401, wrong API key 401, bad bearer 401, member JWT 403 on privileged routes", async () => {
    await expectError(
      await t.api("/api/v1/chat/channels", {
        method: "POST",
        noKey: true,
        json: { channel_url: "x", user_ids: [] },
      }),
      401,
      "UNAUTHORIZED",
    );
    const wrongKey = "wrong-api-key-123";
    await expectError(
      await t.api("/api/v1/chat/channels", { noKey: true, headers: { "X-Api-Key": wrongKey } }),
      401,
      "UNAUTHORIZED",
      [wrongKey],
    );
    const forged = await token("1", { secret: "another-secret-another-secret-123" });
    await expectError(await t.api("/api/v1/chat/channels/room", { token: forged }), 401, "UNAUTHORIZED", [
      forged,
    ]);
    await expectError(
      await t.api("/api/v1/chat/channels/room", {
        noKey: true,
        headers: { Authorization: `Basic ${JWT_SECRET}` },
      }),
      401,
      "UNAUTHORIZED",
    );
    const expired = await token("1", { expiresIn: now() - 60 });
    await expectError(await t.api("/api/v1/chat/channels/room", { token: expired }), 401, "UNAUTHORIZED", [
      expired,
    ]);
    const member = await token("1");
    await expectError(
      await t.api("/api/v1/chat/channels", {
        method: "POST",
        token: member,
        json: { channel_url: "y", user_ids: [] },
      }),
      403,
      "FORBIDDEN",
      [member],
    );
    await expectError(
      await t.api("/api/v1/chat/channels/room", { method: "DELETE", token: member }),
      403,
      "FORBIDDEN",
    );
    const outsider = await token("99");
    await expectError(
      await t.api("/api/v1/chat/channels/room/messages", { token: outsider }),
      403,
      "NOT_MEMBER",
    );
    await expectError(
      await t.api("/api/v1/chat/channels/room/messages", {
        method: "POST",
        token: member,
        json: { message: "as someone else", user_id: "2" },
      }),
      403,
      "FORBIDDEN",
    );
    expect((await t.api("/api/v1/chat/channels/room/messages", { token: member })).status).toBe(200);
  });

  it("admin API: anonymous 401, API key 403, member JWT 403, forged admin 401, admin 200", async () => {
    const paths = [
      "/api/v1/admin/overview",
      "/api/v1/admin/channels",
      "/api/v1/admin/flags",
      "/api/v1/admin/migrations",
    ];
    const member = await token("1");
    const forgedAdmin = await token("admin:admin", {
      secret: "another-secret-another-secret-123",
      claims: { role: "admin" },
    });
    for (const p of paths) {
      await expectError(await t.api(p, { noKey: true }), 401, "UNAUTHORIZED");
      await expectError(await t.api(p), 403, "FORBIDDEN");
      await expectError(await t.api(p, { token: member }), 403, "FORBIDDEN", [member]);
      await expectError(await t.api(p, { token: forgedAdmin }), 401, "UNAUTHORIZED", [forgedAdmin]);
      expect((await t.api(p, { token: admin })).status).toBe(200);
    }
    // Writes too, and the SSE stream's query token.
    await expectError(
      await t.api("/api/v1/admin/flags/dev", {
        method: "PUT",
        token: member,
        json: { use_websocket: false },
      }),
      403,
      "FORBIDDEN",
    );
    await expectError(
      await t.api("/api/v1/admin/tokens", { method: "POST", json: { user_id: "1" } }),
      403,
      "FORBIDDEN",
    );
    await expectError(
      await t.api(`/api/v1/admin/stream?access_token=${member}`, { noKey: true }),
      403,
      "FORBIDDEN",
      [member],
    );
  });

  it("admin login: a wrong password or user is 401 and never echoes what was sent", async () => {
    for (const body of [
      { username: "admin", password: "guess-123" },
      { username: "root", password: "admin" },
      { username: "admin", password: "" },
    ]) {
      const res = await t.api("/api/v1/admin/login", { method: "POST", json: body, noKey: true });
      expect([400, 401]).toContain(res.status);
      const text = await res.text();
      expect(text).not.toContain("guess-123");
      expect(text).not.toContain('"admin"');
      expectNoLeak(text, []);
    }
  });
});

describe("browser origins and CORS", () => {
  it("refuses browser sockets from origins outside server.allowed_origins (ALLOWED_ORIGINS) with 403", async () => {
    const s = await startServer({ env: { ALLOWED_ORIGINS: "https://chat.example, https://admin.example" } });
    try {
      await createChannel(s, "orig", ["1"]);
      const url = `${s.wsUrl}/api/v1/chat/ws/orig?token=${await token("1")}`;
      const evil = TestSocket.open(url, { headers: { Origin: "https://evil.example" } });
      await expect(evil.opened).rejects.toThrow(/403/);
      const good = TestSocket.open(url, { headers: { Origin: "https://chat.example" } });
      expect((await good.type("CONNECTED")).user_id).toBe(1);
      // Servers and native apps send no Origin: the token alone decides.
      const native = TestSocket.open(url);
      expect((await native.type("CONNECTED")).user_id).toBe(1);
      good.close();
      native.close();
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(metrics).toMatch(/podchat_connections_refused_total\{code="ORIGIN"\} 1/);
    } finally {
      await s.close();
    }
  });

  it("answers the admin's CORS preflight for an allowed origin only", async () => {
    const s = await startServer({ env: { CORS_ORIGINS: "https://admin.example" } });
    try {
      const preflight = (origin: string) =>
        fetch(`${s.url}/api/v1/admin/overview`, {
          method: "OPTIONS",
          headers: {
            Origin: origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization,content-type",
          },
        });
      const ok = await preflight("https://admin.example");
      expect(ok.status).toBe(204);
      expect(ok.headers.get("access-control-allow-origin")).toBe("https://admin.example");
      expect(ok.headers.get("access-control-allow-credentials")).toBe("true");
      expect(ok.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
      expect(ok.headers.get("access-control-allow-methods")).toContain("GET");

      const bad = await preflight("https://evil.example");
      expect(bad.headers.get("access-control-allow-origin")).toBeNull();
      const badGet = await fetch(`${s.url}/api/v1/chat/channels`, {
        headers: { Origin: "https://evil.example", "X-Api-Key": API_KEY },
      });
      expect(badGet.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await s.close();
    }
  });
});

describe("secrets never reach the logs", () => {
  it("logs no JWT secret, API key, admin password or token while logins, tokens and keys fail and succeed", async () => {
    const secrets = {
      JWT_SECRET: "log-test-jwt-secret-7f3a9c1e5b",
      API_KEYS: "log-test-api-key-42c8d1",
      ADMIN_PASSWORD: "log-test-admin-pw-9e7d",
    };
    const { t: s, logs } = await startLoggedServer("trace", { env: secrets });
    const seen: string[] = [...Object.values(secrets)];
    try {
      const key = { "X-Api-Key": secrets.API_KEYS, "Content-Type": "application/json" };
      const created = await fetch(`${s.url}/api/v1/chat/channels`, {
        method: "POST",
        headers: key,
        body: JSON.stringify({ channel_url: "logs", user_ids: ["1"] }),
      });
      expect(created.status).toBe(201);
      const wrongKey = "log-test-wrong-key-0001";
      seen.push(wrongKey);
      await fetch(`${s.url}/api/v1/chat/channels`, { headers: { "X-Api-Key": wrongKey } });
      for (const password of ["log-test-guess-1", secrets.ADMIN_PASSWORD]) {
        if (password !== secrets.ADMIN_PASSWORD) seen.push(password);
        await fetch(`${s.url}/api/v1/admin/login`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            username: password === secrets.ADMIN_PASSWORD ? "admin" : "admin",
            password,
          }),
        });
      }
      const login = await fetch(`${s.url}/api/v1/admin/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: "admin", password: secrets.ADMIN_PASSWORD }),
      });
      const adminToken = ((await login.json()) as { token: string }).token;
      seen.push(adminToken);
      await fetch(`${s.url}/api/v1/admin/overview`, { headers: { Authorization: `Bearer ${adminToken}` } });
      const sse = new AbortController();
      const stream = await fetch(`${s.url}/api/v1/admin/stream?access_token=${adminToken}`, {
        signal: sse.signal,
      });
      expect(stream.status).toBe(200);
      sse.abort();
      const userToken = await token("1", { secret: secrets.JWT_SECRET });
      const forged = await token("1");
      seen.push(userToken, forged);
      await fetch(`${s.url}/api/v1/chat/channels/logs/messages`, {
        headers: { Authorization: `Bearer ${forged}` },
      });
      const good = TestSocket.open(`${s.wsUrl}/api/v1/chat/ws/logs?token=${userToken}`);
      await good.type("CONNECTED");
      good.send({ type: "MESG", message: "hello" });
      await good.type("MESG");
      const bad = TestSocket.open(`${s.wsUrl}/api/v1/chat/ws/logs?token=${forged}`);
      await bad.type("ERROR");
      await bad.closed();
      good.close();
      await good.closed();
      // A 500 path: unhandled errors are logged with their stack, still without secrets.
      await fetch(`${s.url}/api/v1/chat/channels/logs/messages`, {
        method: "POST",
        headers: key,
        body: '{"message": 1',
      });
    } finally {
      await s.close();
    }
    const text = logs.text();
    // The capture really saw the traffic (request lines at trace level), so its silence means something.
    expect(logs.records().filter((r) => r.msg === "request").length).toBeGreaterThan(8);
    expect(text).toMatch(/"status":401/);
    for (const secret of seen) expect(text).not.toContain(secret);
  });
});
