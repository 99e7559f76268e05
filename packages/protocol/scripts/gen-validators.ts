// Generates src/generated/validators.ts: zod-free validators (combinators of src/check.ts) for the
// schemas a client needs, read from the zod schemas themselves, so those stay the one source of truth.
//
//   pnpm --filter @podchat/protocol gen        writes the file
//   src/validators.test.ts                     fails while the committed file differs from a fresh run,
//                                              and checks the validators against zod
//
// Only what these schemas use is supported (strings with length checks, numbers and ints with
// inclusive bounds, booleans, literals, enums, optional, nullable, unions of primitives,
// discriminated unions, objects, arrays, records of strings, unknown). Anything else (a refine, a
// transform, a default, a regex, a strict or loose object…) stops the generator with an error
// rather than being approximated.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as schemas from "../src/index.ts";

/** The schemas to generate, by their export name in `src/index.ts`. */
export const targets = [
  "ServerFrame",
  "ChannelServerFrame",
  "UserServerFrame",
  "InboxResponse",
  "TotalUnreadResponse",
  "SeqLogEntry",
  "HistoryLogResponse",
  "TransportResponse",
  "FileInfo",
  "UnreadResponse",
  "ReadStateResponse",
  "ModerationState",
  "ErrorBody",
] as const;

const here = dirname(fileURLToPath(import.meta.url));
export const outFile = resolve(here, "../src/generated/validators.ts");

// biome-ignore lint/suspicious/noExplicitAny: zod's internals are untyped here on purpose
type Schema = { _zod: { def: any; optin?: string; optout?: string; values?: Set<unknown> } };
const isSchema = (v: unknown): v is Schema =>
  typeof v === "object" && v !== null && "_zod" in v && typeof (v as Schema)._zod?.def === "object";

class Unsupported extends Error {}

/**
 * Generates the module's source, formatted like the repo's code: one `const` per schema that
 * `module` exports (named as exported; the first name wins when one is exported twice), exported
 * for the `targets`.
 */
export function generate(
  module: Record<string, unknown> = schemas,
  targetNames: readonly string[] = targets,
): string {
  const names = new Map<Schema, string>();
  for (const [name, value] of Object.entries(module)) {
    if (isSchema(value) && !names.has(value)) names.set(value, name);
  }
  const declarations: string[] = [];
  const declared = new Set<string>();
  const used = new Set<string>();
  const call = (fn: string, ...args: (string | number)[]) => {
    used.add(fn);
    // PURE: bundlers drop the validators an app does not use
    return `/* @__PURE__ */ ${fn}(${args.join(", ")})`;
  };

  function checksOf(s: Schema, where: string): { kind: string; def: Record<string, unknown> }[] {
    const checks = (s._zod.def.checks ?? []) as Schema[];
    return checks.map((c) => {
      const def = c._zod.def;
      if (def.when && !["min_length", "max_length"].includes(def.check)) {
        throw new Unsupported(`${where}: a check with a condition`);
      }
      return { kind: def.check as string, def };
    });
  }

  function expr(s: Schema, where: string, root = false): string {
    const name = names.get(s);
    if (name && !root) {
      declare(name, s);
      return name;
    }
    const def = s._zod.def;
    if (def.coerce) throw new Unsupported(`${where}: coercion`);
    switch (def.type) {
      case "string": {
        let min = 0;
        let max = Infinity;
        if (def.format !== undefined) throw new Unsupported(`${where}: string format ${def.format}`);
        for (const c of checksOf(s, where)) {
          if (c.kind === "min_length") min = Math.max(min, c.def["minimum"] as number);
          else if (c.kind === "max_length") max = Math.min(max, c.def["maximum"] as number);
          else throw new Unsupported(`${where}: string check ${c.kind}`);
        }
        return max < Infinity ? call("str", min, max) : min > 0 ? call("str", min) : call("str");
      }
      case "number": {
        let min = -Infinity;
        let max = Infinity;
        if (def.format !== undefined && def.format !== "safeint") {
          throw new Unsupported(`${where}: number format ${def.format}`);
        }
        for (const c of checksOf(s, where)) {
          if (c.kind !== "greater_than" && c.kind !== "less_than") {
            throw new Unsupported(`${where}: number check ${c.kind}`);
          }
          if (c.def["inclusive"] !== true) throw new Unsupported(`${where}: exclusive bound`);
          const value = c.def["value"] as number;
          if (c.kind === "greater_than") min = Math.max(min, value);
          else max = Math.min(max, value);
        }
        // num(int?, min = -Infinity, max = Infinity), trailing defaults left out
        const args = [def.format === "safeint" ? "1" : "undefined", String(min), String(max)];
        const defaults = ["undefined", "-Infinity", "Infinity"];
        while (args.length && args.at(-1) === defaults[args.length - 1]) args.pop();
        return call("num", ...args);
      }
      case "boolean":
      case "unknown":
        noChecks(s, where);
        used.add(def.type === "boolean" ? "bool" : "anything");
        return def.type === "boolean" ? "bool" : "anything";
      case "literal":
      case "enum":
        noChecks(s, where);
        return call("lit", ...[...(s._zod.values ?? [])].map((v) => JSON.stringify(v)));
      case "optional":
        noChecks(s, where);
        if (s._zod.optin !== "optional" || s._zod.optout !== "optional") {
          throw new Unsupported(`${where}: optional with a default`);
        }
        return call("opt", expr(def.innerType, where));
      case "nullable":
        noChecks(s, where);
        return call("nul", expr(def.innerType, where));
      case "union": {
        noChecks(s, where);
        const options = def.options as Schema[];
        if (def.discriminator !== undefined) return discriminated(s, where);
        if (def.inclusive === false) throw new Unsupported(`${where}: exclusive union`);
        for (const o of options) {
          // zod reports a union's failure through one option when only that one failed on checks;
          // options without checks or children keep the simple rule (first match, else invalid).
          const t = o._zod.def.type;
          if (!["string", "number", "boolean", "literal", "enum"].includes(t) || checksOf(o, where).length) {
            throw new Unsupported(`${where}: union of ${t}`);
          }
        }
        return call("union", ...options.map((o, i) => expr(o, `${where}|${i}`)));
      }
      case "object": {
        noChecks(s, where);
        if (def.catchall !== undefined) throw new Unsupported(`${where}: catchall (strict or loose object)`);
        const shape = def.shape as Record<string, Schema>;
        const fields = Object.entries(shape).map(([k, v]) => {
          if (k === "__proto__") throw new Unsupported(`${where}: key __proto__`);
          const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
          return `${key}: ${expr(v, `${where}.${k}`)},`;
        });
        used.add("obj");
        return `/* @__PURE__ */ obj({\n${fields.join("\n")}\n})`;
      }
      case "array":
        noChecks(s, where);
        return call("arr", expr(def.element, `${where}[]`));
      case "record": {
        noChecks(s, where);
        const key = def.keyType as Schema;
        if (key._zod.def.type !== "string" || checksOf(key, where).length || def.mode !== undefined) {
          throw new Unsupported(`${where}: record keys other than z.string()`);
        }
        return call("rec", expr(def.valueType, `${where}{}`));
      }
      default:
        throw new Unsupported(`${where}: ${def.type}`);
    }
  }

  function discriminated(s: Schema, where: string): string {
    const key = s._zod.def.discriminator as string;
    const entries: string[] = [];
    for (const o of s._zod.def.options as Schema[]) {
      const tag = o._zod.def.shape?.[key] as Schema | undefined;
      if (!tag?._zod.values || tag._zod.optin !== undefined) {
        throw new Unsupported(`${where}: option without a required ${key}`);
      }
      const e = expr(o, `${where}<${[...tag._zod.values].join("|")}>`);
      for (const value of tag._zod.values) {
        if (typeof value !== "string") throw new Unsupported(`${where}: ${key} ${String(value)}`);
        entries.push(`${/^[A-Za-z_$][\w$]*$/.test(value) ? value : JSON.stringify(value)}: ${e},`);
      }
    }
    used.add("disc");
    return `/* @__PURE__ */ disc(${JSON.stringify(key)}, {\n${entries.join("\n")}\n})`;
  }

  function noChecks(s: Schema, where: string) {
    if (checksOf(s, where).length) throw new Unsupported(`${where}: checks on ${s._zod.def.type}`);
  }

  function declare(name: string, s: Schema) {
    if (declared.has(name)) return;
    declared.add(name);
    const body = expr(s, name, true);
    const exported = targetNames.includes(name) ? "export " : "";
    declarations.push(`${exported}const ${name}: Check<output<typeof S.${name}>> = ${body};`);
  }

  for (const name of targetNames) {
    const s = module[name];
    if (!isSchema(s)) throw new Error(`${name} is not an exported schema`);
    if (names.get(s) !== name) throw new Error(`${name} is exported first as ${names.get(s)}; use that name`);
    declare(name, s);
  }

  const imports = [...used, "Check"].sort().map((n) => (n === "Check" ? "type Check" : n));
  const source = [
    "// Generated by scripts/gen-validators.ts from this package's zod schemas: do not edit. After a",
    "// schema change run `pnpm --filter @podchat/protocol gen` (src/validators.test.ts fails until then).",
    'import type { output } from "zod/mini";',
    `import { ${imports.join(", ")} } from "../check.ts";`,
    'import type * as S from "../index.ts";',
    "",
    ...declarations.flatMap((d) => [d, ""]),
  ].join("\n");
  return format(source);
}

/** Formats with the repo's Biome, so the generated file passes `biome check` as it is written. */
function format(source: string): string {
  const require = createRequire(import.meta.url);
  const biome = require.resolve("@biomejs/biome/bin/biome", { paths: [resolve(here, "../../..")] });
  return execFileSync(process.execPath, [biome, "format", `--stdin-file-path=${outFile}`], {
    input: source,
    cwd: resolve(here, "../../.."),
    encoding: "utf8",
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(outFile, generate());
  console.log(`wrote ${outFile}`);
}
