import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifierFromConfig } from "../../src/auth/create-token-verifier.ts";
import { loadConfig } from "../../src/config/index.ts";
import { API_KEY, startServer, type TestServer } from "../harness.ts";
import { findPostgres } from "../services.ts";
import { freePort, runCli, tempDir } from "./run-cli.ts";

const prodSecrets = {
  JWT_SECRET: "prod-secret-prod-secret-prod-secret",
  API_KEYS: "prod-api-key-123",
  ADMIN_PASSWORD: "a-real-password",
  DATABASE_URL: "postgres://podchat@db.internal:5432/podchat",
  REDIS_URL: "redis://cache.internal:6379",
};

describe("podchat CLI", () => {
  it("has --help for every command", async () => {
    const commands = [
      ["start"],
      ["migrate"],
      ["token"],
      ["channel", "create"],
      ["backup"],
      ["restore"],
      ["check-config"],
    ];
    const results = await Promise.all(commands.map((c) => runCli([...c, "--help"])));
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Usage: podchat ${commands[i]!.join(" ")}`);
    });
    const top = await runCli(["--help"]);
    for (const c of commands) expect(top.stdout).toContain(c[0]);
    const unknown = await runCli(["frobnicate"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  describe("token", () => {
    it("mints a token the configured server accepts, with the asked lifetime", async () => {
      const r = await runCli(["token", "42", "--ttl", "2h"]);
      expect(r.code, r.stderr).toBe(0);
      const token = r.stdout.trim();
      const verified = await createTokenVerifierFromConfig(
        loadConfig({ env: { APP_ENV: "dev" } }).config,
      ).verify(token);
      expect(verified.userId).toBe("42");
      const { iat, exp } = verified.claims as { iat: number; exp: number };
      expect(exp - iat).toBe(7200);
      const json = await runCli(["token", "7", "--json"]);
      const parsed = JSON.parse(json.stdout) as { token: string; expires_at: string };
      expect(new Date(parsed.expires_at).getTime() - Date.now()).toBeGreaterThan(3500_000);
      expect(new Date(parsed.expires_at).getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    });

    it("refuses a lifetime the server would refuse, a bad duration, and a JWKS-only config", async () => {
      const long = await runCli(["token", "1", "--ttl", "8d"]);
      expect(long.code).toBe(1);
      expect(long.stderr.trim()).toBe(
        "podchat token: --ttl 691200s exceeds auth.jwt.max_lifetime_s (604800s): the server would refuse the token",
      );
      const bad = await runCli(["token", "1", "--ttl", "soon"]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/"soon" is not a duration/);
      const dir = tempDir();
      writeFileSync(
        join(dir, "config.dev.yaml"),
        "auth:\n  jwt:\n    jwks_url: https://id.example.com/jwks.json\n",
      );
      const jwks = await runCli(["--config-dir", dir, "token", "1"]);
      expect(jwks.code).toBe(1);
      expect(jwks.stderr).toMatch(/^podchat token: the config has no auth\.jwt\.secret/);
    });
  });

  describe("check-config", () => {
    it("prints what a valid config starts, exit 0", async () => {
      const dev = await runCli(["check-config"]);
      expect(dev.code, dev.stderr).toBe(0);
      expect(dev.stdout).toMatch(/APP_ENV=dev is valid/);
      expect(dev.stdout).toMatch(/store +SQLite file/);
      const prod = await runCli(["--env", "prod", "check-config"], prodSecrets);
      expect(prod.code, prod.stderr).toBe(0);
      expect(prod.stdout).toMatch(/store +PostgreSQL at postgres:\/\/podchat@db\.internal:5432\/podchat/);
      expect(prod.stdout).toMatch(/exp required/);
      expect(prod.stdout).toMatch(/metrics +on the main port, open/);
      expect(prod.stdout).toMatch(/warning: \/metrics answers anyone/);
      expect(prod.stdout).not.toContain(prodSecrets.JWT_SECRET);
      // The single-node profile: its warning, and the metrics settings.
      const { DATABASE_URL: _d, REDIS_URL: _r, ...secrets } = prodSecrets;
      const single = await runCli(["--env", "prod", "check-config"], {
        ...secrets,
        SINGLE_NODE: "true",
        METRICS_TOKEN: "metrics-token-0123456789",
        METRICS_LISTEN: "127.0.0.1:9464",
      });
      expect(single.code, single.stderr).toBe(0);
      expect(single.stdout).toMatch(/store +SQLite file/);
      expect(single.stdout).toMatch(/warning: APP_ENV=prod on SQLite .*exactly ONE instance/);
      expect(single.stdout).toMatch(/metrics +on 127\.0\.0\.1:9464, Bearer token required/);
      expect(single.stdout).not.toMatch(/\/metrics answers anyone/);
      expect(single.stdout).not.toContain("metrics-token-0123456789");
    });

    it("prints every problem and exits 2", async () => {
      const prod = await runCli(["check-config"], { APP_ENV: "prod", DATABASE_URL: "postgres://x@h/db" });
      expect(prod.code).toBe(2);
      expect(prod.stderr).toMatch(/JWT_SECRET/);
      const bad = await runCli(["check-config"], { PORT: "99999", LOG_LEVEL: "loud" });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/server\.port/);
      expect(bad.stderr).toMatch(/log\.level/);
      expect(bad.stderr.trim().split("\n")).toHaveLength(3); // the heading and one line per problem
    });
  });

  describe("migrate", () => {
    it("creates the schema in a fresh SQLite file and is idempotent", async () => {
      const path = join(tempDir(), "fresh.sqlite");
      const first = await runCli(["migrate"], { SQLITE_PATH: path });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout.trim()).toBe(`podchat migrate: SQLite file ${path} is up to date`);
      expect((await runCli(["migrate"], { SQLITE_PATH: path })).code).toBe(0);
      const db = new Database(path, { readonly: true });
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((r) => r.name);
      db.close();
      expect(tables).toEqual(
        expect.arrayContaining(["channels", "members", "messages", "kysely_migration", "flags"]),
      );
    });

    it("says in one line when the database cannot be reached", async () => {
      const r = await runCli(["migrate"], { DATABASE_URL: "postgres://nobody:pw@127.0.0.1:1/none" });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        "podchat migrate: cannot open the database (PostgreSQL at postgres://nobody:***@127.0.0.1:1/none): connect ECONNREFUSED 127.0.0.1:1",
      );
    });

    describe("PostgreSQL", async () => {
      const pg = await findPostgres();
      const schema = `cli_migrate_${process.pid}`;
      afterAll(async () => {
        if (!("url" in pg)) return;
        const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
        await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await sql.end();
      });
      it.skipIf(!("url" in pg))(
        `creates the schema in PostgreSQL${"skip" in pg ? ` (${pg.skip})` : ""}`,
        async () => {
          const url = (pg as { url: string }).url;
          const r = await runCli(["migrate"], { DATABASE_URL: url, DATABASE_SCHEMA: schema });
          expect(r.code, r.stderr).toBe(0);
          const sql = postgres(url, { max: 1, onnotice: () => {} });
          const rows = await sql<{ table_name: string }[]>`
          SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema}`;
          await sql.end();
          expect(rows.map((r) => r.table_name)).toEqual(
            expect.arrayContaining(["channels", "messages", "flags"]),
          );
        },
      );
    });
  });

  describe("channel create", () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startServer();
    });
    afterAll(() => t.close());

    it("creates a channel through the running server's REST API", async () => {
      const r = await runCli([
        "channel",
        "create",
        "pod_123_chat",
        "--name",
        "Pod 123",
        "--users",
        "1,2,3",
        "--data",
        '{"pod_id":123}',
        "--server",
        t.url,
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ channel_url: "pod_123_chat", name: "Pod 123" });
      const got = await (await t.api("/api/v1/chat/channels/pod_123_chat")).json();
      expect(got).toMatchObject({ channel_url: "pod_123_chat", name: "Pod 123", data: { pod_id: 123 } });
      const members = await t.server.store.listMembers("pod_123_chat");
      expect(members.sort()).toEqual(["1", "2", "3"]);
    });

    it("reports the server's refusal, bad input, and no server, each in one line", async () => {
      const again = await runCli(["channel", "create", "pod_123_chat", "--users", "1", "--server", t.url]);
      expect(again.code).toBe(1);
      expect(again.stderr.trim()).toMatch(/^podchat channel create: the server answered 409 /);
      const badKey = await runCli([
        "channel",
        "create",
        "x1",
        "--users",
        "1",
        "--server",
        t.url,
        "--api-key",
        "wrong-key-1",
      ]);
      expect(badKey.stderr.trim()).toMatch(/^podchat channel create: the server answered 401 /);
      const badData = await runCli([
        "channel",
        "create",
        "x2",
        "--users",
        "1",
        "--data",
        "[1]",
        "--server",
        t.url,
      ]);
      expect(badData.code).toBe(1);
      expect(badData.stderr).toMatch(/^podchat channel create: data: /);
      const noJson = await runCli([
        "channel",
        "create",
        "x3",
        "--users",
        "1",
        "--data",
        "{oops",
        "--server",
        t.url,
      ]);
      expect(noJson.stderr).toMatch(/--data is not JSON/);
      const noUsers = await runCli(["channel", "create", "x4"]);
      expect(noUsers.code).toBe(1);
      expect(noUsers.stderr).toMatch(/required option '--users <ids>'/);
      const port = await freePort();
      const none = await runCli([
        "channel",
        "create",
        "x5",
        "--users",
        "1",
        "--server",
        `http://127.0.0.1:${port}`,
      ]);
      expect(none.code).toBe(1);
      expect(none.stderr.trim()).toBe(
        `podchat channel create: no podchat server answers at http://127.0.0.1:${port} (ECONNREFUSED); start one or pass --server`,
      );
      expect(API_KEY).toBe("dev-api-key"); // the default key the CLI took from config.dev.yaml
    });
  });
});
