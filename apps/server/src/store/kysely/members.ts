import { COUNTABLE_TYPES, type StoredChannel } from "../message-store.ts";
import { recountMembers } from "./channels.ts";
import { requireChannel, type StoreContext } from "./context.ts";
import type { Db } from "./dialect.ts";
import { perStore, preparedQuery } from "./prepared.ts";
import { afterCommit, recordChange } from "./outbox.ts";
import { notDeleted } from "./rows.ts";

/**
 * Adds members; each starts with its unread computed once (as a read offset), by today's definition: the
 * countable messages after its read mark (0, or the mark it kept from an earlier membership)
 * that are not deleted and not its own. One pass over the channel's messages covers every new
 * member without a mark; a rejoining member counts only after its mark.
 */
export async function addMembers(ctx: StoreContext, url: string, userIds: string[]): Promise<StoredChannel> {
  for (const u of userIds) ctx.codec.checkText("user_id", u);
  let wrote = false;
  const after = await ctx.db.transaction().execute(async (trx) => {
    // Locked first, so appends wait and the counts below include everything before the join.
    await requireChannel(ctx, trx, url, "noKeyUpdate");
    const counted = await trx
      .selectFrom("channels")
      .select("countable_count")
      .where("channel_url", "=", url)
      .executeTakeFirstOrThrow();
    const wanted = [...new Set(userIds)];
    let joining: string[] = [];
    if (wanted.length > 0) {
      const existing = new Set(
        (
          await trx
            .selectFrom("members")
            .select("user_id")
            .where("channel_url", "=", url)
            .where("user_id", "in", wanted)
            .execute()
        ).map((r) => r.user_id),
      );
      joining = wanted.filter((u) => !existing.has(u));
      if (joining.length > 0) {
        const unread = await initialUnread(trx, url, joining);
        const now = new Date().toISOString();
        await trx
          .insertInto("members")
          .values(
            joining.map((u) => ({
              channel_url: url,
              user_id: u,
              joined_at: now,
              read_offset: Number(counted.countable_count) - (unread.get(u) ?? 0),
            })),
          )
          .execute();
      }
    }
    const channel = await recountMembers(ctx, trx, url);
    if (joining.length > 0) {
      wrote = await recordChange(ctx, trx, "member.added", () => ({
        type: "member.added",
        channel,
        user_ids: joining,
      }));
    }
    return channel;
  });
  afterCommit(ctx, wrote);
  return after;
}

async function initialUnread(db: Db, url: string, users: string[]): Promise<Map<string, number>> {
  const marks = new Map(
    (
      await db
        .selectFrom("read_marks")
        .select(["user_id", "last_read_seq"])
        .where("channel_url", "=", url)
        .where("user_id", "in", users)
        .execute()
    ).map((r) => [r.user_id, Number(r.last_read_seq)]),
  );
  const out = new Map<string, number>();
  const fresh = users.filter((u) => !(marks.get(u)! > 0));
  if (fresh.length > 0) {
    // Countable, undeleted messages per sender (null = admin): all of them minus the user's own.
    const bySender = await db
      .selectFrom("messages")
      .select(["user_id", db.fn.countAll().as("n")])
      .where("channel_url", "=", url)
      .where("type", "in", COUNTABLE_TYPES)
      .where(notDeleted)
      .groupBy("user_id")
      .execute();
    let total = 0;
    const own = new Map<string, number>();
    for (const r of bySender) {
      total += Number(r.n);
      if (r.user_id !== null) own.set(r.user_id, Number(r.n));
    }
    for (const u of fresh) out.set(u, total - (own.get(u) ?? 0));
  }
  for (const [u, mark] of marks) if (mark > 0) out.set(u, await unreadAfter(db, url, u, mark));
  return out;
}

/** Scan definition of unread: countable, undeleted messages after `mark` not sent by `userId`. */
export async function unreadAfter(db: Db, url: string, userId: string, mark: number): Promise<number> {
  const r = await db
    .selectFrom("messages")
    .select(db.fn.countAll().as("n"))
    .where("channel_url", "=", url)
    .where("seq", ">", mark)
    .where("type", "in", COUNTABLE_TYPES)
    .where(notDeleted)
    .where((eb) => eb.or([eb("user_id", "is", null), eb("user_id", "<>", userId)]))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function removeMembers(
  ctx: StoreContext,
  url: string,
  userIds: string[],
): Promise<StoredChannel> {
  let wrote = false;
  const after = await ctx.db.transaction().execute(async (trx) => {
    await requireChannel(ctx, trx, url, "noKeyUpdate");
    let removed: string[] = [];
    if (userIds.length > 0) {
      removed = (
        await trx
          .deleteFrom("members")
          .where("channel_url", "=", url)
          .where("user_id", "in", userIds)
          .returning("user_id")
          .execute()
      ).map((r) => r.user_id);
    }
    const channel = await recountMembers(ctx, trx, url);
    if (removed.length > 0) {
      wrote = await recordChange(ctx, trx, "member.removed", () => ({
        type: "member.removed",
        channel,
        user_ids: removed,
      }));
    }
    return channel;
  });
  afterCommit(ctx, wrote);
  return after;
}

export async function listMembers(ctx: StoreContext, url: string): Promise<string[]> {
  await requireChannel(ctx, ctx.db, url);
  const rows = await ctx.db
    .selectFrom("members")
    .select("user_id")
    .where("channel_url", "=", url)
    .orderBy("joined_at")
    .orderBy("user_id")
    .execute();
  return rows.map((r) => r.user_id);
}

const memberRow = perStore((ctx: StoreContext) =>
  preparedQuery(ctx, 2, (url: string, userId: string) =>
    ctx.db
      .selectFrom("members")
      .select("user_id")
      .where("channel_url", "=", url)
      .where("user_id", "=", userId),
  ),
);

export async function isMember(ctx: StoreContext, url: string, userId: string): Promise<boolean> {
  return (await memberRow(ctx)(url, userId)).length > 0;
}

export async function userChannelUrls(ctx: StoreContext, userId: string): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom("members")
    .select("channel_url")
    .where("user_id", "=", userId)
    .orderBy("channel_url")
    .execute();
  return rows.map((r) => r.channel_url);
}
