"use client";
// The playground's only contact with the chat: everything goes through @podchat/client-sdk.
import { createClient, type PodchatClient, type PodchatError } from "@podchat/client-sdk";
import { useChannel } from "@podchat/client-sdk/react";
import type { MessageFrame, WireUserId } from "@podchat/protocol";
import { useEffect, useState } from "react";

/** A join or leave seen in the channel. */
export interface PresenceEvent {
  id: number;
  kind: "joined" | "left";
  userId: WireUserId;
  timestamp: string | undefined;
}

export interface ChatState {
  status: "connecting" | "connected" | "reconnecting" | "disconnected";
  messages: readonly MessageFrame[];
  presence: readonly PresenceEvent[];
  error: PodchatError | null;
  send: (text: string) => Promise<unknown>;
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

/** Messages (history + live, each once, in seq order), joins/leaves and status of one channel. */
export function useChat(channelUrl: string): ChatState {
  const { channel, messages, status, error, send } = useChannel(channelUrl, { historyLimit: 50 });
  const [presence, setPresence] = useState<PresenceEvent[]>([]);

  useEffect(() => {
    setPresence([]);
    const add = (kind: PresenceEvent["kind"]) => (f: { user_id: WireUserId; timestamp?: string }) =>
      setPresence((prev) => [
        ...prev,
        { id: nextPresenceId++, kind, userId: f.user_id, timestamp: f.timestamp },
      ]);
    const offJoin = channel.on("userJoined", add("joined"));
    const offLeft = channel.on("userLeft", add("left"));
    return () => {
      offJoin();
      offLeft();
    };
  }, [channel]);

  return { status, messages, presence, error, send: (text) => send(text) };
}
