"use client";
// The playground's only contact with the chat: everything goes through @podchat/client-sdk.
import { createClient, type PodchatClient, type PodchatError } from "@podchat/client-sdk";
import { useChannel } from "@podchat/client-sdk/react";
import type { MessageFrame, ModerationFrame, WireUserId } from "@podchat/protocol";
import { useCallback, useEffect, useMemo, useState } from "react";
import {
  applyChanges,
  applyReceipt,
  changeTarget,
  type MessageChange,
  type ReadState,
} from "@/lib/chat-view";
import { sameUser } from "@/lib/format";

/** A join or leave seen in the channel. */
export interface PresenceEvent {
  id: number;
  kind: "joined" | "left";
  userId: WireUserId;
  timestamp: string | undefined;
}

export interface ChatState {
  status: "connecting" | "connected" | "reconnecting" | "disconnected";
  /** History + live, each once, in seq order, with edits applied and deletions as tombstones. */
  messages: readonly MessageFrame[];
  presence: readonly PresenceEvent[];
  error: PodchatError | null;
  /** Loading the read state failed (the chat itself still works). */
  readStateError: PodchatError | null;
  /** Last read seq of each member (string id). */
  readState: ReadState;
  /** Other users typing right now. */
  typingUsers: readonly string[];
  /** MODERATION events of the channel, newest last. */
  moderation: readonly ModerationFrame[];
  send: (text: string) => Promise<unknown>;
  sendImage: (file: File, caption: string) => Promise<unknown>;
  edit: (seq: number, text: string) => Promise<unknown>;
  remove: (seq: number) => Promise<unknown>;
  /** Call on every keystroke in the message box (the SDK throttles), and with `false` on send/clear. */
  typing: (active: boolean) => void;
}

/** A client for one user; `getToken` mints a fresh token when the server rejects the current one. */
export function createPlaygroundClient(
  serverUrl: string,
  token: string,
  getToken: () => Promise<string>,
): PodchatClient {
  // A playground should come back quickly after a drop: cap the backoff at 5 s instead of 20 s.
  return createClient({ url: serverUrl, token, getToken, reconnect: { maxDelayMs: 5_000 } });
}

let nextPresenceId = 0;
/** How long a TYPING start counts when the frame gives no expiry. */
const TYPING_DEFAULT_MS = 5_000;

/** Messages, joins/leaves, read state, typing and status of one channel, as user `userId`. */
export function useChat(channelUrl: string, userId: string): ChatState {
  const { channel, messages, status, error, send } = useChannel(channelUrl, { historyLimit: 50 });
  const [presence, setPresence] = useState<PresenceEvent[]>([]);
  const [changes, setChanges] = useState<ReadonlyMap<number, MessageChange>>(new Map());
  const [readState, setReadState] = useState<ReadState>(new Map());
  const [typingUsers, setTypingUsers] = useState<string[]>([]);
  const [moderation, setModeration] = useState<ModerationFrame[]>([]);
  const [featureError, setFeatureError] = useState<PodchatError | null>(null);

  // Joins/leaves, edits/deletions, read receipts, typing, moderation.
  useEffect(() => {
    setPresence([]);
    setChanges(new Map());
    setReadState(new Map());
    setTypingUsers([]);
    setModeration([]);
    const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
    const stopTypist = (user: string) => {
      clearTimeout(typingTimers.get(user));
      typingTimers.delete(user);
      setTypingUsers((prev) => prev.filter((u) => u !== user));
    };
    const add = (kind: PresenceEvent["kind"]) => (f: { user_id: WireUserId; timestamp?: string }) => {
      if (kind === "left") stopTypist(String(f.user_id));
      setPresence((prev) => [
        ...prev,
        { id: nextPresenceId++, kind, userId: f.user_id, timestamp: f.timestamp },
      ]);
    };
    const change = (seq: number, c: MessageChange) => setChanges((prev) => new Map(prev).set(seq, c));
    const offs = [
      channel.on("userJoined", add("joined")),
      channel.on("userLeft", add("left")),
      channel.on("messageUpdated", (f) =>
        change(changeTarget(f), {
          kind: "edited",
          message: f.message,
          editedAt: f.edited_at,
        }),
      ),
      channel.on("messageDeleted", (f) => change(changeTarget(f), { kind: "deleted" })),
      channel.on("readReceipt", (f) => setReadState((prev) => applyReceipt(prev, f.user_id, f.seq))),
      channel.on("typing", (f) => {
        const user = String(f.user_id);
        if (sameUser(user, userId)) return;
        if (!f.typing) return stopTypist(user);
        clearTimeout(typingTimers.get(user));
        typingTimers.set(
          user,
          setTimeout(() => stopTypist(user), f.expires_in_ms ?? TYPING_DEFAULT_MS),
        );
        setTypingUsers((prev) => (prev.includes(user) ? prev : [...prev, user]));
      }),
      channel.on("moderation", (f) => setModeration((prev) => [...prev, f].slice(-50))),
    ];
    return () => {
      for (const off of offs) off();
      for (const t of typingTimers.values()) clearTimeout(t);
    };
  }, [channel, userId]);

  // Read positions of everyone, once connected (receipts keep them current).
  useEffect(() => {
    if (status !== "connected") return;
    let active = true;
    channel.readState().then(
      (res) => {
        if (!active) return;
        setReadState((prev) => {
          let next = prev;
          for (const m of res.members) next = applyReceipt(next, m.user_id, m.last_read_seq);
          return next;
        });
      },
      (err: PodchatError) => active && setFeatureError(err),
    );
    return () => {
      active = false;
    };
  }, [status, channel]);

  // Mark the channel read up to the newest message while this page shows it (the SDK coalesces).
  const lastSeq = messages.at(-1)?.seq ?? 0;
  useEffect(() => {
    if (status !== "connected" || lastSeq === 0) return;
    const mark = () => {
      if (document.visibilityState !== "visible") return;
      setReadState((prev) => applyReceipt(prev, userId, lastSeq));
      channel.markRead(lastSeq);
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [status, lastSeq, channel, userId]);

  const typing = useCallback(
    (active: boolean) => (active ? channel.startTyping() : channel.stopTyping()),
    [channel],
  );

  return {
    status,
    messages: useMemo(() => applyChanges(messages, changes), [messages, changes]),
    presence,
    error,
    readStateError: featureError,
    readState,
    typingUsers,
    moderation,
    send: (text) => send(text),
    sendImage: (file, caption) => channel.sendFile(file, { caption }),
    edit: (seq, text) => channel.edit(seq, text),
    remove: (seq) => channel.delete(seq),
    typing,
  };
}
