import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { API_KEY, TestSocket, token } from "./harness.ts";

const serverDir = join(import.meta.dirname, "..");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startProcess(env: Record<string, string>): Promise<{ proc: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { ...process.env, APP_ENV: "dev", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    proc.stdout!.on("data", () => {
      if (out.includes("podchat listening")) {
        clearTimeout(timer);
        resolve({ proc, output: () => out });
      }
    });
    proc.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

let running: ChildProcess | null = null;
afterEach(() => {
  running?.kill("SIGKILL");
  running = null;
});

describe("process lifecycle", () => {
  it("SIGTERM closes sockets with 1001, flushes the store and exits 0; a restart keeps everything", async () => {
    const port = await freePort();
    const dbPath = join(mkdtempSync(join(tmpdir(), "podchat-sigterm-")), "chat.sqlite");
    const env = { PORT: String(port), SQLITE_PATH: dbPath };
    const { proc, output } = await startProcess(env);
    running = proc;
    const base = `http://127.0.0.1:${port}`;
    const created = await fetch(`${base}/api/v1/chat/channels`, {
      method: "POST",
      headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
      body: JSON.stringify({ channel_url: "term", user_ids: ["1"] }),
    });
    expect(created.status).toBe(201);
    const s = TestSocket.open(`ws://127.0.0.1:${port}/api/v1/chat/ws/term?token=${await token("1")}`);
    await s.type("CONNECTED");
    for (let i = 0; i < 20; i++) s.send({ type: "MESG", message: `m${i}`, req_id: `r${i}` });
    await s.next((f) => f.type === "ACK" && f.req_id === "r19");
    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    proc.kill("SIGTERM");
    expect(await s.closed()).toBe(1001);
    expect(await exited).toBe(0);
    expect(output()).toMatch(/"msg":"draining"/);
    expect(output()).not.toContain("dev-only-jwt-secret");

    const again = await startProcess(env);
    running = again.proc;
    const hist = await (
      await fetch(`${base}/api/v1/chat/channels/term/messages?limit=50`, {
        headers: { "X-Api-Key": API_KEY },
      })
    ).json();
    expect(hist.messages.map((m: { seq: number }) => m.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it("refuses to start with a clear message naming the bad key", async () => {
    const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: serverDir,
      env: { ...process.env, APP_ENV: "prod" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    proc.stderr.on("data", (d) => (err += d));
    const code = await new Promise<number | null>((r) => proc.once("exit", (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/JWT_SECRET/);
  });
});
