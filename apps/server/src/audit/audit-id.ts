import { randomBytes } from "node:crypto";

let lastMs = 0;
let counter = 0;

/**
 * A sortable id: 12 hex digits of milliseconds, 4 of a per-process counter (several entries in one
 * millisecond keep their order), 6 random (instances never collide). Pages are keyset on it.
 */
export function newAuditId(now = Date.now()): string {
  if (now <= lastMs) {
    counter++;
    if (counter > 0xffff) {
      lastMs++;
      counter = 0;
    }
  } else {
    lastMs = now;
    counter = 0;
  }
  return (
    lastMs.toString(16).padStart(12, "0") +
    counter.toString(16).padStart(4, "0") +
    randomBytes(3).toString("hex")
  );
}
