import type {
  Channel,
  EventsPage,
  FileInfo,
  HistoryLogResponse,
  HistoryResponse,
  ListChannelsResponse,
  MessageFrame,
  MessageType,
  ModerationState,
  ProviderName,
  ReadStateResponse,
  WireUserId,
} from "@podchat/protocol";
import { isRetryableStatus, PodchatApiError, PodchatEventsExpiredError } from "./errors.ts";
import { type EventsApi, eventsApi } from "./events.ts";
import { fillPath, type RouteName, routes } from "./routes.ts";

type UserId = string | number;

/** The admin credential for the admin-only routes (minting user tokens). */
export type AdminCredential =
  /** The dashboard's admin login (`auth.admin`): the client signs in and reuses the session until it expires. */
  | { username: string; password: string }
  /** An admin session token you already have, or a function returning a fresh one. */
  | { token: string | (() => string | Promise<string>) };

export interface PodchatBackendOptions {
  /** http(s) base of the podchat server, e.g. `http://localhost:8000`. */
  baseUrl: string;
  /** One of the server's `auth.api_keys`, sent as `X-Api-Key`. */
  apiKey: string;
  /**
   * Needed only by {@link PodchatBackend.mintUserToken}: `POST /api/v1/admin/tokens` takes an admin
   * session, not the API key.
   */
  admin?: AdminCredential;
  /** Per-request time-out (default 10 000 ms); a time-out is a retryable `PodchatApiError` with code `TIMEOUT`. */
  timeoutMs?: number;
  /** Defaults to the global fetch (Node 18+). */
  fetch?: typeof fetch;
  /** Extra headers on every request (tracing, `X-Request-Id`). */
  headers?: Record<string, string>;
}

/** The seed's `create_group_channel(channel_url, name, user_ids, data)`. */
export interface CreateGroupChannelInput {
  channelUrl: string;
  name?: string;
  userIds: UserId[];
  data?: Record<string, unknown>;
  customType?: string;
}

export interface UpdateChannelInput {
  name?: string;
  data?: Record<string, unknown>;
  customType?: string;
}

export interface ListChannelsInput {
  /** 1..200 */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
  /** Case-insensitive substring of channel_url or name. */
  q?: string;
  provider?: ProviderName;
}

export interface SendMessageInput {
  /** The member it is sent as. */
  userId: UserId;
  message: string;
  /** MESG (default), FILE or IMAGE (with `file`, from an upload). */
  type?: Exclude<MessageType, "ADMM">;
  /** Idempotency key: a repeated `reqId` is stored once and answered with the original. */
  reqId?: string;
  customType?: string;
  data?: Record<string, unknown>;
  file?: FileInfo;
}

export type SendAdminMessageInput = Omit<SendMessageInput, "userId" | "type" | "file">;

export interface SentMessage {
  message: MessageFrame;
  /** The server had stored this `reqId` before: `message` is the original. */
  duplicate: boolean;
}

export interface ListMessagesInput {
  /** Older than this seq (page back). */
  beforeSeq?: number;
  /** Newer than this seq (page forward). */
  afterSeq?: number;
  /** 1..200, default 50. */
  limit?: number;
  /** The channel's seq log: edit and deletion entries included at their own seq. */
  includeChanges?: boolean;
}

export interface EditMessageInput {
  message: string;
  data?: Record<string, unknown>;
  /** Who edits (must be the author). */
  userId?: UserId;
}

export interface MintUserTokenInput {
  userId: string;
  /** 10..86 400 seconds; the server's default is 3600. */
  ttlS?: number;
}

/** A user JWT for the client SDK's `token` / `getToken`. */
export interface UserToken {
  token: string;
  expires_at: string;
}

interface RequestInit {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  auth?: "apiKey" | "admin" | "none";
  /** Told the HTTP status of a successful answer (201 stored vs 200 duplicate). */
  onStatus?: (status: number) => void;
  /** This call's time-out, when not the client's (long-polls). */
  timeoutMs?: number;
  /** Aborts the call (a `PodchatApiError` with code `ABORTED`). */
  signal?: AbortSignal;
}

/**
 * A server-side client of podchat's REST API for backends (API key auth). Its methods mirror the
 * server's `ChatService`, so the seed's backend call stays one line:
 *
 * ```ts
 * await podchat.createGroupChannel({ channelUrl: "pod_123_chat", name, userIds: ["1", "2", "3"], data: { pod_id: 123 } });
 * ```
 *
 * Every failure is a {@link PodchatApiError}.
 */
export class PodchatBackend {
  readonly #base: string;
  readonly #apiKey: string;
  readonly #admin: AdminCredential | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;
  #adminSession: { token: string; renewAt: number } | undefined;
  /** The events feed: pages and a resuming consumer (see events.ts). */
  readonly events: EventsApi;

  constructor(options: PodchatBackendOptions) {
    if (!options?.baseUrl || !/^https?:\/\//.test(options.baseUrl))
      throw new TypeError("PodchatBackend: baseUrl must be an http(s) URL, e.g. http://localhost:8000");
    if (!options.apiKey)
      throw new TypeError("PodchatBackend: apiKey is required (one of the server's auth.api_keys)");
    this.#base = options.baseUrl.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.#admin = options.admin;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function")
      throw new TypeError("PodchatBackend: no fetch available; pass options.fetch");
    this.#fetch = f;
    this.#headers = { ...options.headers };
    this.events = eventsApi((q, signal, timeoutMs) => this.#listEvents(q, signal, timeoutMs));
  }

  #listEvents(
    q: { after: number; limit?: number; waitMs?: number },
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<EventsPage> {
    return this.#call("listEvents", {
      query: { after: q.after, limit: q.limit, wait_ms: q.waitMs },
      ...(signal ? { signal } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
  }

  // Channels

  /** Creates a group channel on the provider the feature flag picks; 409 `CHANNEL_EXISTS` if the url is taken. */
  createGroupChannel(input: CreateGroupChannelInput): Promise<Channel> {
    return this.#call("createGroupChannel", {
      body: {
        channel_url: input.channelUrl,
        user_ids: input.userIds,
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.data !== undefined ? { data: input.data } : {}),
        ...(input.customType !== undefined ? { custom_type: input.customType } : {}),
      },
    });
  }

  /** The channel with its members; a `PodchatApiError` (404 `CHANNEL_NOT_FOUND`) when it does not exist. */
  getChannel(channelUrl: string): Promise<Channel> {
    return this.#call("getChannel", { params: { channel_url: channelUrl } });
  }

  /** The seed's `get_channel_metadata`: the channel, or `null` when it does not exist. */
  async getChannelMetadata(channelUrl: string): Promise<Channel | null> {
    try {
      return await this.getChannel(channelUrl);
    } catch (e) {
      if (e instanceof PodchatApiError && e.status === 404) return null;
      throw e;
    }
  }

  /** One page of channels; pass `next_cursor` as `cursor` for the next. */
  listChannels(input: ListChannelsInput = {}): Promise<ListChannelsResponse> {
    return this.#call("listChannels", { query: { ...input } });
  }

  updateChannel(channelUrl: string, patch: UpdateChannelInput): Promise<Channel> {
    return this.#call("updateChannel", {
      params: { channel_url: channelUrl },
      body: {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.data !== undefined ? { data: patch.data } : {}),
        ...(patch.customType !== undefined ? { custom_type: patch.customType } : {}),
      },
    });
  }

  /** Deletes the channel and its history (uploaded files too). */
  async deleteChannel(channelUrl: string): Promise<void> {
    await this.#call("deleteChannel", { params: { channel_url: channelUrl } });
  }

  // Members

  async listMembers(channelUrl: string): Promise<WireUserId[]> {
    const r = await this.#call<{ members: WireUserId[] }>("listMembers", {
      params: { channel_url: channelUrl },
    });
    return r.members;
  }

  addMembers(channelUrl: string, userIds: UserId[]): Promise<Channel> {
    return this.#call("addMembers", { params: { channel_url: channelUrl }, body: { user_ids: userIds } });
  }

  removeMembers(channelUrl: string, userIds: UserId[]): Promise<Channel> {
    return this.#call("removeMembers", { params: { channel_url: channelUrl }, body: { user_ids: userIds } });
  }

  // Messages

  /** Sends as a member (stored, sequenced and fanned out like a socket send). */
  sendMessage(channelUrl: string, input: SendMessageInput): Promise<SentMessage> {
    return this.#send(channelUrl, {
      user_id: input.userId,
      message: input.message,
      ...(input.type !== undefined ? { type: input.type } : {}),
      ...messageExtras(input),
      ...(input.file !== undefined ? { file: input.file } : {}),
    });
  }

  /** An admin message (type ADMM, no sender): notices, system text. */
  sendAdminMessage(channelUrl: string, input: SendAdminMessageInput): Promise<SentMessage> {
    return this.#send(channelUrl, { type: "ADMM", message: input.message, ...messageExtras(input) });
  }

  /** History paged by seq, ascending; neither `beforeSeq` nor `afterSeq` = the newest page. */
  listMessages(
    channelUrl: string,
    input: ListMessagesInput & { includeChanges: true },
  ): Promise<HistoryLogResponse>;
  listMessages(channelUrl: string, input?: ListMessagesInput): Promise<HistoryResponse>;
  listMessages(
    channelUrl: string,
    input: ListMessagesInput = {},
  ): Promise<HistoryResponse | HistoryLogResponse> {
    return this.#call("listMessages", {
      params: { channel_url: channelUrl },
      query: {
        before_seq: input.beforeSeq,
        after_seq: input.afterSeq,
        limit: input.limit,
        include_changes: input.includeChanges,
      },
    });
  }

  /** Edits a message (as its author with `userId`); the change reaches sockets as MESSAGE_UPDATED. */
  editMessage(channelUrl: string, seq: number, input: EditMessageInput): Promise<MessageFrame> {
    return this.#call("editMessage", {
      params: { channel_url: channelUrl, seq },
      body: {
        message: input.message,
        ...(input.data !== undefined ? { data: input.data } : {}),
        ...(input.userId !== undefined ? { user_id: input.userId } : {}),
      },
    });
  }

  /** Deletes a message as a tombstone; sockets get MESSAGE_DELETED. */
  async deleteMessage(channelUrl: string, seq: number): Promise<void> {
    await this.#call("deleteMessage", { params: { channel_url: channelUrl, seq } });
  }

  /** How far each member has read. */
  readState(channelUrl: string): Promise<ReadStateResponse> {
    return this.#call("readState", { params: { channel_url: channelUrl } });
  }

  // Moderation

  getModeration(channelUrl: string): Promise<ModerationState> {
    return this.#call("getModeration", { params: { channel_url: channelUrl } });
  }

  /** Bans users (for `seconds`, or until lifted); their sockets are closed. */
  ban(channelUrl: string, userIds: UserId[], seconds?: number): Promise<ModerationState> {
    return this.#call("ban", { params: { channel_url: channelUrl }, body: moderationBody(userIds, seconds) });
  }

  unban(channelUrl: string, userId: UserId): Promise<ModerationState> {
    return this.#call("unban", { params: { channel_url: channelUrl, user_id: userId } });
  }

  /** Mutes users (for `seconds`, or until lifted): they stay connected but cannot send. */
  mute(channelUrl: string, userIds: UserId[], seconds?: number): Promise<ModerationState> {
    return this.#call("mute", {
      params: { channel_url: channelUrl },
      body: moderationBody(userIds, seconds),
    });
  }

  unmute(channelUrl: string, userId: UserId): Promise<ModerationState> {
    return this.#call("unmute", { params: { channel_url: channelUrl, user_id: userId } });
  }

  /** Frozen channels accept messages from operators only. */
  setFrozen(channelUrl: string, frozen: boolean): Promise<ModerationState> {
    return this.#call("setFrozen", { params: { channel_url: channelUrl }, body: { frozen } });
  }

  addOperators(channelUrl: string, userIds: UserId[]): Promise<ModerationState> {
    return this.#call("addOperators", { params: { channel_url: channelUrl }, body: { user_ids: userIds } });
  }

  removeOperator(channelUrl: string, userId: UserId): Promise<ModerationState> {
    return this.#call("removeOperator", { params: { channel_url: channelUrl, user_id: userId } });
  }

  // Tokens

  /**
   * Mints a user JWT for the client SDK, signed by the server. The route (`POST /api/v1/admin/tokens`)
   * takes an admin session, not the API key: give `admin` in the options.
   */
  mintUserToken(input: MintUserTokenInput): Promise<UserToken> {
    return this.#call("mintUserToken", {
      auth: "admin",
      body: { user_id: input.userId, ...(input.ttlS !== undefined ? { ttl_s: input.ttlS } : {}) },
    });
  }

  async #send(channelUrl: string, body: Record<string, unknown>): Promise<SentMessage> {
    let status = 0;
    const message = await this.#call<MessageFrame>("sendMessage", {
      params: { channel_url: channelUrl },
      body,
      onStatus: (s) => {
        status = s;
      },
    });
    return { message, duplicate: status === 200 };
  }

  async #adminToken(request: string): Promise<string> {
    const a = this.#admin;
    if (!a) {
      throw new PodchatApiError({
        status: 0,
        code: "ADMIN_CREDENTIALS_REQUIRED",
        message: `${request} needs an admin session: pass { admin: { username, password } } or { admin: { token } }`,
        request,
        retryable: false,
      });
    }
    if ("token" in a) return typeof a.token === "function" ? a.token() : a.token;
    if (this.#adminSession && Date.now() < this.#adminSession.renewAt) return this.#adminSession.token;
    const s = await this.#call<{ token: string; expires_at: string }>("adminLogin", {
      auth: "none",
      body: { username: a.username, password: a.password },
    });
    // Renewed a minute before it expires (or halfway, for short sessions).
    const ttl = Date.parse(s.expires_at) - Date.now();
    this.#adminSession = {
      token: s.token,
      renewAt: Date.now() + Math.max(0, Math.min(ttl - 60_000, ttl / 2)),
    };
    return s.token;
  }

  async #call<T>(name: RouteName, init: RequestInit = {}): Promise<T> {
    const route = routes[name];
    let path = fillPath(route.path, init.params ?? {});
    const request = `${route.method} ${route.path}`;
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) q.set(k, String(v));
    if (q.size > 0) path += `?${q}`;
    const headers: Record<string, string> = { Accept: "application/json", ...this.#headers };
    const auth = init.auth ?? "apiKey";
    if (auth === "apiKey") headers["X-Api-Key"] = this.#apiKey;
    if (auth === "admin") headers["Authorization"] = `Bearer ${await this.#adminToken(request)}`;
    if (init.body !== undefined) headers["Content-Type"] = "application/json";
    const timeoutMs = init.timeoutMs ?? this.#timeoutMs;
    let res: Response;
    try {
      res = await this.#fetch(this.#base + path, {
        method: route.method,
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: init.signal
          ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      if (init.signal?.aborted)
        throw new PodchatApiError({
          status: 0,
          code: "ABORTED",
          message: `${request}: aborted`,
          request,
          retryable: false,
          cause: e,
        });
      const timeout = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
      throw new PodchatApiError({
        status: 0,
        code: timeout ? "TIMEOUT" : "NETWORK_ERROR",
        message: timeout
          ? `${request}: no answer within ${timeoutMs} ms`
          : `${request}: ${e instanceof Error ? e.message : String(e)}`,
        request,
        retryable: true,
        cause: e,
      });
    }
    init.onStatus?.(res.status);
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw new PodchatApiError({
        status: 0,
        code: "NETWORK_ERROR",
        message: `${request}: the answer was cut: ${e instanceof Error ? e.message : String(e)}`,
        request,
        retryable: true,
        cause: e,
      });
    }
    if (!res.ok) throw errorFrom(res, text, request);
    if (text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new PodchatApiError({
        status: res.status,
        code: "BAD_RESPONSE",
        message: `${request}: the answer is not JSON`,
        request,
        retryable: false,
        cause: e,
      });
    }
  }
}

/** `new PodchatBackend(options)`. */
export function createPodchatBackend(options: PodchatBackendOptions): PodchatBackend {
  return new PodchatBackend(options);
}

function messageExtras(input: { reqId?: string; customType?: string; data?: Record<string, unknown> }) {
  return {
    ...(input.reqId !== undefined ? { req_id: input.reqId } : {}),
    ...(input.customType !== undefined ? { custom_type: input.customType } : {}),
    ...(input.data !== undefined ? { data: input.data } : {}),
  };
}

function moderationBody(userIds: UserId[], seconds: number | undefined) {
  return { user_ids: userIds, ...(seconds !== undefined ? { seconds } : {}) };
}

function errorFrom(res: Response, text: string, request: string): PodchatApiError {
  let body: {
    error?: {
      code?: unknown;
      message?: unknown;
      field?: unknown;
      retryable?: unknown;
      oldest_position?: unknown;
    };
  } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not podchat's error body (a proxy's page, say): status and text are all there is.
  }
  const e = body.error ?? {};
  const retryAfter = Number(res.headers.get("retry-after"));
  if (e.code === "EVENTS_EXPIRED" && typeof e.oldest_position === "number")
    return new PodchatEventsExpiredError({
      status: res.status,
      code: e.code,
      message: typeof e.message === "string" ? e.message : "events expired",
      request,
      oldestPosition: e.oldest_position,
    });
  return new PodchatApiError({
    status: res.status,
    code: typeof e.code === "string" ? e.code : `HTTP_${res.status}`,
    message:
      typeof e.message === "string"
        ? e.message
        : `${request}: HTTP ${res.status} ${text.slice(0, 200)}`.trim(),
    request,
    field: typeof e.field === "string" ? e.field : undefined,
    retryable: typeof e.retryable === "boolean" ? e.retryable : isRetryableStatus(res.status),
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  });
}
