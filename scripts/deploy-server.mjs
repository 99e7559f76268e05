#!/usr/bin/env node
// Builds the server and writes a self-contained folder that runs with plain `node` (no tsx, no
// workspace): dist/ (the bundle), config/, bin/podchat.mjs and node_modules with the production
// dependencies only, native ones (better-sqlite3, sharp) built for this machine.
//   node scripts/deploy-server.mjs <empty-or-new-folder>      (or: pnpm deploy:server <folder>)
// Then: cd <folder> && APP_ENV=prod … node dist/main.js   (or node bin/podchat.mjs start)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = process.argv[2];
if (!target) {
  console.error("usage: node scripts/deploy-server.mjs <folder>");
  process.exit(2);
}
const out = resolve(target);
if (existsSync(out) && readdirSync(out).length > 0) {
  console.error(`deploy-server: ${out} is not empty`);
  process.exit(2);
}

/** pnpm: the one running this script, else the version the workspace pins, through npx. */
function pnpm() {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return [process.execPath, [execPath]];
  const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager ?? "pnpm@10";
  return ["npx", ["-y", pinned]];
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) {
    console.error(`deploy-server: ${[cmd, ...args].join(" ")} failed (${r.status ?? r.signal})`);
    process.exit(1);
  }
}

const [cmd, pre] = pnpm();
// The server's own build (what `pnpm build` runs for it through turbo), called directly so this
// script also works inside a turbo task (the built-server test runs under `turbo run test`).
run(cmd, [...pre, "--filter", "@podchat/server", "run", "build"]);
// --legacy: the workspace does not use injected workspace packages; @podchat/protocol is bundled
// into dist/ anyway, so its copy in node_modules is never loaded.
run(cmd, [...pre, "--filter", "@podchat/server", "deploy", "--legacy", "--prod", out]);
console.log(`deploy-server: ${out} is ready: cd there and run \`node dist/main.js\``);
