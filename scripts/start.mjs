#!/usr/bin/env node
// Starts podchat for a developer: the chat server on :8000 (SQLite file, in-process fan-out), the
// local Sendbird emulator on :8090 (so channels flagged to Sendbird work without Sendbird), and
// the admin dashboard on :3000 when it is present. Ctrl-C stops everything.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const children = [];

function run(name, cwd, args, env = {}) {
  const child = spawn(process.execPath, args, {
    cwd: join(root, cwd),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = `[${name}] `;
  const pipe = (stream, out) => {
    let buf = "";
    stream.on("data", (d) => {
      buf += d;
      const lines = buf.split("\n");
      buf = lines.pop();
      for (const l of lines) out.write(prefix + l + "\n");
    });
  };
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  child.on("exit", (code, signal) => {
    console.log(`${prefix}exited (${signal ?? code})`);
    if (!stopping) stop(code ?? 1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 12_000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once("exit", r))))).then(
    () => process.exit(code),
  );
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

const tsx = ["--import", "tsx"];
if (existsSync(join(root, "apps/sendbird-emulator/src/main.ts"))) {
  run("sendbird-emulator", "apps/sendbird-emulator", [...tsx, "src/main.ts"]);
}
run("server", "apps/server", [...tsx, "src/main.ts"]);
if (existsSync(join(root, "apps/admin/package.json"))) {
  run("admin", "apps/admin", [join(root, "scripts/admin.mjs")]);
}
console.log("podchat: server http://localhost:8000 (OpenAPI at /openapi.json), admin http://localhost:3000");
