#!/usr/bin/env node
// Starts podchat for a developer: the chat server on :8000 (SQLite file, in-process fan-out), the
// local Sendbird emulator on :8090 (so channels flagged to Sendbird work without Sendbird), and
// the admin dashboard on :3000 when it is present. Ctrl-C stops everything.
// It says where things listen once each of them does, and when one process dies, which one and
// why (exit code or signal, and its last line on stderr); then it stops the others.
//   node scripts/start.mjs [--only server,sendbird-emulator,admin]
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values: flags } = parseArgs({ options: { only: { type: "string" } } });
const only = flags.only ? new Set(flags.only.split(",").map((s) => s.trim())) : null;
const wanted = (name) => !only || only.has(name);

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const children = [];
/** name → the URL it announced, once it listens. */
const listening = new Map();
let expected = 0;

/**
 * Runs one process with prefixed output. `ready` finds the "listening" line in its output and
 * returns the URL to show (or true when the URL is `url`).
 */
function run(name, cwd, args, { env = {}, ready, url } = {}) {
  expected++;
  const child = spawn(process.execPath, args, {
    cwd: join(root, cwd),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = `[${name}] `;
  let lastErr = "";
  const pipe = (stream, out, isErr) => {
    let buf = "";
    stream.on("data", (d) => {
      buf += d;
      const lines = buf.split("\n");
      buf = lines.pop();
      for (const l of lines) {
        out.write(`${prefix}${l}\n`);
        if (isErr && l.trim()) lastErr = l.trim();
        if (!listening.has(name)) {
          const found = ready(l);
          if (found) announce(name, found === true ? url : found);
        }
      }
    });
  };
  pipe(child.stdout, process.stdout, false);
  pipe(child.stderr, process.stderr, true);
  child.on("exit", (code, signal) => {
    child.exited = true;
    if (stopping) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    console.error(`podchat: ${name} ${how}${lastErr ? `: ${lastErr}` : ""}; stopping the others`);
    stop(code || 1);
  });
  children.push(child);
  return child;
}

function announce(name, url) {
  listening.set(name, url);
  console.log(`podchat: ${name} listening on ${url}`);
  if (listening.size === expected) {
    const server = listening.get("server");
    const admin = listening.get("admin");
    const parts = [
      server && `server ${server} (OpenAPI at ${server}/openapi.json)`,
      admin && `admin ${admin}`,
    ];
    console.log(`podchat: ready: ${parts.filter(Boolean).join(", ") || [...listening.keys()].join(", ")}`);
  }
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (!c.exited) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 12_000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exited ? r() : c.once("exit", r))))).then(() =>
    process.exit(code),
  );
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

const tsx = ["--import", "tsx"];
if (wanted("sendbird-emulator") && existsSync(join(root, "apps/sendbird-emulator/src/main.ts"))) {
  run("sendbird-emulator", "apps/sendbird-emulator", [...tsx, "src/main.ts"], {
    ready: (l) => /listening at (\S+)/.exec(l)?.[1],
  });
}
if (wanted("server")) {
  run("server", "apps/server", [...tsx, "src/main.ts"], {
    // pino's JSON line: {"msg":"podchat listening on http://…"}
    ready: (l) => /podchat listening on (http\S+?)"/.exec(l)?.[1],
  });
}
if (wanted("admin") && existsSync(join(root, "apps/admin/package.json"))) {
  const port = process.env.ADMIN_PORT || "3000";
  run("admin", "apps/admin", [join(root, "scripts/admin.mjs")], {
    // next start: "- Local: http://localhost:3000" then "✓ Ready in …".
    ready: (l) => /Ready in/.test(l),
    url: `http://localhost:${port}`,
  });
}
