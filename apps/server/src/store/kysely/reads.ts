import type { ProviderName } from "@podchat/protocol";
import type { ReadMark } from "../message-store.ts";
import { notFound, requireChannel, type StoreContext } from "./context.ts";
import type { Db } from "./dialect.ts";
import { unreadAfter } from "./members.ts";
import { afterCommit, recordChange } from "./outbox.ts";

/*
 * Unread, per member. Definition, unchanged from 0.2: the member's countable messages
 * (MESG/FILE/IMAGE/ADMM) with seq > its read mark, not deleted, not its own. Kept as
 * `channels.countable_count - members.read_offset`, so a message touches the channel row and its
 * sender's member row only, however many members the channel has. In the transaction of every
 * change that moves them:
 * - append: countable_count + 1, and the sender's read_offset + 1 (the appenders);
 * - delete: countable_count - 1, and read_offset - 1 for the author and for members whose mark is
 *   at or past the target (for them it was not unread) (messages.ts);
 * - markRead: read_offset = countable_count - (recount after the new mark, or 0 when read to the end);
 * - join: the same, counted once (members.ts).
 */

export async function markRead(
  ctx: StoreContext,
  url: string,
  userId: string,
  seq: number,
): Promise<ReadMark> {
  ctx.codec.checkText("user_id", userId);
  let wrote = false;
  const result = await ctx.db.transaction().execute(async (trx) => {
    // `share`: waits for appends and deletes in flight and holds new ones off until the recount
    // is stored, while other members' marks go ahead.
    const c = await requireChannel(ctx, trx, url, "share");
    const wants = ctx.changes.recorder?.wants("read.updated") ?? false;
    const before = wants ? await readMarkIn(trx, url, userId) : 0;
    const now = new Date().toISOString();
    const marked = await trx
      .insertInto("read_marks")
      .values({
        channel_url: url,
        user_id: userId,
        last_read_seq: Math.min(seq, c.last_seq),
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(["channel_url", "user_id"]).doUpdateSet((eb) => ({
          // Forward only.
          last_read_seq: eb
            .case()
            .when("excluded.last_read_seq", ">", eb.ref("read_marks.last_read_seq"))
            .then(eb.ref("excluded.last_read_seq"))
            .else(eb.ref("read_marks.last_read_seq"))
            .end(),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .returning("last_read_seq")
      .executeTakeFirstOrThrow();
    const last = Number(marked.last_read_seq);
    const unread = last >= c.last_seq ? 0 : await unreadAfter(trx, url, userId, last);
    const counted = await trx
      .selectFrom("channels")
      .select("countable_count")
      .where("channel_url", "=", url)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("members")
      .set({ read_offset: Number(counted.countable_count) - unread })
      .where("channel_url", "=", url)
      .where("user_id", "=", userId)
      .execute();
    const mark: ReadMark = {
      channel_url: url,
      user_id: userId,
      last_read_seq: last,
      last_seq: c.last_seq,
      unread_count: unread,
    };
    // Only a mark that moved forward is an event (re-reading the same seq is not).
    if (wants && last > before) {
      wrote = await recordChange(ctx, trx, "read.updated", () => ({ type: "read.updated", mark }));
    }
    return mark;
  });
  afterCommit(ctx, wrote);
  return result;
}

async function readMarkIn(db: Db, url: string, userId: string): Promise<number> {
  const r = await db
    .selectFrom("read_marks")
    .select("last_read_seq")
    .where("channel_url", "=", url)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Number(r?.last_read_seq ?? 0);
}

export async function readMark(ctx: StoreContext, url: string, userId: string): Promise<ReadMark> {
  const row = await ctx.db
    .selectFrom("channels as c")
    .leftJoin("members as m", (j) =>
      j.onRef("m.channel_url", "=", "c.channel_url").on("m.user_id", "=", userId),
    )
    .leftJoin("read_marks as r", (j) =>
      j.onRef("r.channel_url", "=", "c.channel_url").on("r.user_id", "=", userId),
    )
    .select(["c.last_seq", "c.countable_count", "m.read_offset", "m.user_id as member", "r.last_read_seq"])
    .where("c.channel_url", "=", url)
    .executeTakeFirst();
  if (!row) throw notFound(url);
  const last = Number(row.last_read_seq ?? 0);
  // A non-member keeps no counter (the providers only ask for members): counted as before.
  const unread =
    row.member !== null
      ? Number(row.countable_count) - Number(row.read_offset)
      : await unreadAfter(ctx.db, url, userId, last);
  return {
    channel_url: url,
    user_id: userId,
    last_read_seq: last,
    last_seq: Number(row.last_seq),
    unread_count: unread,
  };
}

export async function readState(ctx: StoreContext, url: string) {
  await requireChannel(ctx, ctx.db, url);
  const rows = await ctx.db
    .selectFrom("members as m")
    .leftJoin("read_marks as r", (j) =>
      j.onRef("r.channel_url", "=", "m.channel_url").onRef("r.user_id", "=", "m.user_id"),
    )
    .select(["m.user_id", "r.last_read_seq"])
    .where("m.channel_url", "=", url)
    .orderBy("m.joined_at")
    .orderBy("m.user_id")
    .execute();
  return rows.map((r) => ({ user_id: r.user_id, last_read_seq: Number(r.last_read_seq ?? 0) }));
}

export async function totalUnread(
  ctx: StoreContext,
  userId: string,
  options: { provider?: ProviderName } = {},
): Promise<number> {
  const { provider } = options;
  const r = await ctx.db
    .selectFrom("members as m")
    .innerJoin("channels as c", "c.channel_url", "m.channel_url")
    .select((eb) =>
      eb.fn.sum<number | string | null>(eb("c.countable_count", "-", eb.ref("m.read_offset"))).as("n"),
    )
    .where("m.user_id", "=", userId)
    .$if(provider !== undefined, (q) => q.where("c.provider", "=", provider!))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
