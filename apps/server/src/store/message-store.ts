import type { FileInfo, MessageType, ProviderName } from "@podchat/protocol";

/** A channel row as the store keeps it. Timestamps are ISO-8601 strings. */
export interface StoredChannel {
  channel_url: string;
  name: string;
  custom_type: string | null;
  data: Record<string, unknown>;
  /** The provider the channel lives on (a Sendbird channel keeps only this routing row here). */
  provider: ProviderName;
  created_at: string;
  /** Newest message seq; 0 when the channel has no message. */
  last_seq: number;
  member_count: number;
}

export interface StoredMessage {
  message_id: string;
  channel_url: string;
  seq: number;
  type: MessageType;
  user_id: string | null;
  message: string;
  custom_type: string | null;
  data: Record<string, unknown> | null;
  file: FileInfo | null;
  req_id: string | null;
  created_at: string;
}

export interface NewChannel {
  channel_url: string;
  name: string;
  custom_type?: string | null;
  data?: Record<string, unknown>;
  provider: ProviderName;
  user_ids: string[];
  /** Original creation time (migrations); defaults to now. */
  created_at?: string;
}

export interface ChannelPatch {
  name?: string;
  custom_type?: string | null;
  data?: Record<string, unknown>;
  provider?: ProviderName;
}

export interface NewMessage {
  channel_url: string;
  type: MessageType;
  user_id: string | null;
  message: string;
  /** Idempotency key, scoped to (channel, user). A repeat returns the stored original. */
  req_id?: string | null;
  custom_type?: string | null;
  data?: Record<string, unknown> | null;
  file?: FileInfo | null;
  /** Original time (migrations); defaults to now. */
  created_at?: string;
  /** Caller-chosen id (migrations use the source id, so a re-run stores nothing twice). */
  message_id?: string;
}

export interface AppendResult {
  message: StoredMessage;
  /** True when the req_id (or message_id) was already stored: `message` is the original. */
  duplicate: boolean;
}

export interface ListChannelsOptions {
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** Case-insensitive substring of channel_url or name. */
  q?: string;
  provider?: ProviderName;
}

export interface MessageRange {
  /** Messages with seq > afterSeq, oldest first. */
  afterSeq?: number;
  /** Messages with seq < beforeSeq, the newest `limit` of them. */
  beforeSeq?: number;
  limit: number;
}

/** INVALID_DATA: the message cannot be stored as given (e.g. data too deep to serialise). */
export type StoreErrorCode = "CHANNEL_NOT_FOUND" | "CHANNEL_EXISTS" | "STORE_UNAVAILABLE" | "INVALID_DATA";

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StoreError";
  }
  get retryable(): boolean {
    return this.code === "STORE_UNAVAILABLE";
  }
}

/**
 * Durable channels, members and messages. `appendMessage` assigns the per-channel `seq` (1, 2, 3 …
 * with no gap, also under concurrent writers) and resolves only once the message is durable.
 * Results are always in ascending seq.
 */
export interface MessageStore {
  readonly driver: "sqlite" | "postgres";
  /** Applies pending schema migrations; idempotent. */
  migrate(): Promise<void>;
  createChannel(input: NewChannel): Promise<StoredChannel>;
  getChannel(channelUrl: string): Promise<StoredChannel | null>;
  listChannels(
    options: ListChannelsOptions,
  ): Promise<{ channels: StoredChannel[]; nextCursor: string | null }>;
  updateChannel(channelUrl: string, patch: ChannelPatch): Promise<StoredChannel>;
  /** Deletes the channel with its members and messages; false when it did not exist. */
  deleteChannel(channelUrl: string): Promise<boolean>;
  /** Adds members (existing ones are kept); returns the channel after the change. */
  addMembers(channelUrl: string, userIds: string[]): Promise<StoredChannel>;
  removeMembers(channelUrl: string, userIds: string[]): Promise<StoredChannel>;
  listMembers(channelUrl: string): Promise<string[]>;
  isMember(channelUrl: string, userId: string): Promise<boolean>;
  appendMessage(input: NewMessage): Promise<AppendResult>;
  listMessages(channelUrl: string, range: MessageRange): Promise<StoredMessage[]>;
  /** Resolves when every accepted write is durable (used on drain). */
  flush(): Promise<void>;
  /** Pings the backing database (readiness). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
