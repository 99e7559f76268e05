import type { MessageDeletedFrame, MessageFrame, MessageUpdatedFrame } from "@podchat/protocol";

/**
 * Applies an edit or a deletion to a list of messages (as kept by an app or `useChannel`): the
 * target gets the new text and `edited_at` (and `data` when the edit set it), or becomes a
 * tombstone (`deleted: true`, empty text, no data or file). Returns the same array when the
 * target is not in it.
 */
export function applyChange(
  messages: readonly MessageFrame[],
  change: MessageUpdatedFrame | MessageDeletedFrame,
): readonly MessageFrame[] {
  const i = messages.findIndex((m) => m.seq === change.target_seq);
  const m = messages[i];
  if (!m) return messages;
  const next = [...messages];
  const { data, file: _, ...rest } = m;
  next[i] =
    change.type === "MESSAGE_UPDATED"
      ? { ...m, message: change.message, edited_at: change.edited_at, data: change.data ?? data }
      : { ...rest, message: "", deleted: true };
  return next;
}
