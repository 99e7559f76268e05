/** Opaque list cursors: base64url of the last key seen, so clients cannot depend on the format. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): string | null {
  try {
    const key = Buffer.from(cursor, "base64url").toString("utf8");
    return key.length > 0 ? key : null;
  } catch {
    return null;
  }
}
