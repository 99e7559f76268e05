import { type SqlBool, sql } from "kysely";
import { COUNTABLE_TYPES, MAX_PINS, type StoredPin, StoreError } from "../message-store.ts";
import { requireChannel, type StoreContext } from "./context.ts";
import { afterCommit, recordChange } from "./outbox.ts";
import { MESSAGE_COLUMNS, notDeleted, unprefix } from "./rows.ts";

const PINNED = MESSAGE_COLUMNS.map((c) => `m.${c} as m_${c}` as const);

const toPin = (ctx: StoreContext, r: Record<string, unknown>): StoredPin => ({
  channel_url: r.channel_url as string,
  seq: Number(r.seq),
  pinned_by: (r.pinned_by as string | null) ?? null,
  pinned_at: r.pinned_at as string,
  message: ctx.codec.message(unprefix(r, "m_", MESSAGE_COLUMNS)),
});

function pinsOf(db: StoreContext["db"], url: string) {
  return db
    .selectFrom("pins as p")
    .innerJoin("messages as m", (j) =>
      j.onRef("m.channel_url", "=", "p.channel_url").onRef("m.seq", "=", "p.seq"),
    )
    .select(["p.channel_url", "p.seq", "p.pinned_by", "p.pinned_at", ...PINNED])
    .where("p.channel_url", "=", url);
}

export async function pinMessage(
  ctx: StoreContext,
  url: string,
  seq: number,
  by: string | null,
): Promise<{ pin: StoredPin; created: boolean }> {
  ctx.codec.checkText("pinned_by", by);
  let wrote = false;
  const out = await ctx.db.transaction().execute(async (trx) => {
    // Ordered with edits and deletes of the message (the same channel lock).
    await requireChannel(ctx, trx, url, "update");
    const target = await trx
      .selectFrom("messages")
      .select(["seq"])
      .where("channel_url", "=", url)
      .where("seq", "=", seq)
      .where("type", "in", COUNTABLE_TYPES)
      .where(notDeleted)
      .executeTakeFirst();
    if (!target) throw new StoreError("MESSAGE_NOT_FOUND", `no message with seq ${seq}`);
    const existing = await pinsOf(trx, url).where("p.seq", "=", seq).executeTakeFirst();
    if (existing) return { pin: toPin(ctx, existing), created: false };
    const { n } = await trx
      .selectFrom("pins")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("channel_url", "=", url)
      .executeTakeFirstOrThrow();
    if (Number(n) >= MAX_PINS) throw new StoreError("INVALID_DATA", `a channel has at most ${MAX_PINS} pins`);
    await trx
      .insertInto("pins")
      .values({ channel_url: url, seq, pinned_by: by, pinned_at: new Date().toISOString() })
      .execute();
    const row = await pinsOf(trx, url).where("p.seq", "=", seq).executeTakeFirstOrThrow();
    const pin = toPin(ctx, row);
    wrote = await recordChange(ctx, trx, "message.pinned", () => ({
      type: "message.pinned",
      pin,
      user_id: by,
    }));
    return { pin, created: true };
  });
  afterCommit(ctx, wrote);
  return out;
}

export async function unpinMessage(
  ctx: StoreContext,
  url: string,
  seq: number,
  by: string | null,
): Promise<StoredPin | null> {
  let wrote = false;
  const out = await ctx.db.transaction().execute(async (trx) => {
    await requireChannel(ctx, trx, url, "update");
    const row = await pinsOf(trx, url).where("p.seq", "=", seq).executeTakeFirst();
    if (!row) return null;
    await trx.deleteFrom("pins").where("channel_url", "=", url).where("seq", "=", seq).execute();
    const pin = toPin(ctx, row);
    wrote = await recordChange(ctx, trx, "message.unpinned", () => ({
      type: "message.unpinned",
      pin,
      user_id: by,
    }));
    return pin;
  });
  afterCommit(ctx, wrote);
  return out;
}

export async function listPins(ctx: StoreContext, url: string): Promise<StoredPin[]> {
  await requireChannel(ctx, ctx.db, url);
  const rows = await pinsOf(ctx.db, url)
    .where(sql<SqlBool>`not m.deleted`)
    .orderBy("p.pinned_at", "desc")
    .orderBy("p.seq", "desc")
    .execute();
  return rows.map((r) => toPin(ctx, r));
}
