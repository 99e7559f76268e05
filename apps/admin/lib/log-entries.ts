import type { Schema } from "./server-api";

/** Seq-log entries that change an earlier message; they have a seq but are not messages. */
const CHANGE_TYPES = new Set(["MESSAGE_UPDATED", "MESSAGE_DELETED"]);

const isChangeEntry = (v: unknown): boolean =>
  typeof v === "object" && v !== null && CHANGE_TYPES.has(String((v as { type?: unknown }).type));

/**
 * A copy of `value` where edit/delete entries of the seq log are left out wherever messages are
 * expected (in lists, and as `last_message`). The target message itself carries `edited_at` or
 * `deleted`, so nothing the admin shows is lost; without this, one edit in a channel would make its
 * whole page fail validation.
 */
export function withoutChangeEntries(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => !isChangeEntry(v)).map(withoutChangeEntries);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === "last_message" && isChangeEntry(v) ? null : withoutChangeEntries(v);
  }
  return out;
}

/** `schema`, validating `value` after {@link withoutChangeEntries}. */
export function ignoringChangeEntries<T>(schema: Schema<T>): Schema<T> {
  return { safeParse: (value) => schema.safeParse(withoutChangeEntries(value)) };
}
