import { describe, expect, it } from "vitest";
import { fullJitterDelay, retryAfterMs } from "./sendbird-retry.ts";

describe("fullJitterDelay", () => {
  const options = { baseMs: 100, maxMs: 1_000 };

  it("is uniform below base·2^retry, capped at maxMs", () => {
    expect(fullJitterDelay(0, options, () => 0)).toBe(0);
    expect(fullJitterDelay(0, options, () => 0.999)).toBe(99);
    expect(fullJitterDelay(2, options, () => 0.5)).toBe(200);
    expect(fullJitterDelay(10, options, () => 0.999)).toBe(999);
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2024-01-01T00:00:00Z");

  it("prefers Sendbird's X-RateLimit-RetryAfter (fractional seconds)", () => {
    expect(retryAfterMs(new Headers({ "X-RateLimit-RetryAfter": "0.07", "Retry-After": "5" }), now)).toBe(70);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs(new Headers({ "Retry-After": "3" }), now)).toBe(3_000);
    expect(retryAfterMs(new Headers({ "Retry-After": "Mon, 01 Jan 2024 00:00:02 GMT" }), now)).toBe(2_000);
  });

  it("falls back to X-RateLimit-Reset, relative or as epoch seconds", () => {
    expect(retryAfterMs(new Headers({ "X-RateLimit-Reset": "0.5" }), now)).toBe(500);
    expect(retryAfterMs(new Headers({ "X-RateLimit-Reset": String(now / 1000 + 4) }), now)).toBe(4_000);
  });

  it("is undefined without usable headers", () => {
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ "Retry-After": "soon" }), now)).toBeUndefined();
  });
});
