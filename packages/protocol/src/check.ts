/**
 * The runtime of the validators that `scripts/gen-validators.ts` generates from this package's zod
 * schemas (`src/generated/validators.ts`): a few combinators that apply zod's rules to JSON values
 * (what `JSON.parse` and `Response.json()` give) without zod, so that a browser bundle can validate
 * frames in well under a kilobyte. `src/validators.test.ts` checks them against the zod schemas.
 *
 * Like a zod parse, a check returns a new value: objects keep only the keys of their schema (in
 * schema order), records and arrays are copied. A failure returns {@link F}, and {@link issue} says
 * where (path from the checked value) and what was expected; it is the first of zod's issues.
 *
 * Outside JSON values (class instances, symbol or non-enumerable keys, sparse arrays) zod's rules
 * are not all followed: records accept any non-array object, where zod wants a plain one.
 */

/** Returned by a check that fails. */
export const F: unique symbol = Symbol("invalid");
export type Fail = typeof F;

/** A validator: the parsed value, or {@link F}. `o` marks an optional object key. */
export type Check<T = unknown> = ((v: unknown) => T | Fail) & { o?: 1 };

/** What the last failed check found. */
export interface Issue {
  path: (string | number)[];
  expected: string;
}

/** The last failure (checks are synchronous, so this is the one of the check that just returned {@link F}). */
export let issue: Issue = { path: [], expected: "" };

const fail = (expected: string): Fail => {
  issue = { path: [], expected };
  return F;
};
/** A child at `key` failed: its path starts with the key. */
const up = (key: string | number): Fail => {
  issue.path.unshift(key);
  return F;
};
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
/** `integer >= 0`, `string length >= 1, <= 2048` */
const bounded = (what: string, min: number, max: number) =>
  what +
  (min > -Infinity ? ` >= ${min}` : "") +
  (max < Infinity ? `${min > -Infinity ? "," : ""} <= ${max}` : "");

export type Parsed<T> = { success: true; data: T } | { success: false; error: string };

/** Runs a check: `{ success, data }`, or `{ success: false, error: "path: expected …" }`. */
export function run<T>(check: Check<T>, value: unknown): Parsed<T> {
  const data = check(value);
  return data === F
    ? { success: false, error: `${issue.path.join(".") || "value"}: expected ${issue.expected}` }
    : { success: true, data };
}

/** `z.unknown()` */
export const anything: Check = (v) => v;

/** `z.boolean()` */
export const bool: Check<boolean> = (v) => (typeof v === "boolean" ? v : fail("boolean"));

/** `z.string()` with `minLength`/`maxLength` checks, which zod counts in code points. */
export function str(min = 0, max = Infinity): Check<string> {
  return (v) => {
    if (typeof v !== "string") return fail("string");
    const n = min || v.length > max ? [...v].length : v.length;
    return n < min || n > max ? fail(bounded("string length", min, max)) : v;
  };
}

/** `z.number()` (finite) or, with `int`, `z.int()` (safe integer); with `gte`/`lte` checks. */
export function num(int?: 1, min = -Infinity, max = Infinity): Check<number> {
  return (v) =>
    typeof v === "number" && (int ? Number.isSafeInteger(v) : Number.isFinite(v)) && v >= min && v <= max
      ? v
      : fail(bounded(int ? "integer" : "number", min, max));
}

/** `z.literal(…)` and `z.enum([…])`. */
export function lit<T>(...values: T[]): Check<T> {
  return (v) => (values.includes(v as T) ? (v as T) : fail(values.join(" | ")));
}

/** `z.optional(…)`: `undefined` passes; an absent object key is left out. */
export function opt<T>(check: Check<T>): Check<T | undefined> {
  const c: Check<T | undefined> = (v) => (v === undefined ? v : check(v));
  c.o = 1;
  return c;
}

/** `z.nullable(…)` */
export function nul<T>(check: Check<T>): Check<T | null> {
  return (v) => (v === null ? v : check(v));
}

/** `z.union([…])`: the first option that passes. */
export function union<T>(...options: Check[]): Check<T> {
  return (v) => {
    const expected: string[] = [];
    for (const c of options) {
      const r = c(v);
      if (r !== F) return r as T;
      expected.push(issue.expected);
    }
    return fail(expected.join(" | "));
  };
}

/** `z.array(…)` */
export function arr<T>(check: Check<T>): Check<T[]> {
  return (v) => {
    if (!Array.isArray(v)) return fail("array");
    const out: T[] = [];
    for (let i = 0; i < v.length; i++) {
      const r = check(v[i]);
      if (r === F) return up(i);
      out.push(r);
    }
    return out;
  };
}

/** `z.record(z.string(), …)`: a copy without `__proto__` (as zod). */
export function rec<T>(check: Check<T>): Check<Record<string, T>> {
  return (v) => {
    if (!isObject(v)) return fail("object");
    const out: Record<string, T> = {};
    for (const k of Object.keys(v)) {
      if (k === "__proto__") continue;
      const r = check(v[k]);
      if (r === F) return up(k);
      out[k] = r;
    }
    return out;
  };
}

/** `z.object({…})`: the shape's keys only, unknown keys stripped. */
export function obj<T>(shape: Record<string, Check>): Check<T> {
  return (v) => {
    if (!isObject(v)) return fail("object");
    const out: Record<string, unknown> = {};
    for (const k in shape) {
      const c = shape[k]!;
      if (!(k in v)) {
        if (c.o) continue;
        fail("a value");
        return up(k);
      }
      const r = c(v[k]);
      if (r === F) return up(k);
      out[k] = r;
    }
    return out as T;
  };
}

/** `z.discriminatedUnion(key, […])`, as a map from each value of `key` to its option. */
export function disc<T>(key: string, options: Record<string, Check>): Check<T> {
  const byValue = new Map(Object.entries(options));
  return (v) => {
    if (!isObject(v)) return fail("object");
    const c = byValue.get(v[key] as string);
    if (c) return c(v) as T | Fail;
    fail([...byValue.keys()].join(" | "));
    return up(key);
  };
}
