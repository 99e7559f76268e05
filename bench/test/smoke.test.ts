import { describe, expect, it } from "vitest";
import { type BenchResult, DEFAULT_OPTIONS, runBench, type SampleLoad } from "../src/bench.ts";
import { checkTargets, fullReport } from "../src/report.ts";

/**
 * A tiny version of every load, end to end. Asserts the harness measured something sane for every
 * server — never the performance targets (timing on a shared machine must not fail the build).
 */
describe("bench smoke run", () => {
  it("measures every load on every server", async () => {
    const lines: string[] = [];
    const r: BenchResult = await runBench({
      ...DEFAULT_OPTIONS,
      runs: 1,
      connections: 200,
      idleConnections: 200,
      fanoutRate: 4000,
      latencyRate: 2000,
      probes: 20,
      warmupS: 0.5,
      durationS: 1,
      idleSettleS: 0.5,
      quietMs: 300,
      historyMessages: 5000,
      historyDurationS: 1,
      workers: 2,
      log: (l) => lines.push(l),
    });
    const servers = (load: SampleLoad) => r.samples.filter((s) => s.load === load).map((s) => s.server);

    for (const load of ["a", "b"] as const) {
      expect(servers(load).sort()).toEqual(["podchat", "socket.io", "ws"]);
      for (const s of r.samples.filter((x) => x.load === load)) {
        expect(s.m.sockets, `${s.server} sockets`).toBe(200);
        expect(s.m.deliveries, `${s.server} deliveries`).toBeGreaterThan(0);
        expect(s.m.cpuSeconds, `${s.server} cpu`).toBeGreaterThan(0);
        expect(s.m.perCpuS, `${s.server} per cpu-s`).toBeGreaterThan(0);
        expect(s.m.probeSamples, `${s.server} probe samples`).toBeGreaterThan(0);
        expect(s.m.p99, `${s.server} p99`).toBeGreaterThanOrEqual(s.m.p50!);
      }
    }
    // The podchat server's own delivery counter agrees with the clients' count within reason.
    const podA = r.samples.find((s) => s.load === "a" && s.server === "podchat")!;
    expect(podA.m.serverDeliveries).toBeGreaterThan(0);

    expect(servers("c").sort()).toEqual(["podchat", "socket.io", "ws"]);
    for (const s of r.samples.filter((x) => x.load === "c")) {
      expect(s.m.sockets, `${s.server} idle sockets`).toBe(200);
      expect(Number.isFinite(s.m.perConnKiB), `${s.server} KiB/socket`).toBe(true);
    }

    const d = r.samples.find((s) => s.load === "d")!;
    expect(d.m.requests).toBeGreaterThan(10);
    expect(d.m.errors).toBe(0);

    if (r.skipped.length > 0) {
      console.warn(`\n!!! bench smoke: ${r.skipped.join("; ")}\n`);
    } else {
      for (const load of ["e-a", "e-b"] as const) {
        expect(servers(load).sort()).toEqual(["podchat×2", "ws×2"]);
        for (const s of r.samples.filter((x) => x.load === load))
          expect(s.m.deliveries, `${s.server} deliveries`).toBeGreaterThan(0);
      }
    }

    const checks = checkTargets(r);
    expect(checks.length).toBeGreaterThanOrEqual(r.skipped.length > 0 ? 6 : 9);
    for (const c of checks) expect(Number.isFinite(c.value), c.name).toBe(true);
    const report = fullReport(r, {}, "smoke");
    expect(report).toContain("(a) fan-out");
    expect(report).toMatch(/targets: \d+ PASS, \d+ FAIL/);
  });
});
