import { ErrorCode, type ModerationState, wireUserId } from "@podchat/protocol";
import { ChatError } from "../../chat/chat-error.ts";
import { isBanned, type ModerationView, refusalText, sendRefusal } from "../../realtime/hub.ts";
import type { ChangeResult, StoredModeration } from "../../store/message-store.ts";
import type { MessagePipeline } from "./message-pipeline.ts";

/** What edit/delete need; shared by the REST provider and the socket gateway. */
export interface ChangeDeps {
  pipeline: MessagePipeline;
  /** Cached per room where this instance has sockets. */
  moderation: (channelUrl: string) => Promise<StoredModeration>;
}

/** Throws BANNED / MUTED / FROZEN when the user may not send now. */
export async function assertCanSend(
  moderation: (channelUrl: string) => Promise<ModerationView>,
  channelUrl: string,
  userId: string,
): Promise<void> {
  const why = sendRefusal(await moderation(channelUrl), userId);
  if (why) throw new ChatError(ErrorCode[why], refusalText[why]);
}

/**
 * Edits a message: only its author (`userId`), or a privileged caller (`userId` undefined). The
 * author must be allowed to send (not banned, muted, or in a frozen channel).
 */
export async function editMessage(
  d: ChangeDeps,
  channelUrl: string,
  targetSeq: number,
  edit: { message: string; data?: Record<string, unknown>; userId?: string },
): Promise<ChangeResult> {
  if (edit.userId !== undefined) await assertCanSend(d.moderation, channelUrl, edit.userId);
  return d.pipeline.edit({
    channel_url: channelUrl,
    target_seq: targetSeq,
    message: edit.message,
    ...(edit.data !== undefined ? { data: edit.data } : {}),
    user_id: edit.userId ?? null,
    ...(edit.userId !== undefined ? { require_author: edit.userId } : {}),
  });
}

/** Deletes a message as a tombstone: its author, a channel operator, or a privileged caller. */
export async function deleteMessage(
  d: ChangeDeps,
  channelUrl: string,
  targetSeq: number,
  userId: string | undefined,
): Promise<ChangeResult> {
  let requireAuthor: string | undefined;
  if (userId !== undefined) {
    const m = await d.moderation(channelUrl);
    if (isBanned(m, userId)) throw new ChatError(ErrorCode.BANNED, refusalText.BANNED);
    if (!m.operators.includes(userId)) requireAuthor = userId;
  }
  return d.pipeline.remove({
    channel_url: channelUrl,
    target_seq: targetSeq,
    user_id: userId ?? null,
    ...(requireAuthor !== undefined ? { require_author: requireAuthor } : {}),
  });
}

export function toModerationState(channelUrl: string, m: StoredModeration): ModerationState {
  return {
    channel_url: channelUrl,
    frozen: m.frozen,
    operators: m.operators.map(wireUserId),
    banned: m.banned.map((r) => ({ user_id: wireUserId(r.user_id), until: r.until })),
    muted: m.muted.map((r) => ({ user_id: wireUserId(r.user_id), until: r.until })),
  };
}
