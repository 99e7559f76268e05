#!/usr/bin/env node
// The one test command: lint + format check, type-check, every package's tests (real sockets,
// real SQLite; PostgreSQL/Redis suites when available), then the browser e2e suite.
// With CI=true nothing may be skipped for a missing service or browser.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1", FORCE_COLOR: "0" };
const results = [];

function step(name, cmd, args, cwd = root) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(" ")}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd, env, stdio: "inherit" });
  const ok = r.status === 0;
  results.push({ name, ok, s: ((Date.now() - started) / 1000).toFixed(0) });
  return ok;
}

const bin = (n) => join(root, "node_modules/.bin", n);
step("lint", bin("biome"), ["check", "."]);
// Unused files, exports and dependencies (knip.json): dead code fails the run.
step("unused", bin("knip"), ["--no-progress"]);
// The server's layers and no import cycles (apps/server/.dependency-cruiser.cjs).
const server = join(root, "apps/server");
step(
  "architecture",
  join(server, "node_modules/.bin/depcruise"),
  ["src", "--config", ".dependency-cruiser.cjs"],
  server,
);
step("typecheck", bin("turbo"), ["run", "typecheck", "--output-logs=errors-only"]);
// One package at a time: the suites start real servers and measure nothing by wall clock, but two
// cores shared by several suites make timeouts likelier.
step("unit+integration", bin("turbo"), ["run", "test", "--concurrency=1", "--continue"]);
if (existsSync(join(root, "e2e/package.json"))) {
  step("e2e", process.execPath, [join(root, "e2e/run.mjs")]);
}

console.log("\n=== summary");
for (const r of results) console.log(`${r.ok ? "PASS" : "FAIL"}  ${r.name} (${r.s}s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
