#!/usr/bin/env node
// Runs N podchat server instances on consecutive ports, sharing one PostgreSQL (DATABASE_URL) and
// one Redis (REDIS_URL), with each instance's log lines prefixed. Ctrl-C drains and stops them all.
// See docs/scale-out.md.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/podchat REDIS_URL=redis://127.0.0.1:6379 \
//     node scripts/cluster.mjs 3 --base-port 8001
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const usage = `usage: DATABASE_URL=postgres://… REDIS_URL=redis://… node scripts/cluster.mjs [N=3] [--base-port 8001] [--host 127.0.0.1]

  N            number of instances (1–32)
  --base-port  port of the first instance; the others follow (8001, 8002, …)
  --host       interface to listen on (default 127.0.0.1; 0.0.0.0 to reach them from other machines)

Every other variable (APP_ENV, DATABASE_SCHEMA, LOG_LEVEL, JWT_SECRET, …) is passed through.`;

function parseArgs(argv) {
  const out = { n: 3, basePort: 8001, host: "127.0.0.1" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") {
      console.log(usage);
      process.exit(0);
    } else if (a === "--base-port") out.basePort = Number(argv[++i]);
    else if (a === "--host") out.host = argv[++i];
    else if (/^\d+$/.test(a)) out.n = Number(a);
    else {
      console.error(`unknown argument ${a}\n\n${usage}`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(out.n) || out.n < 1 || out.n > 32) {
    console.error(`N must be between 1 and 32\n\n${usage}`);
    process.exit(2);
  }
  if (!Number.isInteger(out.basePort) || out.basePort < 1 || out.basePort + out.n - 1 > 65535) {
    console.error(`--base-port must leave room for ${out.n} ports\n\n${usage}`);
    process.exit(2);
  }
  return out;
}

const { n, basePort, host } = parseArgs(process.argv.slice(2));
const missing = ["DATABASE_URL", "REDIS_URL"].filter((k) => !process.env[k]);
if (missing.length > 0) {
  console.error(
    `${missing.join(" and ")} must be set: instances share PostgreSQL (store) and Redis (fan-out).\n\n${usage}`,
  );
  process.exit(2);
}

const children = new Map();
let stopping = false;

function pipe(stream, out, prefix) {
  let buf = "";
  stream.on("data", (d) => {
    buf += d;
    const lines = buf.split("\n");
    buf = lines.pop();
    for (const l of lines) out.write(`${prefix}${l}\n`);
  });
  stream.on("end", () => buf && out.write(`${prefix}${buf}\n`));
}

function startInstance(i) {
  const port = basePort + i;
  const name = `podchat-${i + 1}:${port}`;
  const prefix = `[${name}] `;
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: join(root, "apps/server"),
    env: { ...process.env, PORT: String(port), HOST: host },
    stdio: ["ignore", "pipe", "pipe"],
  });
  pipe(child.stdout, process.stdout, prefix);
  pipe(child.stderr, process.stderr, prefix);
  children.set(name, child);
  child.on("exit", (code, signal) => {
    children.delete(name);
    console.log(`${prefix}exited (${signal ?? code})`);
    // The others keep serving (that is the point of several instances); stop when none is left.
    if (!stopping && children.size === 0) process.exit(1);
  });
}

function stop() {
  if (stopping) return;
  stopping = true;
  console.log(`cluster: draining ${children.size} instance(s)…`);
  // SIGTERM = graceful drain: sockets get 1001 and reconnect elsewhere, the store is flushed.
  for (const c of children.values()) c.kill("SIGTERM");
  setTimeout(() => {
    for (const c of children.values()) c.kill("SIGKILL");
    process.exit(1);
  }, 20_000).unref();
  const exits = [...children.values()].map((c) => new Promise((r) => c.once("exit", r)));
  Promise.all(exits).then(() => process.exit(0));
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

for (let i = 0; i < n; i++) startInstance(i);
const shown = host === "0.0.0.0" ? "127.0.0.1" : host;
console.log(
  `cluster: ${n} instance(s) on http://${shown}:${basePort}…${basePort + n - 1} ` +
    "(put a WebSocket-capable load balancer in front; see docs/scale-out.md). Ctrl-C stops them all.",
);
