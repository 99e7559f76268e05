import {
  type ChannelEvents,
  type ChannelStats,
  type ChannelStatus,
  type ClientOptions,
  type ClientStats,
  type PodchatChannel,
  PodchatClient,
  PodchatError,
  type WebSocketConstructor,
} from "@podchat/client-sdk";
import { type InboxOptions, PodchatInbox } from "./inbox.ts";
import { USER_SOCKET, UserSocket } from "./user-socket.ts";

/** `stats()` of an inbox client: the channel handles' as in the core, and the user socket's own. */
export interface InboxClientStats extends ClientStats {
  /** The one socket under every channel handle and the inbox. */
  userSocket: ChannelStats & { invalidFrames: number };
}

/**
 * A client whose channel handles share one socket, the user connection (`/api/v1/chat/ws`), and
 * which has the user's live channel list ({@link PodchatInbox}). Every `PodchatClient` method and
 * every channel method works as in the core (the React `PodchatProvider`/`useChannel` take it
 * too); `channel(url).connect()` subscribes on the shared socket instead of opening one.
 */
export class PodchatInboxClient extends PodchatClient {
  readonly #user: UserSocket;
  #inbox: PodchatInbox | undefined;

  constructor(options: ClientOptions) {
    const ref: { user?: UserSocket } = {};
    // Called with `new` by the core: returning an object makes that object the socket.
    const Socket = function (this: unknown, url: string) {
      return ref.user?.socketFor(url);
    } as unknown as WebSocketConstructor;
    super({ ...options, discover: false, WebSocket: Socket });
    const user = new UserSocket(
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
    );
    ref.user = user;
    user.manager = super.channel(USER_SOCKET);
    this.#user = user;
    // The socket is back: handles waiting out their own backoff resubscribe now.
    user.manager.on("status", (s) => {
      if (s === "connected") for (const ch of this.#handles) if (ch.status === "reconnecting") ch.wake();
    });
  }

  readonly #handles = new Set<PodchatChannel>();

  /** The handle of a channel, running over the user connection; the same object for the same url. */
  override channel(channelUrl: string): PodchatChannel {
    if (channelUrl === USER_SOCKET) throw new PodchatError("INVALID_CHANNEL", "not a channel url");
    const ch = super.channel(channelUrl);
    this.#handles.add(ch);
    return ch;
  }

  /** The user's channel list; the same object on every call (`opts` count on the first). */
  inbox(opts?: InboxOptions): PodchatInbox {
    this.#inbox ??= new PodchatInbox(this.#user, opts);
    return this.#inbox;
  }

  /** State of the user connection (it is open while a channel handle or the inbox uses it). */
  get status(): ChannelStatus {
    return this.#user.manager.status;
  }

  /** The user connection's `status` and `error` events (a final refusal of the socket itself). */
  on<K extends "status" | "error">(event: K, fn: (payload: ChannelEvents[K]) => void): () => void {
    return this.#user.manager.on(event, fn);
  }

  override stats(): InboxClientStats {
    const all = super.stats();
    const own = all.channels[USER_SOCKET];
    delete all.channels[USER_SOCKET];
    return {
      ...all,
      userSocket: { ...(own ?? this.#user.manager.stats()), invalidFrames: this.#user.invalidFrames },
    };
  }
}

/**
 * Creates a client on the user connection: one socket for all its channels and the inbox. In Node
 * pass `WebSocket` from `ws`. (`createClient` from the core opens one socket per channel instead.)
 */
export function createInboxClient(options: ClientOptions): PodchatInboxClient {
  return new PodchatInboxClient(options);
}
