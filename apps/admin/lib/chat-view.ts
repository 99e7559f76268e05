// Pure helpers of the playground's chat view: edits/deletions over the message list, who read what,
// who is typing, and file URLs an <img> can load.
import type { FileInfo, MessageFrame, WireUserId } from "@podchat/protocol";
import { sameUser } from "./format";

/** What an edit or a deletion did to one message (by the edited message's seq). */
export type MessageChange = { kind: "edited"; message: string; editedAt: string } | { kind: "deleted" };

/** Target seq of an edit/delete event: `target_seq` on seq-log entries, else the message's own `seq`. */
export function changeTarget(event: { seq: number; target_seq?: number }): number {
  return event.target_seq ?? event.seq;
}

/** The messages as they are now: edits replace the text, deletions leave a tombstone. */
export function applyChanges(
  messages: readonly MessageFrame[],
  changes: ReadonlyMap<number, MessageChange>,
): MessageFrame[] {
  if (changes.size === 0) return [...messages];
  return messages.map((m) => {
    const change = changes.get(m.seq);
    if (!change || m.deleted) return m;
    if (change.kind === "deleted") {
      const { data: _data, file: _file, ...rest } = m;
      return { ...rest, message: "", deleted: true };
    }
    // A newer copy of the message (from history) may already carry a later edit.
    if (m.edited_at && m.edited_at >= change.editedAt) return m;
    return { ...m, message: change.message, edited_at: change.editedAt };
  });
}

/** Last read seq per member (string form of the id). */
export type ReadState = ReadonlyMap<string, number>;

/** Read state after a receipt: a member's read position only moves forward. */
export function applyReceipt(state: ReadState, userId: WireUserId, seq: number): ReadState {
  const key = String(userId);
  if ((state.get(key) ?? 0) >= seq) return state;
  return new Map(state).set(key, seq);
}

/** Members other than the sender who have read up to `seq` or beyond, sorted. */
export function readersOf(state: ReadState, seq: number, sender: WireUserId | null | undefined): string[] {
  return [...state]
    .filter(([user, readSeq]) => readSeq >= seq && !sameUser(user, sender))
    .map(([user]) => user)
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** `user 2 is typing…`, `users 2 and 3 are typing…`; empty when nobody is. */
export function typingText(userIds: readonly string[]): string {
  if (userIds.length === 0) return "";
  if (userIds.length === 1) return `user ${userIds[0]} is typing…`;
  const head = userIds.slice(0, -1).join(", ");
  return `users ${head} and ${userIds.at(-1)} are typing…`;
}

/**
 * A file URL the browser can load without headers: absolute (relative to the server), with the
 * member's token as `?token=` (files are served to members only).
 */
export function fileSrc(url: string, serverUrl: string, token: string): string {
  const u = new URL(url, serverUrl.endsWith("/") ? serverUrl : `${serverUrl}/`);
  u.searchParams.set("token", token);
  return u.toString();
}

/** The image to show for a message, if it carries one (its thumbnail when there is one). */
export function imageOf(file: FileInfo | undefined): string | null {
  if (!file?.mime_type.startsWith("image/")) return null;
  return file.thumbnail_url || file.url;
}

const CHAT_ERROR_TEXT: Record<string, string> = {
  BANNED: "You are banned from this channel: the connection was closed.",
  MUTED: "You are muted in this channel: you can read, but not send.",
  FROZEN: "The channel is frozen: only operators can send.",
  NOT_AUTHOR: "Only the author can change this message.",
  NOT_MEMBER: "You are not a member of this channel.",
};

/** An SDK or server error in words, keeping its code: `BANNED: You are banned …`. */
export function describeChatError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : undefined;
  const message = typeof e?.message === "string" ? e.message : String(error);
  if (!code) return message;
  const text = CHAT_ERROR_TEXT[code];
  return text ? `${code}: ${text}` : `${code}: ${message}`;
}

/** An inbox row's last message as one line, `sender: text` (admin messages say `admin`). */
export function lastMessageText(m: MessageFrame | null): string {
  if (!m) return "No messages yet";
  const sender = m.user_id ?? "admin";
  if (m.deleted) return `${sender}: message deleted`;
  const text = m.message || (m.file ? `[${m.file.name}]` : `(${m.type})`);
  return `${sender}: ${text}`;
}
