/**
 * Moderation state as the store keeps it, or as a provider reports it (`ModerationState`, whose
 * user ids are on the wire as numbers when numeric): both are checked by the functions below.
 */
export interface ModerationView {
  frozen: boolean;
  operators: ReadonlyArray<string | number>;
  banned: ReadonlyArray<{ user_id: string | number; until: string | null }>;
  muted: ReadonlyArray<{ user_id: string | number; until: string | null }>;
}

/** What a refused sender is told, per refusal. */
export const refusalText = {
  BANNED: "you are banned from this channel",
  MUTED: "you are muted in this channel",
  FROZEN: "the channel is frozen: only operators can send",
} as const;

export type SendRefusal = keyof typeof refusalText;

/** Why a user may not send right now, or null. Timed bans/mutes lapse by themselves. */
export function sendRefusal(
  m: ModerationView,
  userId: string,
  now = new Date().toISOString(),
): SendRefusal | null {
  if (inForce(m.banned, userId, now)) return "BANNED";
  if (inForce(m.muted, userId, now)) return "MUTED";
  if (m.frozen && !isOperator(m, userId)) return "FROZEN";
  return null;
}

export function isBanned(m: ModerationView, userId: string, now = new Date().toISOString()): boolean {
  return inForce(m.banned, userId, now);
}

export function isOperator(m: ModerationView, userId: string): boolean {
  return m.operators.some((o) => String(o) === userId);
}

/** Whether `userId` has a ban/mute in `list` that has not lapsed by `now`. */
function inForce(list: ModerationView["banned"], userId: string, now: string): boolean {
  return list.some((r) => String(r.user_id) === userId && (r.until === null || r.until > now));
}
