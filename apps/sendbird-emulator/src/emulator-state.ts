/** In-memory data of one emulated Sendbird application. Inspectable by tests through `state`. */
export interface EmulatorUser {
  user_id: string;
  nickname: string;
  profile_url: string;
  /** Unix seconds, as Sendbird reports users' `created_at`. */
  created_at: number;
}

export interface EmulatorChannel {
  channel_url: string;
  name: string;
  cover_url: string;
  custom_type: string;
  /** Sendbird keeps `data` as an opaque string. */
  data: string;
  /** Unix seconds, as Sendbird reports group channels' `created_at`. */
  created_at: number;
  /** Member user ids in the order they joined. */
  members: string[];
  is_distinct: boolean;
  is_public: boolean;
  /** Frozen: only operators may chat (Sendbird's `freeze`). */
  freeze: boolean;
  /** Operator user ids, in registration order. */
  operators: string[];
  /** Banned users by id (a ban expels the member). */
  bans: Map<string, EmulatorRestriction>;
  /** Muted users by id. */
  mutes: Map<string, EmulatorRestriction>;
  /** Read receipts: user id → Unix ms of when the member last read the channel. */
  readReceipts: Map<string, number>;
}

/** A ban or a mute. Times in Unix ms; `end_at` -1 = until lifted (Sendbird's `seconds: -1`). */
export interface EmulatorRestriction {
  start_at: number;
  end_at: number;
  description: string;
}

export type EmulatorMessageType = "MESG" | "ADMM" | "FILE";

/** The file of a FILE message, sent by URL (podchat never uploads bytes to Sendbird). */
export interface EmulatorFile {
  url: string;
  name: string;
  type: string;
  size: number;
}

export interface EmulatorMessage {
  message_id: number;
  type: EmulatorMessageType;
  channel_url: string;
  user_id: string | null;
  message: string;
  custom_type: string;
  data: string;
  /** Unix milliseconds, as Sendbird reports messages' `created_at`. */
  created_at: number;
  /** Unix ms of the last update; 0 when never updated. */
  updated_at: number;
  file?: EmulatorFile;
  /** Thumbnail URLs of a FILE message. */
  thumbnails?: string[];
}

export interface RecordedRequest {
  method: string;
  /** Path below the base url, e.g. `/v3/group_channels/pod_1_chat`. */
  path: string;
  /** The raw query string as sent (without `?`, not decoded); "" when none. */
  query: string;
  /** What the emulator did with it: answered normally, or failed by an injected fault. */
  outcome: "handled" | "fault";
}

export interface EmulatorState {
  readonly appId: string;
  readonly users: Map<string, EmulatorUser>;
  readonly channels: Map<string, EmulatorChannel>;
  /** Messages per channel url, ascending by message_id. */
  readonly messages: Map<string, EmulatorMessage[]>;
  /** Every request that reached `/v3`, in arrival order (retries show up as repeats). */
  readonly requests: RecordedRequest[];
  /** Application-wide, monotonic, like Sendbird's message ids. */
  nextMessageId: number;
  /** Clock used for created_at values; tests may replace it. */
  now: () => number;
  /** Drops all users, channels, messages and recorded requests. */
  clear(): void;
}

export function createEmulatorState(appId: string): EmulatorState {
  const state: EmulatorState = {
    appId,
    users: new Map(),
    channels: new Map(),
    messages: new Map(),
    requests: [],
    nextMessageId: 1,
    now: () => Date.now(),
    clear() {
      state.users.clear();
      state.channels.clear();
      state.messages.clear();
      state.requests.length = 0;
      state.nextMessageId = 1;
    },
  };
  return state;
}
