import { describe, expect, it } from "vitest";
import { backoffMs } from "./dispatcher.ts";
import { signWebhook, verifyWebhook } from "./signature.ts";

describe("webhook signature", () => {
  const secret = "whsec_0123456789abcdef";
  const body = '{"id":"x","type":"message.sent"}';
  const now = 1_767_225_600;
  const sig = signWebhook(secret, now, body);

  it("is v1=<hex HMAC-SHA256(secret, timestamp.body)> and verifies within 5 minutes only", () => {
    expect(sig).toMatch(/^v1=[0-9a-f]{64}$/);
    const h = { timestamp: String(now), signature: sig };
    expect(verifyWebhook(secret, h, body, now + 299)).toBe(true);
    expect(verifyWebhook(secret, h, body, now + 301)).toBe(false);
    expect(verifyWebhook(secret, h, `${body} `, now)).toBe(false);
    expect(verifyWebhook("another-secret-0123", h, body, now)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: String(now + 1), signature: sig }, body, now)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: "abc", signature: sig }, body, now)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: String(now), signature: `v1=00, ${sig}` }, body, now)).toBe(
      true,
    );
  });
});

describe("backoff", () => {
  it("doubles from the base, within ±20 %, up to the cap", () => {
    const s = { backoff_base_ms: 1000, backoff_max_ms: 10_000 };
    for (let i = 0; i < 50; i++) {
      expect(backoffMs(1, s)).toBeGreaterThanOrEqual(800);
      expect(backoffMs(1, s)).toBeLessThanOrEqual(1200);
      expect(backoffMs(3, s)).toBeGreaterThanOrEqual(3200);
      expect(backoffMs(3, s)).toBeLessThanOrEqual(4800);
      expect(backoffMs(20, s)).toBeLessThanOrEqual(12_000);
      expect(backoffMs(20, s)).toBeGreaterThanOrEqual(8000);
    }
  });
});
