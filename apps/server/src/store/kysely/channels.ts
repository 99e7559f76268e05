import type { ProviderName } from "@podchat/protocol";
import { sql } from "kysely";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import {
  type ChannelPatch,
  type ListChannelsOptions,
  type NewChannel,
  type StoredChannel,
  StoreError,
} from "../message-store.ts";
import type { Db } from "./dialect.ts";
import { channelRow, notFound, requireChannel, type StoreContext } from "./context.ts";
import { afterCommit, recordChange } from "./outbox.ts";
import { CHANNEL_COLUMNS } from "./rows.ts";

/** Tables whose rows belong to one channel: deleted with it, in this order, before the channel. */
const CHANNEL_TABLES = [
  "messages",
  "members",
  "read_marks",
  "operators",
  "restrictions",
  "files",
  "pins",
] as const;

export async function createChannel(ctx: StoreContext, input: NewChannel): Promise<StoredChannel> {
  ctx.codec.checkText("channel_url", input.channel_url);
  ctx.codec.checkText("name", input.name);
  ctx.codec.checkText("custom_type", input.custom_type);
  for (const u of input.user_ids) ctx.codec.checkText("user_id", u);
  const data = ctx.codec.toJson("data", input.data ?? {});
  const createdAt = input.created_at ?? new Date().toISOString();
  let wrote = false;
  const created = await ctx.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("channels")
      .values({
        channel_url: input.channel_url,
        name: input.name,
        custom_type: input.custom_type ?? null,
        data,
        provider: input.provider,
        created_at: createdAt,
        last_seq: 0,
        last_activity_at: createdAt,
        last_message_seq: 0,
      })
      .onConflict((oc) => oc.column("channel_url").doNothing())
      .returning("channel_url")
      .executeTakeFirst();
    if (!inserted) throw new StoreError("CHANNEL_EXISTS", `channel ${input.channel_url} already exists`);
    const users = [...new Set(input.user_ids)];
    if (users.length > 0) {
      // A new channel has no messages (deleteChannel removed any under this url): nothing unread.
      await trx
        .insertInto("members")
        .values(
          users.map((u) => ({
            channel_url: input.channel_url,
            user_id: u,
            joined_at: createdAt,
          })),
        )
        .execute();
    }
    const channel = await recountMembers(ctx, trx, input.channel_url);
    wrote = await recordChange(ctx, trx, "channel.created", () => ({
      type: "channel.created",
      channel,
      user_ids: users,
    }));
    return channel;
  });
  afterCommit(ctx, wrote);
  return created;
}

/** Sets member_count from the members table; returns the channel after. */
export async function recountMembers(ctx: StoreContext, db: Db, url: string): Promise<StoredChannel> {
  const row = await db
    .updateTable("channels")
    .set((eb) => ({
      member_count: eb
        .selectFrom("members")
        .select(eb.fn.countAll<number>().as("n"))
        .where("channel_url", "=", url),
    }))
    .where("channel_url", "=", url)
    .returning(CHANNEL_COLUMNS)
    .executeTakeFirst();
  if (!row) throw notFound(url);
  return ctx.codec.channel(row);
}

export async function getChannel(ctx: StoreContext, url: string): Promise<StoredChannel | null> {
  const [row] = await channelRow(ctx)(url);
  return row ? ctx.codec.channel(row) : null;
}

export async function countChannels(ctx: StoreContext): Promise<Record<ProviderName, number>> {
  const counts: Record<ProviderName, number> = { websocket: 0, sendbird: 0 };
  const rows = await ctx.db
    .selectFrom("channels")
    .select(["provider", ctx.db.fn.countAll().as("n")])
    .groupBy("provider")
    .execute();
  for (const r of rows) counts[r.provider as ProviderName] = Number(r.n);
  return counts;
}

export async function listChannels(ctx: StoreContext, opts: ListChannelsOptions) {
  const after = opts.cursor ? decodeCursor(opts.cursor) : null;
  const q = opts.q;
  const rows = await ctx.db
    .selectFrom("channels")
    .select(CHANNEL_COLUMNS)
    .$if(after !== null, (b) => b.where("channel_url", ">", after!))
    // A plain substring (LIKE wildcards in q escaped); lower() on both sides, so LIKE's own case
    // rules (SQLite: ASCII-insensitive, PostgreSQL: sensitive) do not matter.
    .$if(Boolean(q), (b) => {
      const pattern = `%${q!.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return b.where(
        (eb) =>
          sql<boolean>`(lower(${eb.ref("channel_url")}) like lower(${pattern}) escape '\\'
            or lower(${eb.ref("name")}) like lower(${pattern}) escape '\\')`,
      );
    })
    .$if(Boolean(opts.provider), (b) => b.where("provider", "=", opts.provider!))
    .orderBy("channel_url", "asc")
    .limit(opts.limit + 1)
    .execute();
  const more = rows.length > opts.limit;
  const page = rows.slice(0, opts.limit).map(ctx.codec.channel);
  const last = page[page.length - 1];
  return { channels: page, nextCursor: more && last ? encodeCursor(last.channel_url) : null };
}

export async function updateChannel(
  ctx: StoreContext,
  url: string,
  patch: ChannelPatch,
): Promise<StoredChannel> {
  ctx.codec.checkText("name", patch.name);
  ctx.codec.checkText("custom_type", patch.custom_type);
  const set: { name?: string; custom_type?: string | null; data?: string; provider?: string } = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.custom_type !== undefined) set.custom_type = patch.custom_type;
  if (patch.data !== undefined) set.data = ctx.codec.toJson("data", patch.data);
  if (patch.provider !== undefined) set.provider = patch.provider;
  if (Object.keys(set).length === 0) return requireChannel(ctx, ctx.db, url);
  const update = async (db: Db) => {
    const row = await db
      .updateTable("channels")
      .set(set)
      .where("channel_url", "=", url)
      .returning(CHANNEL_COLUMNS)
      .executeTakeFirst();
    if (!row) throw notFound(url);
    return ctx.codec.channel(row);
  };
  // One statement, unless its event is recorded with it.
  if (!ctx.changes.recorder?.wants("channel.updated")) return update(ctx.db);
  let wrote = false;
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const channel = await update(trx);
    wrote = await recordChange(ctx, trx, "channel.updated", () => ({
      type: "channel.updated",
      channel,
      changed: Object.keys(set),
    }));
    return channel;
  });
  afterCommit(ctx, wrote);
  return updated;
}

/**
 * Deletes the channel and every row of it explicitly, the same on both databases (0.2's SQLite
 * schema has no foreign keys to cascade). The channel row is locked first, like every writer.
 */
export async function deleteChannel(ctx: StoreContext, url: string): Promise<boolean> {
  let wrote = false;
  const deleted = await ctx.db.transaction().execute(async (trx) => {
    const channel = await requireChannel(ctx, trx, url, "update").then(
      (c) => c,
      (e: unknown) => {
        if (e instanceof StoreError && e.code === "CHANNEL_NOT_FOUND") return null;
        throw e;
      },
    );
    if (!channel) return false;
    for (const table of CHANNEL_TABLES) await trx.deleteFrom(table).where("channel_url", "=", url).execute();
    await trx.deleteFrom("channels").where("channel_url", "=", url).execute();
    wrote = await recordChange(ctx, trx, "channel.deleted", () => ({ type: "channel.deleted", channel }));
    return true;
  });
  afterCommit(ctx, wrote);
  return deleted;
}
