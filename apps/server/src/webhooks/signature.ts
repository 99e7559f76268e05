import { createHmac, timingSafeEqual } from "node:crypto";
import { WEBHOOK_TOLERANCE_S } from "@podchat/protocol";

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`: the `podchat-webhook-signature` header. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * A receiver's check (what docs/webhooks.md shows): the signature matches and the timestamp is
 * within the tolerance. Exported for tests and for backends written in TypeScript.
 */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | null | undefined; signature: string | null | undefined },
  body: string,
  nowS = Math.floor(Date.now() / 1000),
  toleranceS = WEBHOOK_TOLERANCE_S,
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowS - ts) > toleranceS || !headers.signature) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  return headers.signature
    .split(",")
    .map((s) => Buffer.from(s.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
