"use client";
import type { MessageDeletedFrame, MessageFrame, MessageUpdatedFrame, WireUserId } from "@podchat/protocol";
import {
  createContext,
  createElement,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useState,
} from "react";
import { applyChange } from "../apply.ts";
import type { PodchatChannel } from "../channel.ts";
import type { PodchatClient } from "../client.ts";
import type { PodchatError } from "../errors.ts";
import type {
  ChannelStatus,
  EditOptions,
  OutboxItem,
  SendFileOptions,
  SendOptions,
  SendResult,
} from "../types.ts";

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
  /**
   * Messages in seq order, each once: the loaded history, then everything received since mount.
   * Edits and deletions are applied in place (`edited_at`; deleted ones stay as tombstones with
   * `deleted: true`).
   */
  messages: readonly MessageFrame[];
  status: ChannelStatus;
  outbox: readonly OutboxItem[];
  /** Members typing now (see `channel.typingUsers`). */
  typingUsers: readonly WireUserId[];
  /**
   * How far each member has read, by `String(user_id)`: loaded on each connection
   * (`readState()`), kept live from `readReceipt` events in between.
   */
  readState: Readonly<Record<string, number>>;
  send: (text: string, opts?: SendOptions) => Promise<SendResult>;
  /** `channel.markRead`: default up to the last message received. */
  markRead: (seq?: number) => void;
  edit: (seq: number, text: string, opts?: EditOptions) => Promise<SendResult>;
  /** `channel.delete` (`delete` is a reserved word for destructuring). */
  remove: (seq: number) => Promise<SendResult>;
  sendFile: (file: Blob, opts?: SendFileOptions) => Promise<SendResult>;
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
  const [typingUsers, setTypingUsers] = useState<readonly WireUserId[]>(channel.typingUsers);
  const [readState, setReadState] = useState<Readonly<Record<string, number>>>({});

  useEffect(() => {
    let active = true;
    let historyRequested = false;
    // Edits and deletions received before the history page arrives, re-applied to that page.
    let early: (MessageUpdatedFrame | MessageDeletedFrame)[] | null = historyLimit > 0 ? [] : null;
    setStatus(channel.status);
    setOutbox(channel.outbox);
    setMessages([]);
    setError(null);
    setTypingUsers(channel.typingUsers);
    setReadState({});
    const read = (userId: WireUserId, seq: number) =>
      setReadState((prev) => {
        const key = String(userId);
        return (prev[key] ?? -1) >= seq ? prev : { ...prev, [key]: seq };
      });
    const change = (c: MessageUpdatedFrame | MessageDeletedFrame) => {
      early?.push(c);
      setMessages((prev) => applyChange(prev, c));
    };
    // History is read strictly below the seq the live stream starts after, so the two meet without
    // a hole or an overlap.
    const loadHistory = () => {
      const anchor = channel.lastSeq;
      if (historyLimit <= 0 || historyRequested || anchor === undefined) return;
      historyRequested = true;
      channel.history({ beforeSeq: anchor + 1, limit: historyLimit }).then(
        (page) => {
          if (!active) return;
          const older = (early ?? []).reduce(applyChange, page.messages);
          early = null;
          setMessages((live) => {
            const first = live[0]?.seq ?? Number.POSITIVE_INFINITY;
            return [...older.filter((m) => m.seq < first), ...live];
          });
        },
        (err: PodchatError) => {
          early = null;
          if (active) setError(err);
        },
      );
    };
    // On every (re)connection: receipts are not replayed, so ones missed while away come from here.
    const loadReadState = () => {
      channel.readState().then(
        (r) => {
          if (active) for (const m of r.members) read(m.user_id, m.last_read_seq);
        },
        // Optional: a server without read state still gets live receipts.
        () => {},
      );
    };
    const unsubscribe = [
      channel.on("status", (s) => {
        setStatus(s);
        if (s === "connected") {
          loadHistory();
          loadReadState();
        }
      }),
      channel.on("message", (m) => setMessages((prev) => [...prev, m])),
      channel.on("messageUpdated", change),
      channel.on("messageDeleted", change),
      channel.on("readReceipt", (r) => read(r.user_id, r.seq)),
      channel.on("typing", () => setTypingUsers(channel.typingUsers)),
      channel.on("outbox", setOutbox),
      channel.on("error", setError),
    ];
    loadHistory();
    if (channel.status === "connected") loadReadState();
    const release = channel.acquire();
    return () => {
      active = false;
      for (const off of unsubscribe) off();
      release();
    };
  }, [channel, historyLimit]);

  const actions = useMemo(
    () => ({
      send: (text: string, o?: SendOptions) => channel.send(text, o),
      markRead: (seq?: number) => channel.markRead(seq),
      edit: (seq: number, text: string, o?: EditOptions) => channel.edit(seq, text, o),
      remove: (seq: number) => channel.delete(seq),
      sendFile: (file: Blob, o?: SendFileOptions) => channel.sendFile(file, o),
    }),
    [channel],
  );
  return { channel, messages, status, outbox, typingUsers, readState, error, ...actions };
}
