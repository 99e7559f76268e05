import { sql } from "kysely";
import { type EventLog, FEED_ENDPOINT, type OutboxEntry } from "../message-store.ts";
import type { StoreContext } from "./context.ts";
import type { Db } from "./dialect.ts";

/** Splits a change's entries into the webhooks' outbox rows and the feed's (at most one). */
export function splitFeed(entries: OutboxEntry[]): { outbox: OutboxEntry[]; feed: OutboxEntry[] } {
  const outbox: OutboxEntry[] = [];
  const feed: OutboxEntry[] = [];
  for (const e of entries) (e.endpoint_id === FEED_ENDPOINT ? feed : outbox).push(e);
  return { outbox, feed };
}

/**
 * Appends feed entries inside the change's transaction `db`: the counter row is bumped first (its
 * row lock orders the writers, so positions commit in order and without a gap), then the rows.
 */
export async function appendFeed(db: Db, entries: OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const bumped = await db
    .updateTable("event_log_counter")
    .set({ last_position: sql`last_position + ${entries.length}` })
    .where("id", "=", 1)
    .returning("last_position")
    .executeTakeFirstOrThrow();
  const first = Number(bumped.last_position) - entries.length + 1;
  await db
    .insertInto("event_log")
    .values(
      entries.map((e, i) => ({
        position: first + i,
        event_id: e.event_id,
        type: e.type,
        channel_url: e.channel_url,
        payload: e.payload,
        created_at: e.created_at,
      })),
    )
    .execute();
}

export function createEventLog(ctx: StoreContext): EventLog {
  const { db } = ctx;
  return {
    async read(after, limit) {
      const rows = await db
        .selectFrom("event_log")
        .select(["position", "payload"])
        .where("position", ">", after)
        .orderBy("position")
        .limit(limit)
        .execute();
      return rows.map((r) => ({ position: Number(r.position), payload: String(r.payload) }));
    },
    async bounds() {
      const counter = await db
        .selectFrom("event_log_counter")
        .select("last_position")
        .where("id", "=", 1)
        .executeTakeFirst();
      const last = Number(counter?.last_position ?? 0);
      const min = await db
        .selectFrom("event_log")
        .select((eb) => eb.fn.min("position").as("oldest"))
        .executeTakeFirst();
      const oldest = min?.oldest === null || min?.oldest === undefined ? last + 1 : Number(min.oldest);
      return { oldest, last };
    },
    async prune(before) {
      const r = await db.deleteFrom("event_log").where("created_at", "<", before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
