/**
 * `pnpm bench [-- --loads a,b,c,d,e --runs 3 …]`: podchat, a bare `ws` server and Socket.IO 4 under
 * the same loads, one table with ratios and the issue's targets as PASS/FAIL. `--help` for flags.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchOptions, DEFAULT_OPTIONS, LOAD_IDS, type LoadId, runBench } from "./bench.ts";
import { summarizeProfile } from "./profile-summary.ts";
import { fullReport } from "./report.ts";

const benchDir = fileURLToPath(new URL("..", import.meta.url));

const HELP = `pnpm bench [-- flags]
  --loads a,b,c,d,e     loads to run (default all): a fan-out, b latency, c idle memory, d history, e two instances over Redis
  --runs N              runs per load (default ${DEFAULT_OPTIONS.runs}); the table quotes median [min–max]
  --duration S          measured seconds per phase (default ${DEFAULT_OPTIONS.durationS}); --warmup S (default ${DEFAULT_OPTIONS.warmupS})
  --connections N       sockets for a, b, e (default ${DEFAULT_OPTIONS.connections}); --room-size N (default ${DEFAULT_OPTIONS.roomSize})
  --idle-connections N  sockets for c (default ${DEFAULT_OPTIONS.idleConnections}); --idle-settle S (default ${DEFAULT_OPTIONS.idleSettleS})
  --fanout-rate N       offered deliveries/s for a and e (default ${DEFAULT_OPTIONS.fanoutRate})
  --latency-rate N      offered deliveries/s for b and e (default ${DEFAULT_OPTIONS.latencyRate})
  --probes N            latency probe sockets (default ${DEFAULT_OPTIONS.probes}); --payload BYTES (default ${DEFAULT_OPTIONS.payloadBytes})
  --history-messages N  messages in the history channel (default ${DEFAULT_OPTIONS.historyMessages}); --history-duration S
  --redis-url URL  --pg-url URL   for e (defaults ${DEFAULT_OPTIONS.redisUrl}, ${DEFAULT_OPTIONS.pgUrl})
  --cpu-prof [DIR]      profile podchat's measured windows of run 1 (V8 profiler over the inspector), summarise each (skews that run)
  --no-pin              do not pin with taskset
  --workers N           load-generator processes (default: one per 4,000 sockets, at least 2)
  --out DIR             where results go (default bench/.results)`;

function parseArgs(argv: string[]): { o: Omit<BenchOptions, "log">; out: string } {
  const o: Omit<BenchOptions, "log"> = { ...DEFAULT_OPTIONS, loads: [...DEFAULT_OPTIONS.loads] };
  let out = join(benchDir, ".results");
  const args = argv.filter((a) => a !== "--");
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    const take = () => {
      i++;
      return v;
    };
    switch (a) {
      case "--help":
      case "-h":
        console.log(HELP);
        process.exit(0);
        break;
      case "--loads": {
        const loads = (take() ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        for (const l of loads)
          if (!(LOAD_IDS as readonly string[]).includes(l))
            throw new Error(`unknown load "${l}" (a,b,c,d,e)`);
        o.loads = loads as LoadId[];
        break;
      }
      case "--runs":
        o.runs = Math.max(1, Math.floor(num(a, take())));
        break;
      case "--duration":
        o.durationS = num(a, take());
        o.historyDurationS = o.durationS;
        break;
      case "--warmup":
        o.warmupS = num(a, take());
        break;
      case "--connections":
        o.connections = Math.floor(num(a, take()));
        break;
      case "--room-size":
        o.roomSize = Math.min(100, Math.max(2, Math.floor(num(a, take()))));
        break;
      case "--idle-connections":
        o.idleConnections = Math.floor(num(a, take()));
        break;
      case "--idle-settle":
        o.idleSettleS = num(a, take());
        break;
      case "--fanout-rate":
        o.fanoutRate = num(a, take());
        break;
      case "--latency-rate":
        o.latencyRate = num(a, take());
        break;
      case "--probes":
        o.probes = Math.floor(num(a, take()));
        break;
      case "--payload":
        o.payloadBytes = Math.max(24, Math.floor(num(a, take())));
        break;
      case "--history-messages":
        o.historyMessages = Math.max(100, Math.floor(num(a, take())));
        break;
      case "--history-duration":
        o.historyDurationS = num(a, take());
        break;
      case "--redis-url":
        o.redisUrl = take() ?? o.redisUrl;
        break;
      case "--pg-url":
        o.pgUrl = take() ?? o.pgUrl;
        break;
      case "--cpu-prof":
        if (v && !v.startsWith("--")) o.cpuProfDir = resolve(take()!);
        else o.cpuProfDir = join(benchDir, ".results", "profiles");
        break;
      case "--no-pin":
        o.pin = false;
        break;
      case "--workers":
        o.workers = Math.max(1, Math.floor(num(a, take())));
        break;
      case "--out":
        out = resolve(take() ?? out);
        break;
      default:
        throw new Error(`unknown flag ${a}\n${HELP}`);
    }
  }
  return { o, out };
}

function versionOf(dir: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

async function main() {
  const { o, out } = parseArgs(process.argv.slice(2));
  mkdirSync(out, { recursive: true });
  if (o.cpuProfDir) mkdirSync(o.cpuProfDir, { recursive: true });
  const profStart = Date.now();
  const result = await runBench({ ...o, log: (l) => console.log(l) });
  const versions = {
    podchat: versionOf(join(benchDir, "../apps/server")),
    ws: versionOf(join(benchDir, "node_modules/ws")),
    "socket.io": versionOf(join(benchDir, "node_modules/socket.io")),
    hono: versionOf(join(benchDir, "../apps/server/node_modules/hono")),
  };
  const command = `pnpm bench${
    process.argv.length > 2
      ? ` -- ${process.argv
          .slice(2)
          .filter((a) => a !== "--")
          .join(" ")}`
      : ""
  }`;
  let report = fullReport(result, versions, command);
  if (o.cpuProfDir && existsSync(o.cpuProfDir)) {
    const profiles = readdirSync(o.cpuProfDir)
      .filter((f) => f.endsWith(".cpuprofile"))
      .map((f) => join(o.cpuProfDir!, f))
      .filter((f) => statSync(f).mtimeMs >= profStart);
    for (const f of profiles)
      report += `\n\npodchat server CPU profile of one measured window of run 1 (<target>-<load>-run1-<instance>) ${basename(f)}:\n${summarizeProfile(f)}`;
  }
  console.log(`\n${report}`);
  const stamp = result.startedAt.replace(/[:.]/g, "-");
  writeFileSync(join(out, `bench-${stamp}.json`), JSON.stringify({ ...result, versions }, null, 2));
  writeFileSync(join(out, `bench-${stamp}.md`), `${report}\n`);
  writeFileSync(join(out, "latest.md"), `${report}\n`);
  console.log(`\nwritten: ${join(out, `bench-${stamp}.md`)} (+ .json)`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
