import { sql, type Transaction } from "kysely";
import type { RestrictionKind, StoreChange, StoredModeration } from "../message-store.ts";
import { notFound, requireChannel, type StoreContext } from "./context.ts";
import type { Db } from "./dialect.ts";
import { afterCommit, recordChange } from "./outbox.ts";
import type { StoreSchema } from "./schema.ts";

export async function getModeration(ctx: StoreContext, url: string): Promise<StoredModeration> {
  const c = await ctx.db
    .selectFrom("channels")
    .select("frozen")
    .where("channel_url", "=", url)
    .executeTakeFirst();
  if (!c) throw notFound(url);
  const [ops, rs] = await Promise.all([
    ctx.db
      .selectFrom("operators")
      .select("user_id")
      .where("channel_url", "=", url)
      .orderBy("user_id")
      .execute(),
    ctx.db
      .selectFrom("restrictions")
      .select(["user_id", "kind", "until"])
      .where("channel_url", "=", url)
      .where((eb) => eb.or([eb("until", "is", null), eb("until", ">", new Date().toISOString())]))
      .orderBy("user_id")
      .execute(),
  ]);
  const of = (kind: RestrictionKind) =>
    rs.filter((r) => r.kind === kind).map((r) => ({ user_id: r.user_id, until: r.until }));
  return {
    frozen: ctx.codec.bool(c.frozen),
    operators: ops.map((r) => r.user_id),
    banned: of("ban"),
    muted: of("mute"),
  };
}

/** Every moderation write runs on an existing channel (CHANNEL_NOT_FOUND otherwise), in one transaction. */
function onChannel(
  ctx: StoreContext,
  url: string,
  userIds: string[],
  fn: (trx: Transaction<StoreSchema>) => Promise<unknown>,
  change?: StoreChange,
): Promise<void> {
  for (const u of userIds) ctx.codec.checkText("user_id", u);
  let wrote = false;
  return ctx.db
    .transaction()
    .execute(async (trx) => {
      await requireChannel(ctx, trx, url, "noKeyUpdate");
      const changed = await fn(trx);
      // `fn` answers false when it changed nothing (e.g. unban of a user who was not banned).
      if (change && changed !== false) wrote = await recordChange(ctx, trx, change.type, () => change);
    })
    .then(() => afterCommit(ctx, wrote));
}

export function restrict(
  ctx: StoreContext,
  url: string,
  kind: RestrictionKind,
  userIds: string[],
  until: string | null,
): Promise<void> {
  const users = [...new Set(userIds)];
  const type = kind === "ban" ? "moderation.banned" : "moderation.muted";
  return onChannel(
    ctx,
    url,
    userIds,
    async (trx) => {
      if (users.length === 0) return false;
      const now = new Date().toISOString();
      await trx
        .insertInto("restrictions")
        .values(users.map((u) => ({ channel_url: url, user_id: u, kind, until, created_at: now })))
        .onConflict((oc) =>
          oc.columns(["channel_url", "kind", "user_id"]).doUpdateSet((eb) => ({
            until: eb.ref("excluded.until"),
            created_at: eb.ref("excluded.created_at"),
          })),
        )
        .execute();
      return true;
    },
    { type, channel_url: url, user_ids: users, until },
  );
}

export function unrestrict(
  ctx: StoreContext,
  url: string,
  kind: RestrictionKind,
  userId: string,
): Promise<void> {
  const type = kind === "ban" ? "moderation.unbanned" : "moderation.unmuted";
  return onChannel(
    ctx,
    url,
    [],
    async (trx) => {
      const r = await trx
        .deleteFrom("restrictions")
        .where("channel_url", "=", url)
        .where("kind", "=", kind)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    { type, channel_url: url, user_ids: [userId] },
  );
}

export async function setFrozen(ctx: StoreContext, url: string, frozen: boolean): Promise<void> {
  const type = frozen ? "moderation.frozen" : "moderation.unfrozen";
  const update = async (db: Db) => {
    const r = await db
      .updateTable("channels")
      .set({ frozen: sql.lit(frozen) as never })
      .where("channel_url", "=", url)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw notFound(url);
  };
  // One statement, unless its event is recorded with it.
  if (!ctx.changes.recorder?.wants(type)) return update(ctx.db);
  let wrote = false;
  await ctx.db.transaction().execute(async (trx) => {
    await update(trx);
    wrote = await recordChange(ctx, trx, type, () => ({ type, channel_url: url }));
  });
  afterCommit(ctx, wrote);
}

export function addOperators(ctx: StoreContext, url: string, userIds: string[]): Promise<void> {
  const users = [...new Set(userIds)];
  return onChannel(
    ctx,
    url,
    userIds,
    async (trx) => {
      if (users.length === 0) return false;
      await trx
        .insertInto("operators")
        .values(users.map((u) => ({ channel_url: url, user_id: u })))
        .onConflict((oc) => oc.columns(["channel_url", "user_id"]).doNothing())
        .execute();
      return true;
    },
    { type: "moderation.operators_added", channel_url: url, user_ids: users },
  );
}

export function removeOperators(ctx: StoreContext, url: string, userIds: string[]): Promise<void> {
  return onChannel(
    ctx,
    url,
    [],
    async (trx) => {
      if (userIds.length === 0) return false;
      await trx
        .deleteFrom("operators")
        .where("channel_url", "=", url)
        .where("user_id", "in", userIds)
        .execute();
      return true;
    },
    { type: "moderation.operators_removed", channel_url: url, user_ids: [...new Set(userIds)] },
  );
}
