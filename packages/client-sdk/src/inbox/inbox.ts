import type {
  InboxChannel,
  InboxModerationFrame,
  InboxPageFrame,
  InboxRemovedFrame,
  ReadyFrame,
  SeqLogEntry,
  UserServerFrame,
} from "@podchat/protocol";
import { isMessageFrame } from "@podchat/protocol/validate";
import { type ChannelStatus, ClientErrorCode, PodchatError } from "@podchat/client-sdk";
import { Emitter } from "../emitter.ts";
import { byActivity, fresher, withEntry } from "./rows.ts";
import type { UserSocket, UserSocketListener } from "./user-socket.ts";

/** Options of `client.inbox()`. */
export interface InboxOptions {
  /** Rows per page (1–100). Default 20. */
  limit?: number;
}

/** What the inbox shows; a new object on every change (fit for `useSyncExternalStore`). */
export interface InboxState {
  /** The user's channels loaded so far, newest activity first, each once. */
  readonly rows: readonly InboxChannel[];
  /** Unread messages over all the user's channels (the badge), not only the loaded rows. */
  readonly totalUnread: number;
  /** More rows to `loadMore()`. */
  readonly hasMore: boolean;
  /** A page is being fetched. */
  readonly loading: boolean;
  /** The user connection's state. */
  readonly status: ChannelStatus;
}

/** Events of {@link PodchatInbox}. */
export interface InboxEvents {
  change: InboxState;
  /** The user left a channel (removed, or it was deleted); its row is gone. */
  removed: InboxRemovedFrame;
  /** A moderation change in one of the user's channels. */
  moderation: InboxModerationFrame;
  error: PodchatError;
}

type Entry = { url: string; entry: SeqLogEntry };
/** Live frames that a list page in flight may not include yet: applied again on top of it. */
type Live =
  | Entry
  | Extract<UserServerFrame, { type: "INBOX_READ" | "INBOX_ADDED" | "INBOX_REMOVED" | "INBOX_UPDATED" }>;

interface Request {
  /** first: replaces what is loaded; more: the page after the cursor; top: the newest rows, merged. */
  kind: "first" | "more" | "top";
  resolve(): void;
  reject(e: PodchatError): void;
  /** Live frames received while the page was on its way. */
  live: Live[];
}

const pageMax = 100;

/**
 * The user's channel list, live: rows sorted by last activity, each channel once, the total
 * unread, pages by cursor. Updated from the user connection's INBOX_* frames and the messages of
 * subscribed channels; read again from the first page after every reconnect, so nothing that
 * happened while away is missed. Get it with `client.inbox()`.
 */
export class PodchatInbox {
  readonly #user: UserSocket;
  readonly #limit: number;
  readonly #rows = new Map<string, InboxChannel>();
  readonly #events = new Emitter<InboxEvents>();
  readonly #requests = new Map<string, Request>();
  #total = 0;
  /** Cursor of the next page; null at the end; undefined until the first page came. */
  #cursor: string | null | undefined;
  #stale = true;
  #me: string | undefined;
  #refs = 0;
  #release: (() => void) | undefined;
  #connected: (() => void) | undefined;
  #more: Promise<void> | undefined;
  #topUp = false;
  #state: InboxState;

  /** @internal Use `client.inbox()`. */
  constructor(user: UserSocket, opts: InboxOptions = {}) {
    this.#user = user;
    this.#limit = Math.min(pageMax, Math.max(1, opts.limit ?? 20));
    this.#state = this.#snapshot();
    const listener: UserSocketListener = {
      ready: (f) => this.#ready(f),
      frame: (f) => this.#frame(f),
      down: () => this.#down(),
    };
    user.listen(listener);
    user.manager.on("status", () => this.#commit());
  }

  /** The current state; the same object until something changes. */
  get state(): InboxState {
    return this.#state;
  }

  /** Calls `fn` on every change; returns the unsubscribe function (the `useSyncExternalStore` shape). */
  readonly subscribe = (fn: () => void): (() => void) => this.on("change", fn);

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof InboxEvents>(event: K, fn: (payload: InboxEvents[K]) => void): () => void {
    return this.#events.on(event, fn);
  }

  /** Opens the user connection (if no channel handle did) and loads the first page. */
  connect(): void {
    this.#connected ??= this.acquire();
  }

  /** Lets go of the user connection (it closes once no channel handle uses it either). */
  disconnect(): void {
    this.#connected?.();
    this.#connected = undefined;
  }

  /**
   * Reference-counted `connect` for UI components (as `channel.acquire`).
   * @returns the release function; calling it more than once has no further effect.
   */
  acquire(): () => void {
    if (this.#refs++ === 0) {
      this.#release = this.#user.manager.acquire();
      if (this.#user.ready && this.#stale) void this.#list("first").catch(() => {});
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#refs > 0) return;
      this.#release?.();
      this.#release = undefined;
    };
  }

  /** Loads the next page (resolves at once at the end of the list); waits for the first page. */
  loadMore(): Promise<void> {
    if (this.#cursor === null) return Promise.resolve();
    this.#more ??= (async () => {
      try {
        if (this.#cursor === undefined || this.#stale) await this.#list("first");
        if (this.#cursor) await this.#list("more");
      } finally {
        this.#more = undefined;
      }
    })();
    return this.#more;
  }

  /** Reads the first page again now (also done by itself after every reconnect). */
  refresh(): Promise<void> {
    return this.#list("first");
  }

  /**
   * Marks a channel read up to `seq` (default: its newest seq) on the user connection, subscribed
   * or not. Every device of the user then gets the exact counts (INBOX_READ). False when not connected.
   */
  markRead(channelUrl: string, seq?: number): boolean {
    const upTo = seq ?? this.#rows.get(channelUrl)?.last_seq;
    if (upTo === undefined || upTo < 1) return false;
    return this.#user.write({ type: "READ", channel_url: channelUrl, seq: upTo });
  }

  #snapshot(): InboxState {
    return {
      rows: [...this.#rows.values()].sort(byActivity),
      totalUnread: this.#total,
      hasMore: this.#cursor !== null,
      loading: this.#requests.size > 0,
      status: this.#user.manager.status,
    };
  }

  #commit(): void {
    this.#state = this.#snapshot();
    this.#events.emit("change", this.#state);
  }

  #ready(f: ReadyFrame): void {
    this.#me = String(f.user_id);
    this.#total = f.total_unread;
    this.#stale = true;
    if (this.#refs > 0) void this.#list("first").catch(() => {});
    this.#commit();
  }

  #down(): void {
    this.#stale = true;
    const err = new PodchatError(ClientErrorCode.CONNECTION_CLOSED, "the user connection closed");
    for (const r of this.#requests.values()) r.reject(err);
    this.#requests.clear();
    this.#commit();
  }

  /** Asks for a page (see {@link Request}). The first page is as long as what was loaded. */
  #list(kind: Request["kind"]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const reqId = this.#user.reqId("inb");
      // The top of the list (a channel below the loaded rows got a message) is a page long too.
      const limit =
        kind === "first" ? Math.min(pageMax, Math.max(this.#limit, this.#rows.size)) : this.#limit;
      const frame = {
        type: "INBOX_LIST",
        req_id: reqId,
        limit,
        ...(kind === "more" && this.#cursor ? { cursor: this.#cursor } : {}),
      };
      if (!this.#user.write(frame)) {
        reject(new PodchatError(ClientErrorCode.CONNECTION_CLOSED, "the user connection is not up"));
        return;
      }
      this.#requests.set(reqId, { kind, resolve, reject, live: [] });
      this.#commit();
    });
  }

  #frame(f: UserServerFrame): boolean {
    switch (f.type) {
      case "INBOX_PAGE":
        return this.#page(f);
      case "ERROR": {
        const r = f.req_id === undefined ? undefined : this.#requests.get(f.req_id);
        if (!r || f.req_id === undefined) return false;
        this.#requests.delete(f.req_id);
        const err = new PodchatError(f.code, f.message, { retryAfterMs: f.retry_after_ms });
        r.reject(err);
        this.#events.emit("error", err);
        this.#commit();
        return true;
      }
      case "INBOX_MODERATION":
        this.#events.emit("moderation", f);
        return true;
      case "INBOX_MESSAGE":
        this.#live({ url: f.channel_url, entry: f.entry });
        return true;
      case "INBOX_READ":
      case "INBOX_ADDED":
      case "INBOX_REMOVED":
      case "INBOX_UPDATED":
        this.#live(f);
        return true;
      default:
        // A subscribed channel's own entries move its row as INBOX_MESSAGE does for the others.
        if (isMessageFrame(f) || f.type === "MESSAGE_UPDATED" || f.type === "MESSAGE_DELETED") {
          this.#live({ url: f.channel_url, entry: f });
        }
        return false;
    }
  }

  #live(f: Live): void {
    for (const r of this.#requests.values()) r.live.push(f);
    this.#apply(f);
    this.#commit();
  }

  /** Applies a live frame; `replay`: again, on top of a page (rows only, the page's total stays). */
  #apply(f: Live, replay = false): void {
    if (!("type" in f)) {
      const row = this.#rows.get(f.url);
      if (!row) {
        // A channel beyond the loaded pages is now the most recent: fetch the top of the list.
        if (isMessageFrame(f.entry) && !replay && !this.#topUp && this.#user.ready) {
          this.#topUp = true;
          void this.#list("top")
            .catch(() => {})
            .finally(() => {
              this.#topUp = false;
            });
        }
        return;
      }
      const { row: next, unread } = withEntry(row, f.entry, (id) => String(id) === this.#me);
      this.#rows.set(f.url, next);
      this.#total = Math.max(0, this.#total + unread);
      return;
    }
    switch (f.type) {
      case "INBOX_READ": {
        const row = this.#rows.get(f.channel_url);
        if (row && f.last_read_seq >= row.last_read_seq) {
          this.#rows.set(f.channel_url, {
            ...row,
            last_read_seq: f.last_read_seq,
            unread_count: f.unread_count,
          });
        }
        if (!replay) this.#total = f.total_unread;
        return;
      }
      case "INBOX_ADDED":
        this.#rows.set(f.channel.channel_url, fresher(this.#rows.get(f.channel.channel_url), f.channel));
        if (!replay) this.#total = f.total_unread;
        return;
      case "INBOX_REMOVED":
        this.#rows.delete(f.channel_url);
        if (replay) return;
        this.#total = f.total_unread;
        this.#events.emit("removed", f);
        return;
      case "INBOX_UPDATED": {
        const row = this.#rows.get(f.channel.channel_url);
        if (!row) return;
        const { last_seq: _s, last_message: _m, ...fields } = f.channel;
        const next: InboxChannel = { ...row, ...fields };
        if (fields.custom_type === undefined) delete next.custom_type;
        this.#rows.set(row.channel_url, next);
        return;
      }
    }
  }

  #page(f: InboxPageFrame): boolean {
    const r = f.req_id === undefined ? undefined : this.#requests.get(f.req_id);
    if (!r || f.req_id === undefined) return false;
    this.#requests.delete(f.req_id);
    if (r.kind === "first") {
      this.#rows.clear();
      this.#cursor = f.next_cursor;
      this.#stale = false;
    } else if (r.kind === "more") this.#cursor = f.next_cursor;
    for (const row of f.channels)
      this.#rows.set(row.channel_url, fresher(this.#rows.get(row.channel_url), row));
    this.#total = f.total_unread;
    // What happened while the page was on its way may be missing from it (entries above a row's
    // last_seq, newer reads): apply it again; what the page already has is skipped.
    for (const live of r.live) this.#apply(live, true);
    r.resolve();
    this.#commit();
    return true;
  }
}
