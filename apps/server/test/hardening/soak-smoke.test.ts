import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { serverDir } from "./support.ts";

describe("soak (smoke run)", () => {
  it("churns ~200 sockets for ~10 s with nothing lost and memory back to baseline", async () => {
    const proc = spawn(
      process.execPath,
      ["--import", "tsx", "test/soak/soak.ts", "--seconds", "10", "--connections", "200"],
      { cwd: serverDir, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.stderr.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => proc.kill("SIGKILL"), 55_000);
      proc.once("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    console.log(out.trim());
    expect(code, out).toBe(0);
    const line = /SOAK_RESULT (.*)/.exec(out)?.[1];
    expect(line).toBeDefined();
    const r = JSON.parse(line!) as Record<string, number>;
    expect(r.problems).toBe(0);
    expect(r.sessions).toBeGreaterThan(200);
    expect(r.acks).toBe(r.stored);
    expect(r.deliveries_received).toBeGreaterThan(0);
  }, 60_000);
});
