import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { generate, outFile, targets } from "../scripts/gen-validators.ts";
import { type Check, num, run, str } from "./check.ts";
import * as V from "./generated/validators.ts";
import * as S from "./index.ts";
import {
  isMessageFrame,
  messageFrameTypes,
  parseChannelServerFrame,
  parseServerFrame,
  parseUserServerFrame,
} from "./validate.ts";

// biome-ignore lint/suspicious/noExplicitAny: zod's internals, read as the generator reads them
type Schema = { _zod: { def: any; values?: Set<unknown>; optin?: string } };
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

type SafeParse = (
  v: unknown,
) => { success: true; data: unknown } | { success: false; error: { issues: { path: PropertyKey[] }[] } };
const zodSchemas = S as unknown as Record<string, Schema & { safeParse: SafeParse }>;
const checks = V as unknown as Record<string, Check>;

/**
 * What `JSON.parse` could have produced from `v`: plain objects with own data properties (a
 * `__proto__` key stays a key), no `undefined`, no NaN. Infinity and -0 stay (`1e999`, `-0`).
 */
function json(v: unknown): Json {
  if (Array.isArray(v)) return Array.from(v, (x) => (x === undefined ? null : json(x)));
  if (typeof v === "object" && v !== null) {
    const o: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) {
      if (x !== undefined)
        Object.defineProperty(o, k, { value: json(x), enumerable: true, writable: true, configurable: true });
    }
    return o;
  }
  if (typeof v === "number" && Number.isNaN(v)) return null;
  return v as Json;
}

const boundsOf = (s: Schema) => {
  let min: number | undefined;
  let max: number | undefined;
  for (const c of (s._zod.def.checks ?? []) as Schema[]) {
    const d = c._zod.def;
    if (d.check === "min_length") min = d.minimum;
    if (d.check === "max_length") max = d.maximum;
    if (d.check === "greater_than") min = d.value;
    if (d.check === "less_than") max = d.value;
  }
  return { min, max };
};

/** Strings of exactly `n` code points, mixing one- and two-unit ones (and a lone surrogate). */
const codePoints = (n: number) =>
  fc.array(fc.constantFrom("a", "é", "😀", "\ud800"), { minLength: n, maxLength: n }).map((a) => a.join(""));

const anyJson = fc.jsonValue({ maxDepth: 2 });

/**
 * Values for a schema, read from the zod schema: `valid` ones the schema accepts, `edge` ones close
 * to its limits (lengths and bounds ±1, unsafe or fractional numbers, near-miss literals, missing
 * keys, wrong types), which it may accept or reject.
 */
function arb(s: Schema, edge: boolean): fc.Arbitrary<unknown> {
  const def = s._zod.def;
  const wrong = fc.oneof(
    fc.constant(null),
    fc.integer(),
    fc.string({ maxLength: 3 }),
    fc.boolean(),
    fc.constant({}),
  );
  const maybeWrong = (a: fc.Arbitrary<unknown>) =>
    edge ? fc.oneof({ arbitrary: a, weight: 6 }, { arbitrary: wrong, weight: 1 }) : a;
  switch (def.type) {
    case "string": {
      const { min = 0, max } = boundsOf(s);
      const top = Math.min(max ?? min + 12, min + 12);
      if (!edge) return fc.integer({ min, max: top }).chain(codePoints);
      const lengths = [
        min,
        min + 1,
        top,
        ...(min > 0 ? [min - 1] : []),
        ...(max !== undefined ? [max, max + 1] : []),
      ];
      return maybeWrong(fc.constantFrom(...lengths).chain(codePoints));
    }
    case "number": {
      const int = def.format === "safeint";
      const { min = int ? Number.MIN_SAFE_INTEGER : -1e12, max = int ? Number.MAX_SAFE_INTEGER : 1e12 } =
        boundsOf(s);
      const valid = int ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true });
      if (!edge) return valid;
      const near = [min - 1, min, max, max + 1, 0.5, -0, 2 ** 53, -(2 ** 53), Infinity, -Infinity, 1e-7];
      return maybeWrong(fc.oneof(valid, fc.constantFrom(...near)));
    }
    case "boolean":
      return maybeWrong(fc.boolean());
    case "unknown":
      return anyJson;
    case "literal":
    case "enum": {
      const values = [...(s._zod.values ?? [])];
      if (!edge) return fc.constantFrom(...values);
      const near = values.flatMap((v) =>
        typeof v === "string" ? [v.toLowerCase(), `${v} `, v.slice(1)] : [],
      );
      return maybeWrong(fc.constantFrom(...values, ...near, "constructor", "__proto__", "toString"));
    }
    case "optional":
      return fc.option(arb(def.innerType, edge), { nil: undefined });
    case "nullable":
      return fc.option(arb(def.innerType, edge), { nil: null });
    case "union":
      return fc.oneof(...(def.options as Schema[]).map((o) => arb(o, edge)));
    case "array":
      return maybeWrong(fc.array(arb(def.element, edge), { maxLength: 3 }));
    case "record":
      return maybeWrong(
        fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 3, noNullPrototype: true }),
      );
    case "object": {
      const shape = def.shape as Record<string, Schema>;
      const keys = Object.keys(shape);
      const required = keys.filter((k) => shape[k]!._zod.optin === undefined);
      const fields = Object.fromEntries(keys.map((k) => [k, arb(shape[k]!, edge)]));
      // unknown keys, which the parse strips
      const extra = fc.dictionary(
        fc.string({ maxLength: 6 }).filter((k) => !keys.includes(k)),
        anyJson,
        { maxKeys: 2, noNullPrototype: true },
      );
      const requiredKeys = edge
        ? fc.subarray(required, { minLength: Math.max(0, required.length - 1) })
        : fc.constant(required);
      return maybeWrong(
        fc
          .tuple(
            requiredKeys.chain((r) => fc.record(fields, { requiredKeys: r, noNullPrototype: true })),
            extra,
          )
          .map(([o, x]) => ({ ...x, ...o })),
      );
    }
    default:
      throw new Error(`no arbitrary for ${def.type}`);
  }
}

/** `v` with the value at one of its paths replaced by any JSON value, or the key deleted. */
function mutate(v: Json, pick: number, replacement: Json, remove: boolean): Json {
  const paths: (string | number)[][] = [];
  const walk = (x: Json, path: (string | number)[]) => {
    paths.push(path);
    if (typeof x === "object" && x !== null) {
      for (const [k, y] of Object.entries(x)) walk(y, [...path, Array.isArray(x) ? Number(k) : k]);
    }
  };
  walk(v, []);
  const path = paths[pick % paths.length]!;
  if (path.length === 0) return replacement;
  const copy = structuredClone(v);
  let parent = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const last = path.at(-1)!;
  if (remove && !Array.isArray(parent)) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

/** The generated check and the zod schema agree on `input`; returns whether it was accepted. */
function agree(name: string, input: unknown): boolean {
  const expected = zodSchemas[name]!.safeParse(input);
  const actual = run(checks[name]!, input);
  expect(actual.success, `${name} ${JSON.stringify(input)}`).toBe(expected.success);
  if (expected.success && actual.success) {
    expect(actual.data).toStrictEqual(expected.data);
    // same keys in the same order (unknown keys stripped alike)
    expect(JSON.stringify(actual.data)).toBe(JSON.stringify(expected.data));
  } else if (!expected.success && !actual.success) {
    // the field named is the one of zod's first issue
    const path = expected.error.issues[0]!.path.join(".") || "value";
    expect(actual.error.startsWith(`${path}: expected `), `${actual.error} vs ${path}`).toBe(true);
  }
  return expected.success;
}

describe("generated validators", () => {
  it("are what the generator makes of the current schemas (run `pnpm --filter @podchat/protocol gen`)", () => {
    expect(readFileSync(outFile, "utf8")).toBe(generate());
  });

  it("exist for every target, and no validator imports zod at run time", () => {
    expect(Object.keys(V).sort()).toEqual([...targets].sort());
    const source = readFileSync(outFile, "utf8");
    expect(source).not.toMatch(/^import (?!type )[^;]*zod/m);
    expect(readFileSync(new URL("./check.ts", import.meta.url), "utf8")).not.toMatch(/from "zod/);
  });

  it("refuse to approximate what they do not support", () => {
    const module = (schema: unknown) => ({ X: schema });
    const refined = z.object({ a: z.string().check(z.refine((s) => s !== "x")) });
    expect(() => generate(module(refined), ["X"])).toThrow(/X\.a: string check custom/);
    expect(() => generate(module(z.pipe(z.string(), z.transform(Number))), ["X"])).toThrow(/X: pipe/);
    expect(() => generate(module(z.strictObject({ a: z.string() })), ["X"])).toThrow(/catchall/);
    expect(() => generate(module(z.string().check(z.regex(/a/))), ["X"])).toThrow(/string_format/);
    expect(() => generate(module(z.int().check(z.gt(0))), ["X"])).toThrow(/exclusive/);
    expect(() => generate(module(z.union([z.object({}), z.string()])), ["X"])).toThrow(/union of object/);
    expect(generate(module(z.object({ a: z.string() })), ["X"])).toContain("export const X");
  });

  it("apply both bounds as zod does (the current schemas have lower bounds only)", () => {
    const pairs: [Check, { safeParse(v: unknown): { success: boolean } }][] = [
      [num(1, -3, 10), z.int().check(z.gte(-3), z.lte(10))],
      [num(undefined, -1.5, 2.5), z.number().check(z.gte(-1.5), z.lte(2.5))],
      [str(2, 4), z.string().check(z.minLength(2), z.maxLength(4))],
    ];
    const values = fc.oneof(
      fc.integer({ min: -5, max: 12 }),
      fc.double({ min: -4, max: 12 }),
      codePoints(0),
      codePoints(1),
      codePoints(2),
      codePoints(4),
      codePoints(5),
    );
    for (const [check, schema] of pairs) {
      fc.assert(
        fc.property(values, (v) => void expect(run(check, v).success).toBe(schema.safeParse(v).success)),
      );
    }
  });

  const serverTypes = [...(zodSchemas["ServerFrame"]!._zod.def.options as Schema[])].flatMap((o) => [
    ...(o._zod.def.shape.type._zod.values ?? []),
  ]) as string[];

  const channelTypes = [...(zodSchemas["ChannelServerFrame"]!._zod.def.options as Schema[])].flatMap((o) => [
    ...(o._zod.def.shape.type._zod.values ?? []),
  ]) as string[];

  /** Sent on both endpoints but kept out of the unions the SDK core validates (@since 0.5). */
  const pinTypes = ["MESSAGE_PINNED", "MESSAGE_UNPINNED"];

  it("cover every server frame type (the per-channel endpoint's 15, the user connection's 10 more, 2 pin frames)", () => {
    expect(channelTypes).toHaveLength(15);
    expect(serverTypes).toHaveLength(27);
    expect(serverTypes).toEqual(expect.arrayContaining(pinTypes));
    expect(channelTypes).not.toEqual(expect.arrayContaining([pinTypes[0]]));
    expect(serverTypes).toEqual(expect.arrayContaining(channelTypes));
    const userTypes = [...(zodSchemas["UserServerFrame"]!._zod.def.options as Schema[])].flatMap((o) => [
      ...(o._zod.def.shape.type._zod.values ?? []),
    ]) as string[];
    // The user connection sends every frame but CONNECTED (its first frame is READY).
    expect(userTypes.sort()).toEqual(
      serverTypes.filter((t) => t !== "CONNECTED" && !pinTypes.includes(t)).sort(),
    );
    for (const type of serverTypes) {
      const option = (zodSchemas["ServerFrame"]!._zod.def.options as Schema[]).find((o) =>
        o._zod.def.shape.type._zod.values.has(type),
      )!;
      const samples = fc.sample(arb(option, false), { numRuns: 20, seed: 1 }).map(json);
      for (const frame of samples) {
        expect(agree("ServerFrame", { ...(frame as object), type })).toBe(true);
      }
    }
  });

  for (const name of targets) {
    const schema = zodSchemas[name]!;
    const runs = name === "ServerFrame" ? 1500 : 300;

    it(`${name}: accept what the schema accepts, with the same value`, () => {
      fc.assert(
        fc.property(arb(schema, false), (v) => {
          expect(agree(name, json(v))).toBe(true);
        }),
        { numRuns: runs },
      );
    });

    it(`${name}: agree near the limits (lengths, bounds, types, missing and unknown keys)`, () => {
      const seen = { accepted: 0, rejected: 0 };
      fc.assert(
        fc.property(arb(schema, true), (v) => {
          seen[agree(name, json(v)) ? "accepted" : "rejected"]++;
        }),
        { numRuns: runs },
      );
      expect(seen.accepted).toBeGreaterThan(0);
      expect(seen.rejected).toBeGreaterThan(0);
    });

    it(`${name}: agree on valid values with one part replaced or removed, and on any JSON`, () => {
      const seen = { accepted: 0, rejected: 0 };
      fc.assert(
        fc.property(arb(schema, false), fc.nat(), anyJson, fc.boolean(), (v, pick, replacement, remove) => {
          seen[agree(name, mutate(json(v), pick, json(replacement), remove)) ? "accepted" : "rejected"]++;
        }),
        { numRuns: runs },
      );
      fc.assert(
        fc.property(anyJson, (v) => void agree(name, v)),
        { numRuns: 200 },
      );
      expect(seen.rejected).toBeGreaterThan(0);
    });
  }
});

describe("parseServerFrame without zod", () => {
  const mesg = {
    type: "MESG",
    channel_url: "pod_123_chat",
    user_id: 1,
    message: "안녕하세요!",
    timestamp: "2024-01-01T00:00:00",
    message_id: "m1",
    seq: 1,
  };

  it("accepts the seed's frame and strips unknown keys", () => {
    const r = parseServerFrame({ ...mesg, extra: 1 });
    expect(r).toEqual({ success: true, data: mesg });
  });

  it("names the field that failed", () => {
    expect(parseServerFrame({ ...mesg, seq: -1 })).toEqual({
      success: false,
      error: "seq: expected integer >= 0",
    });
    expect(parseServerFrame({ ...mesg, user_id: true })).toEqual({
      success: false,
      error: "user_id: expected number | string",
    });
    const file = { url: "", name: "a", size: 1, mime_type: "text/plain" };
    expect(parseServerFrame({ ...mesg, type: "FILE", file })).toEqual({
      success: false,
      error: "file.url: expected string length >= 1, <= 2048",
    });
    expect(parseServerFrame({ type: "NOPE" })).toMatchObject({
      success: false,
      error: expect.stringMatching(/^type: expected MESG \| FILE/),
    });
    expect(parseServerFrame("MESG")).toEqual({ success: false, error: "value: expected object" });
    const { seq: _, ...noSeq } = mesg;
    expect(parseServerFrame(noSeq)).toEqual({ success: false, error: "seq: expected a value" });
  });

  it("rejects a type that is an Object.prototype key, as the zod parse does (which used to throw)", () => {
    for (const type of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(parseServerFrame({ type }).success).toBe(false);
      expect(S.parseServerFrame({ type }).success).toBe(false);
    }
  });

  it("copies data without its __proto__ key, as zod does", () => {
    const input =
      JSON.parse(`{"type":"MESG","channel_url":"c","message":"m","timestamp":"t","message_id":"m1","seq":1,
      "data":{"__proto__":{"polluted":true},"a":1},"__proto__":{"x":1}}`);
    const r = parseServerFrame(input);
    expect(r.success && r.data).toStrictEqual(S.ServerFrame.parse(input));
    expect(r.success && r.data.type === "MESG" && r.data.data).toEqual({ a: 1 });
    expect(r.success && Object.getPrototypeOf(r.success && r.data.type === "MESG" ? r.data.data : null)).toBe(
      Object.prototype,
    );
  });

  it("counts string lengths in code points, as zod does", () => {
    const file = { url: "😀".repeat(2048), name: "a", size: 1, mime_type: "t" };
    expect(agree("FileInfo", file)).toBe(true);
    expect(agree("FileInfo", { ...file, url: `${file.url}a` })).toBe(false);
  });

  it("knows which frames are messages", () => {
    expect([...messageFrameTypes]).toEqual(S.MessageType.options);
    expect(isMessageFrame({ ...mesg, type: "IMAGE" } as S.ServerFrame)).toBe(true);
    expect(isMessageFrame({ type: "PONG" })).toBe(false);
  });
});

describe("pin frames (@since 0.5)", () => {
  const frame = {
    type: "MESSAGE_PINNED",
    channel_url: "c",
    seq: 3,
    message_id: "m",
    user_id: "1",
    timestamp: "2026-01-01T00:00:00.000Z",
  };
  it("are server frames, which the SDK core's per-endpoint validators refuse (old SDKs drop them)", () => {
    expect(parseServerFrame(frame).success).toBe(true);
    expect(parseServerFrame({ ...frame, type: "MESSAGE_UNPINNED", user_id: null }).success).toBe(true);
    expect(parseChannelServerFrame(frame).success).toBe(false);
    expect(parseUserServerFrame(frame).success).toBe(false);
  });
});

describe("SearchQuery (@since 0.5)", () => {
  const ok = (q: unknown) => S.SearchQuery.safeParse(q).success;
  it("takes 1..200 characters without control characters, and a limit 1..100", () => {
    expect(ok({ q: "안녕" })).toBe(true);
    expect(ok({ q: "x".repeat(200), limit: "100", cursor: "abc" })).toBe(true);
    expect(ok({ q: "" })).toBe(false);
    expect(ok({ q: "   " })).toBe(false);
    expect(ok({ q: "x".repeat(201) })).toBe(false);
    expect(ok({ q: "a\nb" })).toBe(false);
    expect(ok({ q: "a\u0000" })).toBe(false);
    expect(ok({ q: "a", limit: "0" })).toBe(false);
    expect(ok({ q: "a", limit: "101" })).toBe(false);
    expect(ok({ q: "a", limit: "x" })).toBe(false);
    expect(ok({})).toBe(false);
  });
});
