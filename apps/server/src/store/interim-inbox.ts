// Interim inbox queries over the 0.2 stores (one round trip per channel), until the store written
// once on kysely serves them from per-member counters. Correct, not fast.
import { decodeCursor, encodeCursor } from "./cursor.ts";
import type { InboxRow, ListUserChannelsOptions, MessageStore } from "./message-store.ts";

type Base = Pick<MessageStore, "getChannel" | "readMark" | "listMessages">;

async function rowsOf(store: Base, urls: string[], userId: string): Promise<InboxRow[]> {
  const rows: InboxRow[] = [];
  for (const url of urls) {
    const channel = await store.getChannel(url);
    if (!channel) continue;
    const [mark, last] = await Promise.all([
      store.readMark(url, userId),
      store.listMessages(url, { beforeSeq: Number.MAX_SAFE_INTEGER, limit: 1, messagesOnly: true }),
    ]);
    const lastMessage = last[0] ?? null;
    rows.push({
      channel: { ...channel, last_activity_at: lastMessage?.created_at ?? channel.created_at },
      last_message: lastMessage,
      unread_count: mark.unread_count,
      last_read_seq: mark.last_read_seq,
      joined_at: channel.created_at,
    });
  }
  return rows;
}

const key = (r: InboxRow) => `${r.channel.last_activity_at}\u0000${r.channel.channel_url}`;

export async function interimTotalUnread(store: Base, urls: string[], userId: string): Promise<number> {
  let n = 0;
  for (const url of urls) n += (await store.readMark(url, userId)).unread_count;
  return n;
}

export async function interimListUserChannels(
  store: Base,
  urls: string[],
  userId: string,
  o: ListUserChannelsOptions,
): Promise<{ rows: InboxRow[]; nextCursor: string | null }> {
  const after = o.cursor ? decodeCursor(o.cursor) : null;
  const prefix = o.namePrefix?.toLowerCase();
  const rows = (await rowsOf(store, urls, userId))
    .filter(
      (r) =>
        (o.customType === undefined || r.channel.custom_type === o.customType) &&
        (prefix === undefined || r.channel.name.toLowerCase().startsWith(prefix)) &&
        (!o.unreadOnly || r.unread_count > 0) &&
        (o.provider === undefined || r.channel.provider === o.provider),
    )
    .sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0))
    .filter((r) => after === null || key(r) < after);
  const page = rows.slice(0, o.limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > o.limit && last ? encodeCursor(key(last)) : null };
}
