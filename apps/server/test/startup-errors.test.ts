import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, runCli, runNode, serverDir, tempDir } from "./cli/run-cli.ts";

/** The server entry from its sources, as `pnpm start` runs it. */
const startMain = (env: Record<string, string>) => runNode(["--import", "tsx", "src/main.ts"], env, 40_000);

function expectOneLine(r: { stderr: string; stdout: string }, line: string | RegExp) {
  const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
  expect(lines, r.stderr).toHaveLength(1);
  if (typeof line === "string") expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
  expect(r.stdout).not.toContain("listening");
}

describe("start-up errors: one clear line and a non-zero exit", () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => busy.close(() => r())));
  const db = () => ({ SQLITE_PATH: join(tempDir(), "db.sqlite"), UPLOADS_DIR: join(tempDir(), "up") });

  it("port in use", async () => {
    const r = await startMain({ PORT: String(busyPort), ...db() });
    expect(r.code).toBe(1);
    expectOneLine(r, `podchat cannot start: port ${busyPort} on 127.0.0.1 is in use`);
    // `podchat start` is the same start.
    const cli = await runCli(["start"], { PORT: String(busyPort), ...db() }, 40_000);
    expect(cli.code).toBe(1);
    expectOneLine(cli, `podchat cannot start: port ${busyPort} on 127.0.0.1 is in use`);
  });

  it("database unreachable (bad DATABASE_URL)", async () => {
    const port = await freePort();
    const refused = await startMain({ DATABASE_URL: `postgres://podchat:pw@127.0.0.1:${port}/podchat` });
    expect(refused.code).toBe(1);
    expectOneLine(
      refused,
      `podchat cannot start: cannot open the database (PostgreSQL at postgres://podchat:***@127.0.0.1:${port}/podchat): connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    const noHost = await startMain({ DATABASE_URL: "postgres://podchat@no-such-host.invalid/podchat" });
    expect(noHost.code).toBe(1);
    expectOneLine(
      noHost,
      /^podchat cannot start: cannot open the database \(PostgreSQL at .*\): getaddrinfo (ENOTFOUND|EAI_AGAIN) no-such-host\.invalid$/,
    );
    const garbage = await startMain({ DATABASE_URL: "not a url" });
    expect(garbage.code).toBe(1);
    expectOneLine(
      garbage,
      /^podchat cannot start: cannot open the database \(PostgreSQL at \(unparsable URL\)\): /,
    );
  });

  it("an unusable SQLite file", async () => {
    const dir = tempDir();
    const file = join(dir, "not-a-db.sqlite");
    writeFileSync(file, "plain text, not SQLite ".repeat(100));
    const r = await startMain({ SQLITE_PATH: file, UPLOADS_DIR: join(dir, "up") });
    expect(r.code).toBe(1);
    expectOneLine(
      r,
      `podchat cannot start: cannot open the database (SQLite file ${file}): file is not a database`,
    );
  });

  it("bad config key or value (exit 2)", async () => {
    const port = await startMain({ PORT: "eighty" });
    expect(port.code).toBe(2);
    expectOneLine(port, 'config error: PORT must be a number, got "eighty"');
    const two = await startMain({ LOG_LEVEL: "loud", JWT_MAX_LIFETIME_S: "5" });
    expect(two.code).toBe(2);
    expectOneLine(
      two,
      /^config error in .*config\.dev\.yaml \(\+ environment\): auth\.jwt\.max_lifetime_s: .*; log\.level: /,
    );
    const dir = tempDir();
    writeFileSync(
      join(dir, "config.dev.yaml"),
      "auth:\n  jwt:\n    secret: 0123456789abcdef0123\nchat:\n  use_websocket: true\n  typo_key: 1\n",
    );
    const typo = await startMain({ CONFIG_DIR: dir });
    expect(typo.code).toBe(2);
    expectOneLine(typo, /^config error in .*: chat: unknown key\(s\) typo_key$/);
  });

  it("stg/prod refuse the shipped or a missing admin password: one line, exit 2", async () => {
    const secrets = { JWT_SECRET: "prod-secret-prod-secret-prod-secret", API_KEYS: "prod-api-key-123" };
    for (const env of ["stg", "prod"]) {
      const r = await startMain({ APP_ENV: env, ...secrets, ADMIN_PASSWORD: "admin" });
      expect(r.code).toBe(2);
      expectOneLine(
        r,
        `config error: APP_ENV=${env} refuses to start: auth.admin.password (ADMIN_PASSWORD) is the dev default`,
      );
    }
    const missing = await startMain({ APP_ENV: "prod", ...secrets, ADMIN_PASSWORD: "" });
    expect(missing.code).toBe(2);
    expectOneLine(missing, /auth\.admin\.password \(ADMIN_PASSWORD\) is missing$/);
  });

  it("unusable upload storage", async () => {
    const dir = tempDir();
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    const r = await startMain({ SQLITE_PATH: join(dir, "db.sqlite"), UPLOADS_DIR: join(file, "uploads") });
    expect(r.code).toBe(1);
    expectOneLine(r, /^podchat cannot start: file storage: the uploads folder .* cannot be used \(ENOTDIR/);
  });
});

describe("scripts/start.mjs", () => {
  const script = join(serverDir, "..", "..", "scripts", "start.mjs");

  it("says where the server listens only once it does, and stops it on SIGTERM", async () => {
    const port = await freePort();
    const dir = tempDir();
    const proc = spawn(process.execPath, [script, "--only", "server"], {
      env: {
        ...process.env,
        DATABASE_URL: "",
        REDIS_URL: "",
        APP_ENV: "dev",
        HOST: "127.0.0.1",
        PORT: String(port),
        SQLITE_PATH: join(dir, "db.sqlite"),
        UPLOADS_DIR: join(dir, "up"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stderr.on("data", (d) => (out += d));
    const healthAtAnnounce = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no announcement: ${out}`)), 30_000);
      proc.stdout.on("data", (d) => {
        out += d;
        if (out.includes("podchat: server listening on")) {
          clearTimeout(timer);
          // The announcement comes after the port is open: /healthz answers right away.
          fetch(`http://127.0.0.1:${port}/healthz`).then((r) => resolve(r.status), reject);
        }
      });
    });
    expect(healthAtAnnounce).toBe(200);
    expect(out).toContain(`podchat: server listening on http://127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 200));
    expect(out).toContain(
      `podchat: ready: server http://127.0.0.1:${port} (OpenAPI at http://127.0.0.1:${port}/openapi.json)`,
    );
    expect(out.indexOf("podchat: ready")).toBeGreaterThan(out.indexOf("podchat listening on"));
    const code = await new Promise<number | null>((r) => {
      proc.once("exit", (c) => r(c));
      proc.kill("SIGTERM");
    });
    expect(code).toBe(0);
  });

  it("says which process died and why, and exits non-zero", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await runNode([script, "--only", "server"], { PORT: String(port) }, 40_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `podchat: server exited with code 1: podchat cannot start: port ${port} on 127.0.0.1 is in use; stopping the others`,
      );
      expect(r.stdout).not.toContain("listening");
    } finally {
      busy.close();
    }
  });
});
