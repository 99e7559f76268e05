/**
 * The presence key that counts a user's user connections (`/api/v1/chat/ws?token=…`), which
 * watch channels without joining them. Channel urls are letters, digits, `_`, `-`, `.` only, so a
 * key starting with `@` is never a channel; the user id is base64url so it holds no `:`.
 */
export function userPresenceKey(userId: string): string {
  return `@u.${Buffer.from(userId).toString("base64url")}`;
}

export function isUserPresenceKey(key: string): boolean {
  return key.startsWith("@u.");
}
