#!/usr/bin/env node
// The browser e2e suite as the root test command runs it: a fresh stack on unusual loopback ports
// (Sendbird emulator, podchat server on a temporary SQLite file, the admin built and started with
// `next start`, all via Playwright's webServer), `playwright test`, then everything torn down.
// Without /usr/bin/chromium it skips LOUDLY — unless CI=true, where a skip is a failure.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const chromium = "/usr/bin/chromium";

if (!existsSync(chromium)) {
  const bar = "!".repeat(78);
  console.error(`\n${bar}\n!! e2e SKIPPED: ${chromium} is missing, so no browser test ran.`);
  console.error("!! Install it with: apt-get update && apt-get install -y chromium");
  console.error(`${bar}\n`);
  process.exit(process.env.CI === "true" ? 1 : 0);
}

/** A port free right now on 127.0.0.1, so a stray process on the default ports cannot break the run. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const ports = {};
for (const name of [
  "E2E_EMULATOR_PORT",
  "E2E_SERVER_PORT",
  "E2E_ADMIN_PORT",
  "E2E_ORPHAN_ADMIN_PORT",
  "E2E_DEAD_SERVER_PORT",
]) {
  ports[name] = process.env[name] ?? String(await freePort());
}

const dataDir = mkdtempSync(join(tmpdir(), "podchat-e2e-"));
const env = {
  ...process.env,
  ...ports,
  E2E_DATA_DIR: dataDir,
  NEXT_TELEMETRY_DISABLED: "1",
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1",
  FORCE_COLOR: process.env.FORCE_COLOR ?? "0",
};
const started = Date.now();
const child = spawn(join(here, "node_modules/.bin/playwright"), ["test", ...process.argv.slice(2)], {
  cwd: here,
  env,
  stdio: "inherit",
});

let signalled = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    signalled = true;
    child.kill(signal);
  });
}

child.on("exit", (code, signal) => {
  // Playwright stops its webServers itself; this removes what they left on disk.
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`e2e: finished in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  process.exit(code ?? (signal || signalled ? 1 : 0));
});
