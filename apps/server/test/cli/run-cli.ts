import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const serverDir = join(import.meta.dirname, "..", "..");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A fresh folder for one test's database and uploads. */
export function tempDir(prefix = "podchat-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Runs a node entry of the server package (the CLI from its sources by default) with the dev
 * config and `env` on top, and collects its output.
 */
export function runNode(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 30_000,
): Promise<CliResult> {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    // The runner's own service URLs would switch the store and bus; tests opt in explicitly.
    DATABASE_URL: "",
    REDIS_URL: "",
    APP_ENV: "dev",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    ...env,
  };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const proc = spawn(process.execPath, args, {
    cwd: serverDir,
    env: merged as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (d) => (stdout += d));
  proc.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${args.join(" ")} did not exit within ${timeoutMs} ms: ${stdout}${stderr}`));
    }, timeoutMs);
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `podchat <args>` from the sources (tsx). */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs?: number) {
  return runNode(["--import", "tsx", "src/cli/podchat.ts", ...args], env, timeoutMs);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
