import { decodeCursor, encodeCursor } from "../cursor.ts";
import { type InboxRow, type ListUserChannelsOptions, StoreError } from "../message-store.ts";
import type { StoreContext } from "./context.ts";
import { CHANNEL_COLUMNS, MESSAGE_COLUMNS, unprefix } from "./rows.ts";

function parseCursor(cursor: string): [string, string] {
  const key = decodeCursor(cursor);
  try {
    const v: unknown = key === null ? null : JSON.parse(key);
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string") {
      return [v[0], v[1]];
    }
  } catch {}
  throw new StoreError("INVALID_DATA", "invalid inbox cursor");
}

/**
 * One page of the user's channels, most recently active first, ties by channel_url (both
 * descending), keyset-paged on (last_activity_at, channel_url). Walks the user's memberships
 * (index members_user) and joins each channel, the user's read mark and the channel's newest
 * message by primary key; `channels_activity` serves the same order without the user filter.
 */
export async function listUserChannels(
  ctx: StoreContext,
  userId: string,
  opts: ListUserChannelsOptions,
): Promise<{ rows: InboxRow[]; nextCursor: string | null }> {
  const after: [string, string] | null = opts.after
    ? [opts.after.lastActivityAt, opts.after.channelUrl]
    : opts.cursor
      ? parseCursor(opts.cursor)
      : null;
  const prefix = opts.namePrefix;
  const rows = await ctx.db
    .selectFrom("members as mb")
    .innerJoin("channels as c", "c.channel_url", "mb.channel_url")
    .leftJoin("read_marks as r", (j) =>
      j.onRef("r.channel_url", "=", "mb.channel_url").onRef("r.user_id", "=", "mb.user_id"),
    )
    .leftJoin("messages as lm", (j) =>
      j.onRef("lm.channel_url", "=", "c.channel_url").onRef("lm.seq", "=", "c.last_message_seq"),
    )
    .select(CHANNEL_COLUMNS.map((col) => `c.${col} as c_${col}` as const))
    .select(MESSAGE_COLUMNS.map((col) => `lm.${col} as m_${col}` as const))
    .select((eb) => eb("c.countable_count", "-", eb.ref("mb.read_offset")).as("unread_count"))
    .select(["mb.joined_at", "r.last_read_seq"])
    .where("mb.user_id", "=", userId)
    .$if(opts.customType !== undefined, (q) => q.where("c.custom_type", "=", opts.customType!))
    .$if(Boolean(prefix), (q) =>
      // substr counts characters on both databases, so the length is in code points.
      q.where((eb) => eb(eb.fn("substr", ["c.name", eb.lit(1), eb.lit([...prefix!].length)]), "=", prefix!)),
    )
    .$if(Boolean(opts.unreadOnly), (q) => q.whereRef("c.countable_count", ">", "mb.read_offset"))
    .$if(opts.provider !== undefined, (q) => q.where("c.provider", "=", opts.provider!))
    .$if(after !== null, (q) =>
      q.where((eb) =>
        eb(eb.refTuple("c.last_activity_at", "c.channel_url"), "<", eb.tuple(after![0], after![1])),
      ),
    )
    .orderBy("c.last_activity_at", "desc")
    .orderBy("c.channel_url", "desc")
    .limit(opts.limit + 1)
    .execute();
  const more = rows.length > opts.limit;
  const page = rows.slice(0, opts.limit).map((r): InboxRow => {
    const row = r as Record<string, unknown>;
    return {
      channel: ctx.codec.channel(unprefix(row, "c_", CHANNEL_COLUMNS)),
      last_message: row.m_message_id == null ? null : ctx.codec.message(unprefix(row, "m_", MESSAGE_COLUMNS)),
      unread_count: Number(r.unread_count),
      last_read_seq: Number(r.last_read_seq ?? 0),
      joined_at: r.joined_at,
    };
  });
  const last = page[page.length - 1];
  return {
    rows: page,
    nextCursor:
      more && last
        ? encodeCursor(JSON.stringify([last.channel.last_activity_at, last.channel.channel_url]))
        : null,
  };
}
