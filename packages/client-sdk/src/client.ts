import type { TransportResponse } from "@podchat/protocol";
import * as V from "@podchat/protocol/validate";
import { defaultReconnectPolicy, type ReconnectPolicy } from "./backoff.ts";
import { type ChannelContext, PodchatChannel } from "./channel.ts";
import { getJson, TokenSource } from "./http.ts";
import type { ClientOptions, ClientStats, FetchLike, HistoryOptions, WebSocketConstructor } from "./types.ts";

/** A podchat client: one per server and user. Get channels from it. */
export class PodchatClient {
  readonly #channels = new Map<string, PodchatChannel>();
  readonly #ctx: ChannelContext;
  readonly #api: string;
  readonly #detach: () => void;

  constructor(options: ClientOptions) {
    const base = options.url.replace(/\/+$/, "");
    this.#api = `${base}/api/v1/chat/channels/`;
    const wsOrigin = base.replace(/^http/, "ws");
    const tokens = new TokenSource(options.token, options.getToken);
    const fetchFn: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    const policy: ReconnectPolicy = { ...defaultReconnectPolicy, ...options.reconnect };
    const { devUserId } = options;
    this.#ctx = {
      tokens,
      WebSocket:
        options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? undefined,
      policy,
      heartbeatMs: options.heartbeatMs ?? 10_000,
      queueLimit: options.queueLimit ?? 100,
      releaseDelayMs: options.releaseDelayMs ?? 1_000,
      discover: (options.discover ?? false) && devUserId === undefined,
      socketUrl(channelUrl, socketBase, token, since) {
        const q = new URLSearchParams();
        let url = `${wsOrigin}/api/v1/chat/ws/${encodeURIComponent(channelUrl)}`;
        if (devUserId !== undefined) {
          url += "/test";
          q.set("user_id", String(devUserId));
        } else {
          if (socketBase)
            url = socketBase.startsWith("/") ? wsOrigin + socketBase : socketBase.replace(/^http/, "ws");
          if (token !== undefined) q.set("token", token);
        }
        if (since !== undefined) q.set("since_seq", String(since));
        const query = q.toString();
        return query ? `${url}${url.includes("?") ? "&" : "?"}${query}` : url;
      },
      rest: (channelUrl, path, parse, init) =>
        getJson(fetchFn, tokens, `${this.#api}${encodeURIComponent(channelUrl)}/${path}`, parse, init),
      history: (channelUrl, opts: HistoryOptions) => {
        const q = new URLSearchParams();
        if (opts.beforeSeq !== undefined) q.set("before_seq", String(opts.beforeSeq));
        if (opts.afterSeq !== undefined) q.set("after_seq", String(opts.afterSeq));
        if (opts.limit !== undefined) q.set("limit", String(opts.limit));
        if (opts.includeChanges) q.set("include_changes", "true");
        const query = q.toString();
        return this.#ctx.rest(
          channelUrl,
          `messages${query ? `?${query}` : ""}`,
          V.parser(V.HistoryLogResponse),
        );
      },
      transport: (channelUrl) => this.#ctx.rest(channelUrl, "transport", V.parser(V.TransportResponse)),
    };
    this.#detach = watchConnectivity(() => {
      for (const ch of this.#channels.values()) ch.wake();
    });
  }

  /** The handle of a channel; the same object for the same url. Does not connect by itself. */
  channel(channelUrl: string): PodchatChannel {
    let ch = this.#channels.get(channelUrl);
    if (!ch) {
      ch = new PodchatChannel(channelUrl, this.#ctx);
      this.#channels.set(channelUrl, ch);
    }
    return ch;
  }

  /** Which provider serves a channel and how to reach it (`GET …/channels/{url}/transport`). */
  transport(channelUrl: string): Promise<TransportResponse> {
    return this.#ctx.transport(channelUrl);
  }

  /** Totals over all channels, and each channel's own stats. */
  stats(): ClientStats {
    const out: ClientStats = { rttMs: null, reconnects: 0, queueDepth: 0, inFlight: 0, channels: {} };
    for (const [url, ch] of this.#channels) {
      const s = ch.stats();
      out.channels[url] = s;
      out.reconnects += s.reconnects;
      out.queueDepth += s.queueDepth;
      out.inFlight += s.inFlight;
      if (s.rttMs !== null) out.rttMs = out.rttMs === null ? s.rttMs : Math.max(out.rttMs, s.rttMs);
    }
    return out;
  }

  /** Disconnects every channel and stops listening to the browser's connectivity events. */
  close(): void {
    for (const ch of this.#channels.values()) ch.disconnect();
    this.#detach();
  }
}

/** Creates a client. In Node pass `WebSocket` from `ws`; in browsers the global one is used. */
export function createClient(options: ClientOptions): PodchatClient {
  return new PodchatClient(options);
}

/** Calls `wake` when the browser comes back online or the page becomes visible; no-op elsewhere. */
function watchConnectivity(wake: () => void): () => void {
  const win = (globalThis as { window?: Window }).window;
  const doc = (globalThis as { document?: Document }).document;
  if (!win?.addEventListener) return () => {};
  const onVisible = () => {
    if (doc?.visibilityState === "visible") wake();
  };
  win.addEventListener("online", wake);
  doc?.addEventListener("visibilitychange", onVisible);
  return () => {
    win.removeEventListener("online", wake);
    doc?.removeEventListener("visibilitychange", onVisible);
  };
}
