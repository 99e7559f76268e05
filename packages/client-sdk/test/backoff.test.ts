import { describe, expect, it } from "vitest";
import { backoffDelay, defaultReconnectPolicy, reconnectDelay } from "../src/backoff.ts";
import { seeded } from "./helpers.ts";

const { minDelayMs, maxDelayMs, factor } = defaultReconnectPolicy;

describe("backoff", () => {
  it("exports the documented defaults", () => {
    expect(defaultReconnectPolicy).toMatchObject({ minDelayMs: 500, maxDelayMs: 20_000, factor: 2 });
  });

  it("stays within [min, min + min(max, min·factor^n)] and never above max", () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(maxDelayMs, minDelayMs * factor ** attempt);
      const low = backoffDelay(attempt, minDelayMs, maxDelayMs, factor, () => 0);
      const high = backoffDelay(attempt, minDelayMs, maxDelayMs, factor, () => 0.999999);
      expect(low).toBe(minDelayMs);
      expect(high).toBeLessThanOrEqual(Math.min(maxDelayMs, minDelayMs + ceiling));
      expect(high).toBeGreaterThan(Math.min(maxDelayMs, minDelayMs + ceiling) - 2);
    }
    expect(backoffDelay(0, minDelayMs, maxDelayMs, factor, () => 0.999999)).toBeLessThanOrEqual(1000);
    expect(backoffDelay(100, minDelayMs, maxDelayMs, factor, () => 0.999999)).toBe(maxDelayMs);
  });

  it("spreads delays across the whole window (full jitter)", () => {
    const random = seeded(42);
    const samples = Array.from({ length: 2000 }, () =>
      backoffDelay(3, minDelayMs, maxDelayMs, factor, random),
    );
    // attempt 3: window is [500, 4500]
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...samples)).toBeLessThanOrEqual(4500);
    expect(Math.min(...samples)).toBeLessThan(700);
    expect(Math.max(...samples)).toBeGreaterThan(4300);
    expect(new Set(samples).size).toBeGreaterThan(1000);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    expect(mean).toBeGreaterThan(2300);
    expect(mean).toBeLessThan(2700);
  });

  it("slow tier: at least the server's retry_after hint, else the slow minimum", () => {
    const p = defaultReconnectPolicy;
    expect(reconnectDelay(p, 0, true, 30_000, () => 0)).toBe(30_000);
    expect(reconnectDelay(p, 0, true, 100, () => 0)).toBe(p.slowMinDelayMs);
    expect(reconnectDelay(p, 9, true, 0, () => 0.999999)).toBeLessThanOrEqual(p.slowMaxDelayMs);
    expect(reconnectDelay(p, 0, false, 30_000, () => 0)).toBe(p.minDelayMs);
  });
});
