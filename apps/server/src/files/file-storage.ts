/** An open stored object: its length and its bytes as a stream (read it once). */
export interface StoredObject {
  size: number;
  body: ReadableStream<Uint8Array>;
}

/**
 * Where uploaded bytes live: local disk (default) or an S3-compatible bucket. Keys are made by
 * podchat: one or two `/`-separated segments of letters, digits, `.`, `_`, `-` (a channel's folder,
 * then the file). Metadata (name, size, type, owner channel) is in the MessageStore, not here.
 */
export interface FileStorage {
  readonly driver: "local" | "s3";
  /** Where the bytes go, for logs and errors (a folder, or `s3://bucket/prefix` at an endpoint). */
  readonly location: string;
  /**
   * Proves the storage is usable before the server takes traffic (local: the folder can be made
   * and written; S3: the bucket exists and the credentials are accepted). Throws FileStorageError.
   */
  check(): Promise<void>;
  /** Stores the bytes under `key`; visible to `get`/`open` only once complete. */
  put(key: string, data: Uint8Array, contentType?: string): Promise<void>;
  /** The bytes, or null when there is no such key. */
  get(key: string): Promise<Buffer | null>;
  /** The bytes as a stream (downloads), or null when there is no such key. */
  open(key: string): Promise<StoredObject | null>;
  /** Removes the key; no error when it is missing. */
  delete(key: string): Promise<void>;
  /** Removes every key in the folder `folder` (a one-segment key); returns how many were removed. */
  deleteFolder(folder: string): Promise<number>;
  /** Releases connections; the storage is not used afterwards. */
  close(): Promise<void>;
}

/** A storage failure with a message an operator can act on (which bucket, which credential, why). */
export class FileStorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FileStorageError";
  }
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

function validSegment(s: string): boolean {
  return SEGMENT.test(s) && !s.includes("..");
}

/** A key: `file` or `folder/file`, each part a safe segment (no `..`, no leading dot). */
export function assertStorageKey(key: string): void {
  const parts = key.split("/");
  if (parts.length > 2 || !parts.every(validSegment))
    throw new Error(`invalid storage key ${JSON.stringify(key)}`);
}

export function assertStorageFolder(folder: string): void {
  if (!validSegment(folder)) throw new Error(`invalid storage folder ${JSON.stringify(folder)}`);
}
