import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, TestSocket } from "../harness.ts";
import { freePort, runNode, serverDir, tempDir } from "../cli/run-cli.ts";

const repo = join(serverDir, "..", "..");

/**
 * The production artifact: `scripts/deploy-server.mjs` builds the server and deploys it into a
 * clean folder outside the repository; there it runs with plain `node`, no tsx, no workspace.
 */
describe("built and deployed server", () => {
  const out = join(tempDir("podchat-deploy-"), "podchat");
  let proc: ChildProcess | undefined;
  let port: number;
  let output = "";

  beforeAll(async () => {
    const deploy = await runNode([join(repo, "scripts/deploy-server.mjs"), out], {}, 170_000);
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
  }, 180_000);

  afterAll(() => {
    proc?.kill("SIGKILL");
  });

  it("is self-contained: the bundle, config and production dependencies only", () => {
    expect(existsSync(join(out, "dist/main.js"))).toBe(true);
    expect(existsSync(join(out, "dist/podchat.js"))).toBe(true);
    expect(existsSync(join(out, "config/config.prod.yaml"))).toBe(true);
    expect(existsSync(join(out, "src"))).toBe(false);
    const installed = readdirSync(join(out, "node_modules/.pnpm"));
    for (const devOnly of ["tsx@", "typescript@", "vitest@", "esbuild@"])
      expect(
        installed.filter((p) => p.startsWith(devOnly)),
        devOnly,
      ).toEqual([]);
    expect(installed.some((p) => p.startsWith("better-sqlite3@"))).toBe(true);
    // Nothing links back into the repository (pnpm's links stay inside the folder).
    const top = readdirSync(join(out, "node_modules")).flatMap((n) =>
      n.startsWith("@") ? readdirSync(join(out, "node_modules", n)).map((m) => `${n}/${m}`) : [n],
    );
    const outside = top.filter(
      (n) => !n.startsWith(".") && !realpathSync(join(out, "node_modules", n)).startsWith(realpathSync(out)),
    );
    expect(outside).toEqual([]);
  });

  it("starts with node, serves REST and sockets, and stops on SIGTERM", async () => {
    port = await freePort();
    const data = join(out, "data");
    proc = spawn(process.execPath, ["dist/main.js"], {
      cwd: out,
      env: {
        PATH: process.env.PATH ?? "",
        APP_ENV: "dev",
        HOST: "127.0.0.1",
        PORT: String(port),
        SQLITE_PATH: join(data, "chat.sqlite"),
        UPLOADS_DIR: join(data, "uploads"),
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const p = proc;
    p.stdout!.on("data", (d) => (output += d));
    p.stderr!.on("data", (d) => (output += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`did not start: ${output}`)), 30_000);
      p.stdout!.on("data", () => {
        if (output.includes("podchat listening")) {
          clearTimeout(timer);
          resolve();
        }
      });
      p.once("exit", (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // The OpenAPI document is generated at run time (hono-openapi loads its zod converter lazily).
    const doc = await fetch(`${base}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(Object.keys((await doc.json()).paths)).toContain("/api/v1/admin/tokens");

    const created = await fetch(`${base}/api/v1/chat/channels`, {
      method: "POST",
      headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
      body: JSON.stringify({
        channel_url: "pod_123_chat",
        name: "Pod",
        user_ids: ["1", "2"],
        data: { pod_id: 123 },
      }),
    });
    expect(created.status).toBe(201);

    // Tokens from the deployed CLI, verified by the deployed server.
    const mint = async (user: string) => {
      const r = await runNode([join(out, "bin/podchat.mjs"), "token", user], {
        PATH: process.env.PATH ?? "",
      });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const [t1, t2] = await Promise.all([mint("1"), mint("2")]);
    const a = TestSocket.open(`ws://127.0.0.1:${port}/api/v1/chat/ws/pod_123_chat?token=${t1}`);
    const b = TestSocket.open(`ws://127.0.0.1:${port}/api/v1/chat/ws/pod_123_chat?token=${t2}`);
    await Promise.all([a.type("CONNECTED"), b.type("CONNECTED")]);
    a.send({ type: "MESG", message: "안녕하세요!", req_id: "r1" });
    const got = await b.next((f) => f.type === "MESG");
    expect(got).toMatchObject({ channel_url: "pod_123_chat", user_id: 1, message: "안녕하세요!", seq: 1 });
    expect(await a.next((f) => f.type === "ACK" && f.req_id === "r1")).toMatchObject({ seq: 1 });

    const exited = new Promise<number | null>((r) => p.once("exit", (code) => r(code)));
    p.kill("SIGTERM");
    expect(await b.closed()).toBe(1001);
    expect(await exited).toBe(0);
    proc = undefined;
    expect(output).toMatch(/"msg":"draining"/);
  });
});
