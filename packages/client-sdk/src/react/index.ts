"use client";
import type { MessageFrame } from "@podchat/protocol";
import {
  createContext,
  createElement,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useState,
} from "react";
import type { PodchatChannel } from "../channel.ts";
import type { PodchatClient } from "../client.ts";
import type { PodchatError } from "../errors.ts";
import type { ChannelStatus, OutboxItem, SendOptions, SendResult } from "../types.ts";

const ClientContext = createContext<PodchatClient | null>(null);

/** Props of {@link PodchatProvider}. */
export interface PodchatProviderProps {
  /** Create it once (module scope, `useState(() => createClient(…))`), not on every render. */
  client: PodchatClient;
  children?: ReactNode;
}

/** Puts a podchat client in context for {@link useChannel}. */
export function PodchatProvider({ client, children }: PodchatProviderProps): ReactNode {
  return createElement(ClientContext.Provider, { value: client }, children);
}

/** The client of the nearest {@link PodchatProvider}; throws outside one. */
export function usePodchatClient(): PodchatClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error("usePodchatClient/useChannel must be used inside <PodchatProvider>");
  return client;
}

/** Options of {@link useChannel}. */
export interface UseChannelOptions {
  /** Also load this many messages from before the connection (0 = live messages only). Default 0. */
  historyLimit?: number;
}

/** What {@link useChannel} returns. */
export interface UseChannelResult {
  channel: PodchatChannel;
  /** Messages in seq order, each once: the loaded history, then everything received since mount. */
  messages: readonly MessageFrame[];
  status: ChannelStatus;
  outbox: readonly OutboxItem[];
  send: (text: string, opts?: SendOptions) => Promise<SendResult>;
  /** The last error the channel reported, if any. */
  error: PodchatError | null;
}

/**
 * Subscribes a component to a channel. The channel is shared and reference-counted: it connects
 * with its first subscriber and disconnects shortly after the last one unmounts, so StrictMode's
 * double mount and route changes never open a second socket.
 */
export function useChannel(channelUrl: string, opts: UseChannelOptions = {}): UseChannelResult {
  const channel = usePodchatClient().channel(channelUrl);
  const historyLimit = opts.historyLimit ?? 0;
  const [status, setStatus] = useState<ChannelStatus>(channel.status);
  const [outbox, setOutbox] = useState<readonly OutboxItem[]>(channel.outbox);
  const [messages, setMessages] = useState<readonly MessageFrame[]>([]);
  const [error, setError] = useState<PodchatError | null>(null);

  useEffect(() => {
    let active = true;
    let historyRequested = false;
    setStatus(channel.status);
    setOutbox(channel.outbox);
    setMessages([]);
    setError(null);
    // History is read strictly below the seq the live stream starts after, so the two meet without
    // a hole or an overlap.
    const loadHistory = () => {
      const anchor = channel.lastSeq;
      if (historyLimit <= 0 || historyRequested || anchor === undefined) return;
      historyRequested = true;
      channel.history({ beforeSeq: anchor + 1, limit: historyLimit }).then(
        (page) => {
          if (!active) return;
          setMessages((live) => {
            const first = live[0]?.seq ?? Number.POSITIVE_INFINITY;
            return [...page.messages.filter((m) => m.seq < first), ...live];
          });
        },
        (err: PodchatError) => {
          if (active) setError(err);
        },
      );
    };
    const unsubscribe = [
      channel.on("status", (s) => {
        setStatus(s);
        if (s === "connected") loadHistory();
      }),
      channel.on("message", (m) => setMessages((prev) => [...prev, m])),
      channel.on("outbox", setOutbox),
      channel.on("error", setError),
    ];
    loadHistory();
    const release = channel.acquire();
    return () => {
      active = false;
      for (const off of unsubscribe) off();
      release();
    };
  }, [channel, historyLimit]);

  const send = useCallback((text: string, o?: SendOptions) => channel.send(text, o), [channel]);
  return { channel, messages, status, outbox, send, error };
}
