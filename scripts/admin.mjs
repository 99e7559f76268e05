#!/usr/bin/env node
// Starts the admin dashboard: builds it first when `.next` is missing or older than its sources
// (the admin's own, and the workspace packages it bundles), then `next start`.
// Env: PODCHAT_SERVER_URL (default http://localhost:8000), ADMIN_PORT (default 3000), ADMIN_HOST.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const admin = join(root, "apps/admin");
const next = join(admin, "node_modules/next/dist/bin/next");
const env = {
  ...process.env,
  PODCHAT_SERVER_URL: process.env.PODCHAT_SERVER_URL || "http://localhost:8000",
  NEXT_TELEMETRY_DISABLED: "1",
};
const port = process.env.ADMIN_PORT || "3000";

const sources = [
  "apps/admin/app",
  "apps/admin/lib",
  "apps/admin/stores",
  "apps/admin/providers",
  "apps/admin/next.config.ts",
  "apps/admin/proxy.ts",
  "apps/admin/package.json",
  "apps/admin/tsconfig.json",
  "packages/protocol/src",
  "packages/client-sdk/src",
].map((p) => join(root, p));

/** Newest modification time under `path` (test files excluded: they are not built). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

const buildId = join(admin, ".next/BUILD_ID");
const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
const sourcesAt = Math.max(...sources.map(newest));
if (builtAt < sourcesAt) {
  console.log(
    builtAt ? "admin: sources changed since the last build, rebuilding" : "admin: no build yet, building",
  );
  const started = Date.now();
  const build = spawnSync(process.execPath, [next, "build"], { cwd: admin, env, stdio: "inherit" });
  if (build.status !== 0) {
    console.error(`admin: next build failed (exit ${build.status ?? build.signal})`);
    process.exit(1);
  }
  console.log(`admin: built in ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

const args = [next, "start", "-p", port];
if (process.env.ADMIN_HOST) args.push("-H", process.env.ADMIN_HOST);
const child = spawn(process.execPath, args, { cwd: admin, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
