import { createHash } from "node:crypto";
import { type Compilable, CompiledQuery, type Kysely } from "kysely";
import type { ReadNamed } from "./dialect.ts";
import type { StoreSchema } from "./schema.ts";

export type ReadNow = (sql: string, params: readonly unknown[]) => Record<string, unknown>[] | undefined;

/**
 * A query kysely builds and compiles once, then runs with new argument values — for the hot
 * reads (history pages, the channel lookup every request makes), where building and compiling
 * cost about as much as SQLite's own work. `build` must give the same SQL for any arguments (no
 * `$if` on them): it is called once with a marker per argument, and each parameter slot holding a
 * marker takes that argument at run time; the other slots keep their constant values. Where the
 * database has named statements (PostgreSQL) it runs as one, named by its SQL's hash.
 */
export function preparedQuery<Args extends unknown[], Row>(
  { db, readNow, readNamed }: { db: Kysely<StoreSchema>; readNow?: ReadNow; readNamed?: ReadNamed },
  arity: Args["length"],
  build: (...args: Args) => Compilable<Row>,
): (...args: Args) => Promise<Row[]> {
  let compiled: { sql: string; name: string; slots: Array<{ arg: number } | { value: unknown }> } | undefined;
  const compile = () => {
    const markers = Array.from({ length: arity }, (_, i) => ({ marker: i }));
    const c = build(...(markers as unknown as Args)).compile();
    const slots = c.parameters.map((p) => {
      const i = markers.indexOf(p as (typeof markers)[number]);
      return i >= 0 ? { arg: i } : { value: p };
    });
    if (new Set(slots.flatMap((s) => ("arg" in s ? [s.arg] : []))).size !== arity) {
      throw new Error("a prepared query must pass each of its arguments as a parameter");
    }
    const name = `podchat_q_${createHash("sha1").update(c.sql).digest("hex").slice(0, 20)}`;
    return { sql: c.sql, name, slots };
  };
  return async (...args: Args) => {
    compiled ??= compile();
    const params = compiled.slots.map((s) => ("arg" in s ? args[s.arg] : s.value));
    const now = readNow?.(compiled.sql, params);
    if (now) return now as Row[];
    if (readNamed) return (await readNamed(compiled.name, compiled.sql, params)) as Row[];
    return (await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, params))).rows;
  };
}

/** One set of prepared queries per store (they belong to its connection). */
export function perStore<C extends object, T>(make: (ctx: C) => T): (ctx: C) => T {
  const made = new WeakMap<C, T>();
  return (ctx) => {
    let t = made.get(ctx);
    if (t === undefined) {
      t = make(ctx);
      made.set(ctx, t);
    }
    return t;
  };
}
