/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): top functions by self time, and self
 * time per package/area. `node --import tsx src/profile-summary.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Where a function lives: a package, podchat's own code, node internals, or a V8 pseudo-frame. */
function area(url: string, name: string): string {
  if (!url) return name.startsWith("(") ? name : "(native)";
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return "node internals";
  const own = /\/(apps|packages)\/([^/]+)\/src\/(.*)$/.exec(url);
  if (own) return `podchat ${own[1]}/${own[2]}/${own[3]!.split("/")[0]}`;
  return url;
}

export function summarizeProfile(file: string, top = 25): string {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  // Self time per node from the sample timeline (timeDeltas[i] precedes samples[i]).
  const self = new Map<number, number>();
  if (p.samples && p.timeDeltas) {
    for (let i = 0; i < p.samples.length; i++) {
      const next = p.timeDeltas[i + 1] ?? 0;
      self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + next);
    }
  } else {
    const total = p.endTime - p.startTime;
    const hits = p.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0) || 1;
    for (const n of p.nodes) self.set(n.id, ((n.hitCount ?? 0) * total) / hits);
  }
  const byFn = new Map<string, { us: number; area: string }>();
  const byArea = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const n of p.nodes) {
    const us = self.get(n.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === "(idle)") {
      idle += us;
      continue;
    }
    total += us;
    const where = area(url, functionName);
    const file = url
      ? url.replace(/^.*\/(node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?|apps\/|packages\/)/, "")
      : "";
    const key = `${functionName || "(anonymous)"} ${file ? `${file}:${lineNumber + 1}` : ""}`.trim();
    const cur = byFn.get(key) ?? { us: 0, area: where };
    cur.us += us;
    byFn.set(key, cur);
    byArea.set(where, (byArea.get(where) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`;
  const lines = [
    `profile ${file}: ${(total / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle (percentages of busy time)`,
    "",
    "| self % | self ms | function | area |",
    "| --- | --- | --- | --- |",
    ...[...byFn.entries()]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([k, v]) => `| ${pct(v.us)} | ${(v.us / 1000).toFixed(0)} | \`${k}\` | ${v.area} |`),
    "",
    "| self % | area |",
    "| --- | --- |",
    ...[...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([k, v]) => `| ${pct(v)} | ${k} |`),
  ];
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "\0")) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: profile-summary.ts <file.cpuprofile> [top]");
    process.exit(2);
  }
  console.log(summarizeProfile(file, Number(process.argv[3] ?? 25)));
}
