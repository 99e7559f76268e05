/**
 * Where uploaded bytes live. Keys are opaque, made by podchat (letters, digits, `.`, `_`, `-`).
 * Metadata (name, size, type, owner channel) is in the MessageStore, not here.
 */
export interface FileStorage {
  readonly driver: "local";
  /** Stores the bytes under `key`; visible to `get` only once complete. */
  put(key: string, data: Uint8Array): Promise<void>;
  /** The bytes, or null when there is no such key. */
  get(key: string): Promise<Buffer | null>;
  /** Removes the key; no error when it is missing. */
  delete(key: string): Promise<void>;
}

const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

export function assertStorageKey(key: string): void {
  if (!KEY.test(key) || key.includes("..")) throw new Error(`invalid storage key ${JSON.stringify(key)}`);
}
