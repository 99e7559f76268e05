/**
 * Pre-store message hooks: the added send latency. The same socket send load on podchat (SQLite,
 * one process) with no hook, the built-in profanity filter (en + ko, mask), the links filter, and
 * an HTTP hook to a fast local receiver (answers accept at once). Measures ACK latency p50/p99 and
 * throughput per setup.
 *
 *   pnpm --filter @podchat/bench hooks -- --rooms 10 --messages 300 --window 1
 *
 * `--window 1` (one send in flight per socket) shows the latency each send pays; a larger window
 * shows throughput under load. Not part of `pnpm test`. Figures vary with machine load: compare
 * rows of one run.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runAckLoad } from "../load/ack-load.ts";
import { parse, stringify } from "yaml";
import { createChannels, startPodchatInstance, writeBenchConfig } from "../targets/podchat.ts";

const { values } = parseArgs({
  options: {
    rooms: { type: "string", default: "10" },
    messages: { type: "string", default: "300" },
    window: { type: "string", default: "1" },
  },
});
const rooms = Number(values.rooms);
const perRoom = Number(values.messages);
const window = Number(values.window);

type Mode = "none" | "profanity" | "links" | "http";
const SECRET = "bench-hook-secret-0123456789";

/** A fast hook receiver: answers accept at once. */
async function receiver() {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.writeHead(200, { "content-type": "application/json" }).end('{"action":"accept"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received: () => received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function run(mode: Mode) {
  const dir = mkdtempSync(join(tmpdir(), `podchat-hook-bench-${mode}-`));
  const configDir = writeBenchConfig(join(dir, "config"));
  const rx = mode === "http" ? await receiver() : null;
  const hooks = {
    none: [],
    profanity: [{ kind: "profanity", languages: ["en", "ko"], action: "mask" }],
    links: [{ kind: "links", action: "allow_domains", domains: ["example.com"] }],
    http: [{ kind: "http", url: rx?.url, secret: SECRET, timeout_ms: 1000, on_failure: "accept" }],
  }[mode];
  const file = join(configDir, "config.dev.yaml");
  const cfg = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  cfg.messages = { hooks };
  writeFileSync(file, stringify(cfg));
  const server = await startPodchatInstance(
    `podchat (${mode})`,
    { configDir, sqlitePath: join(dir, "s.sqlite") },
    null,
  );
  try {
    const list = Array.from({ length: rooms }, (_, i) => ({
      name: `hook_bench_${i}`,
      ordinal: i,
      userIds: [`u${i}`],
    }));
    await createChannels(server.port, list);
    const load = await runAckLoad({
      port: server.port,
      rooms: list,
      perRoom,
      window,
      // A realistic chat line, some Korean included: the filters scan all of it.
      message: (req) => `안녕하세요 message ${req} from the bench, see https://docs.example.com/x`,
    });
    return {
      mode,
      ...load,
      hookRequests: rx?.received() ?? 0,
    };
  } finally {
    await server.stop();
    await rx?.close();
  }
}

const rows = [];
for (const mode of (process.env.HOOK_MODES?.split(",") as Mode[] | undefined) ??
  (["none", "profanity", "links", "http", "none"] as const))
  rows.push(await run(mode));
console.log(
  `\nmessage hooks bench — ${new Date().toISOString()}, ${rooms} rooms × ${perRoom} sends, ${window} in flight per socket`,
);
console.log("| hooks | sends | sends/s | ACK p50 ms | ACK p99 ms | hook requests |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const r of rows)
  console.log(
    `| ${r.mode} | ${r.sends} | ${r.perSec.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.hookRequests} |`,
  );
