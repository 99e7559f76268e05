import { randomUUID } from "node:crypto";
import {
  type ChangeResult,
  COUNTABLE_TYPES,
  type DeleteInput,
  type EditInput,
  type MessageRange,
  type StoredMessage,
  StoreError,
} from "../message-store.ts";
import { requireChannel, type StoreContext } from "./context.ts";
import { perStore, preparedQuery } from "./prepared.ts";
import { afterCommit, recordChange } from "./outbox.ts";
import { MESSAGE_COLUMNS } from "./rows.ts";

/** History reads, compiled once per direction and filter. */
const history = perStore((ctx: StoreContext) => {
  const page = (backwards: boolean, messagesOnly: boolean) =>
    preparedQuery(ctx, 3, (url: string, seq: number, limit: number) =>
      ctx.db
        .selectFrom("messages")
        .select(MESSAGE_COLUMNS)
        .where("channel_url", "=", url)
        .where("seq", backwards ? "<" : ">", seq)
        .$if(messagesOnly, (q) => q.where("type", "in", COUNTABLE_TYPES))
        .orderBy("seq", backwards ? "desc" : "asc")
        .limit(limit),
    );
  return {
    before: page(true, false),
    beforeMessages: page(true, true),
    after: page(false, false),
    afterMessages: page(false, true),
    one: preparedQuery(ctx, 2, (url: string, seq: number) =>
      ctx.db
        .selectFrom("messages")
        .select(MESSAGE_COLUMNS)
        .where("channel_url", "=", url)
        .where("seq", "=", seq)
        .where("type", "in", COUNTABLE_TYPES),
    ),
  };
});

export async function listMessages(
  ctx: StoreContext,
  url: string,
  range: MessageRange,
): Promise<StoredMessage[]> {
  const h = history(ctx);
  if (range.beforeSeq !== undefined) {
    const q = range.messagesOnly ? h.beforeMessages : h.before;
    return (await q(url, range.beforeSeq, range.limit)).reverse().map(ctx.codec.message);
  }
  const q = range.messagesOnly ? h.afterMessages : h.after;
  return (await q(url, range.afterSeq ?? 0, range.limit)).map(ctx.codec.message);
}

export async function getMessage(ctx: StoreContext, url: string, seq: number): Promise<StoredMessage | null> {
  const [row] = await history(ctx).one(url, seq);
  return row ? ctx.codec.message(row) : null;
}

export function editMessage(ctx: StoreContext, input: EditInput): Promise<ChangeResult> {
  return change(ctx, input, "MESSAGE_UPDATED");
}

export function deleteMessage(ctx: StoreContext, input: DeleteInput): Promise<ChangeResult> {
  return change(ctx, input, "MESSAGE_DELETED");
}

/**
 * Edit or delete: check the target, change it, take the next seq for the log entry, append it —
 * one transaction. A delete also takes the message out of the channel's countable count, and out
 * of the read offsets of its author and of the members who had read it (for whom it was not
 * unread), so only those who had not read it see their unread go down (see reads.ts). Neither moves the channel's last activity.
 */
async function change(
  ctx: StoreContext,
  input: EditInput | DeleteInput,
  kind: "MESSAGE_UPDATED" | "MESSAGE_DELETED",
): Promise<ChangeResult> {
  const edit = kind === "MESSAGE_UPDATED" ? (input as EditInput) : null;
  if (edit) ctx.codec.checkText("message", edit.message);
  const newData =
    edit?.data !== undefined && edit.data !== null ? ctx.codec.toJson("data", edit.data) : undefined;
  let wrote = false;
  const changed = await ctx.db.transaction().execute(async (trx) => {
    // The channel row lock orders this change with concurrent appends (same lock as the seq bump).
    await requireChannel(ctx, trx, input.channel_url, "update");
    const found = await trx
      .selectFrom("messages")
      .select(MESSAGE_COLUMNS)
      .where("channel_url", "=", input.channel_url)
      .where("seq", "=", input.target_seq)
      .where("type", "in", COUNTABLE_TYPES)
      .executeTakeFirst();
    const before = found ? ctx.codec.message(found) : null;
    if (!before || before.deleted) {
      throw new StoreError("MESSAGE_NOT_FOUND", `no message with seq ${input.target_seq}`);
    }
    if (input.require_author !== undefined && before.user_id !== input.require_author) {
      throw new StoreError("NOT_AUTHOR", "only the author may change this message");
    }
    const now = new Date().toISOString();
    let data: Record<string, unknown> | null = null;
    let dataJson: string | null = null;
    const target = trx
      .updateTable("messages")
      .where("channel_url", "=", input.channel_url)
      .where("seq", "=", input.target_seq);
    if (edit) {
      data = edit.data !== undefined ? edit.data : before.data;
      dataJson =
        edit.data === undefined
          ? before.data === null
            ? null
            : JSON.stringify(before.data)
          : (newData ?? null);
      await target.set({ message: edit.message, data: dataJson, edited_at: now }).execute();
    } else {
      await target
        .set((eb) => ({ message: "", data: null, file: null, deleted: eb.lit(true) as never }))
        .execute();
      // A deleted message is no longer pinned (@since 0.5).
      await trx
        .deleteFrom("pins")
        .where("channel_url", "=", input.channel_url)
        .where("seq", "=", input.target_seq)
        .execute();
      await trx
        .updateTable("channels")
        .set((eb) => ({ countable_count: eb("countable_count", "-", 1) }))
        .where("channel_url", "=", input.channel_url)
        .execute();
      await trx
        .updateTable("members")
        .set((eb) => ({ read_offset: eb("read_offset", "-", 1) }))
        .where("channel_url", "=", input.channel_url)
        .where((eb) => {
          const readIt = eb(
            eb.fn.coalesce(
              eb
                .selectFrom("read_marks as r")
                .select("r.last_read_seq")
                .whereRef("r.channel_url", "=", "members.channel_url")
                .whereRef("r.user_id", "=", "members.user_id"),
              eb.lit(0),
            ),
            ">=",
            input.target_seq,
          );
          return before.user_id === null ? readIt : eb.or([eb("user_id", "=", before.user_id), readIt]);
        })
        .execute();
    }
    const bumped = await trx
      .updateTable("channels")
      .set((eb) => ({ last_seq: eb("last_seq", "+", 1) }))
      .where("channel_url", "=", input.channel_url)
      .returning("last_seq")
      .executeTakeFirstOrThrow();
    const entry: StoredMessage = {
      message_id: randomUUID(),
      channel_url: input.channel_url,
      seq: Number(bumped.last_seq),
      type: kind,
      user_id: input.user_id,
      message: edit ? edit.message : "",
      custom_type: null,
      data,
      file: null,
      req_id: null,
      created_at: now,
      edited_at: null,
      deleted: false,
      target_seq: input.target_seq,
      target_message_id: before.message_id,
    };
    await trx
      .insertInto("messages")
      .values({
        channel_url: entry.channel_url,
        seq: entry.seq,
        message_id: entry.message_id,
        type: kind,
        user_id: entry.user_id,
        message: entry.message,
        data: dataJson,
        created_at: now,
        target_seq: entry.target_seq,
        target_message_id: entry.target_message_id,
      })
      .execute();
    const after = await trx
      .selectFrom("messages")
      .select(MESSAGE_COLUMNS)
      .where("channel_url", "=", input.channel_url)
      .where("seq", "=", input.target_seq)
      .executeTakeFirstOrThrow();
    const result: ChangeResult = { target: ctx.codec.message(after), before, entry };
    const type = kind === "MESSAGE_UPDATED" ? "message.updated" : "message.deleted";
    wrote = await recordChange(ctx, trx, type, () => ({ type, change: result }));
    return result;
  });
  afterCommit(ctx, wrote);
  return changed;
}
