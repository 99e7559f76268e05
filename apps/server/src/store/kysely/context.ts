import type { Kysely } from "kysely";
import { type ChangeRecorder, type StoredChannel, StoreError } from "../message-store.ts";
import type { Db, ReadNamed, StoreCapabilities } from "./dialect.ts";
import { perStore, preparedQuery, type ReadNow } from "./prepared.ts";
import { CHANNEL_COLUMNS, type Codec } from "./rows.ts";
import type { StoreSchema } from "./schema.ts";

/** What every query module gets: the database, its capabilities and the row codec. */
export interface StoreContext {
  readonly db: Kysely<StoreSchema>;
  readonly caps: StoreCapabilities;
  readonly codec: Codec;
  /** See StoreDialect.readNow. */
  readonly readNow?: ReadNow;
  /** See StoreDialect.readNamed. */
  readonly readNamed?: ReadNamed;
  /** @since 0.4 The recorder of committed changes (webhooks' outbox), set after creation. */
  readonly changes: { recorder: ChangeRecorder | null };
}

export const notFound = (url: string) => new StoreError("CHANNEL_NOT_FOUND", `channel ${url} does not exist`);

/**
 * Row lock taken on the channel at the start of a write transaction (PostgreSQL). `update` orders
 * a change with appends and deletes; `share` lets several read marks run together but waits for
 * appends in flight (so a recount sees them); `noKeyUpdate` is for member changes. SQLite needs
 * none: its write transactions are BEGIN IMMEDIATE.
 */
export type ChannelLock = "update" | "share" | "noKeyUpdate" | "none";

/** The channel lookup most requests start with, compiled once. */
export const channelRow = perStore((ctx: StoreContext) =>
  preparedQuery(ctx, 1, (url: string) =>
    ctx.db.selectFrom("channels").select(CHANNEL_COLUMNS).where("channel_url", "=", url),
  ),
);

/** The channel (inside `db`, locked as asked), or CHANNEL_NOT_FOUND. */
export async function requireChannel(
  ctx: StoreContext,
  db: Db,
  url: string,
  lock: ChannelLock = "none",
): Promise<StoredChannel> {
  if (db === ctx.db && lock === "none") {
    const [found] = await channelRow(ctx)(url);
    if (!found) throw notFound(url);
    return ctx.codec.channel(found);
  }
  let q = db.selectFrom("channels").select(CHANNEL_COLUMNS).where("channel_url", "=", url);
  if (ctx.caps.rowLocks) {
    if (lock === "update") q = q.forUpdate();
    else if (lock === "share") q = q.forShare();
    else if (lock === "noKeyUpdate") q = q.forNoKeyUpdate();
  }
  const row = await q.executeTakeFirst();
  if (!row) throw notFound(url);
  return ctx.codec.channel(row);
}
