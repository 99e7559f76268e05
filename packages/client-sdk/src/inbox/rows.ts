import type { InboxChannel, SeqLogEntry } from "@podchat/protocol";
import { isMessageFrame } from "@podchat/protocol/validate";

/** The server's list order: newest activity first, ties by channel_url. */
export function byActivity(a: InboxChannel, b: InboxChannel): number {
  const d = Date.parse(b.last_activity_at) - Date.parse(a.last_activity_at);
  if (d) return d;
  return a.channel_url < b.channel_url ? -1 : a.channel_url > b.channel_url ? 1 : 0;
}

/** The fresher of two versions of a row: the one that has seen more of the channel's seq log. */
export function fresher(current: InboxChannel | undefined, incoming: InboxChannel): InboxChannel {
  return !current || incoming.last_seq >= current.last_seq ? incoming : current;
}

/**
 * A row after a seq-log entry of its channel, and how much the user's unread count grew (from
 * someone else's message). Entries at or below the row's `last_seq` are already in it: unchanged.
 */
export function withEntry(
  row: InboxChannel,
  e: SeqLogEntry,
  isMine: (userId: SeqLogEntry["user_id"]) => boolean,
): { row: InboxChannel; unread: number } {
  if (e.seq <= row.last_seq) return { row, unread: 0 };
  const next: InboxChannel = { ...row, last_seq: e.seq };
  let unread = 0;
  const last = row.last_message;
  if (isMessageFrame(e)) {
    next.last_message = e;
    if (Date.parse(e.timestamp) >= Date.parse(row.last_activity_at)) next.last_activity_at = e.timestamp;
    if (!isMine(e.user_id) && e.seq > row.last_read_seq) unread = 1;
  } else if (last && last.seq === e.target_seq) {
    if (e.type === "MESSAGE_UPDATED") {
      next.last_message = { ...last, message: e.message, edited_at: e.edited_at };
      if (e.data !== undefined) next.last_message.data = e.data;
    } else {
      const { data: _d, file: _f, ...rest } = last;
      next.last_message = { ...rest, message: "", deleted: true };
      // Only the last message's author is known here: other deletions count on the next exact value.
      if (!last.deleted && !isMine(last.user_id) && last.seq > row.last_read_seq && row.unread_count > 0)
        unread = -1;
    }
  }
  next.unread_count = row.unread_count + unread;
  return { row: next, unread };
}
