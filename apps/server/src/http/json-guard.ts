/** A lone UTF-16 surrogate: JSON can carry one (`"\ud800"`), UTF-8 storage cannot keep it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks parsed, untrusted JSON before it goes anywhere near the store: nesting no deeper than
 * `maxDepth` (deeper values make `JSON.stringify` overflow the stack inside a group commit, which
 * would fail every other message of the batch) and no lone surrogates (stored as U+FFFD, so
 * history would differ from what was delivered). Returns what is wrong, or null.
 */
export function jsonProblem(value: unknown, maxDepth: number): string | null {
  return walk(value, 0, maxDepth, "");
}

function walk(v: unknown, depth: number, maxDepth: number, path: string): string | null {
  if (typeof v === "string") {
    return LONE_SURROGATE.test(v) ? `${path || "value"}: invalid unicode (lone surrogate)` : null;
  }
  if (typeof v !== "object" || v === null) return null;
  if (depth >= maxDepth) return `${path || "value"}: nested deeper than ${maxDepth} levels`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = walk(v[i], depth + 1, maxDepth, path ? `${path}.${i}` : String(i));
      if (p) return p;
    }
    return null;
  }
  for (const [k, item] of Object.entries(v)) {
    const here = path ? `${path}.${k.slice(0, 40)}` : k.slice(0, 40);
    if (LONE_SURROGATE.test(k)) return `${path || "value"}: invalid unicode (lone surrogate) in a key`;
    const p = walk(item, depth + 1, maxDepth, here);
    if (p) return p;
  }
  return null;
}
