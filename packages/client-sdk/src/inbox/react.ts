"use client";
// `@podchat/client-sdk/inbox/react`: `useInbox`, plus the `./react` entry's provider and
// `useChannel`, which run on the shared socket when the provider is given an inbox client.
import { useEffect, useSyncExternalStore } from "react";
import { usePodchatClient } from "@podchat/client-sdk/react";
import type { InboxOptions, InboxState, PodchatInbox, PodchatInboxClient } from "@podchat/client-sdk/inbox";

export {
  PodchatProvider,
  type PodchatProviderProps,
  type UseChannelOptions,
  type UseChannelResult,
  useChannel,
  usePodchatClient,
} from "@podchat/client-sdk/react";

/** What {@link useInbox} returns: the inbox state, and its actions. */
export interface UseInboxResult extends InboxState {
  inbox: PodchatInbox;
  /** Loads the next page (`inbox.loadMore`). */
  loadMore: () => Promise<void>;
  /** Marks a channel read (default: up to its newest seq) from the list, subscribed or not. */
  markRead: (channelUrl: string, seq?: number) => boolean;
}

/**
 * The user's channel list, live, for the `PodchatProvider`'s client (one from
 * `createInboxClient`). The inbox is shared and reference-counted like channels: the user
 * connection opens with the first component using it (or a channel) and closes shortly after
 * the last one unmounts. `opts` count on the first use of the client's inbox.
 */
export function useInbox(opts?: InboxOptions): UseInboxResult {
  const client = usePodchatClient() as unknown as Partial<PodchatInboxClient>;
  if (typeof client.inbox !== "function") {
    throw new Error("useInbox needs a client from createInboxClient (@podchat/client-sdk/inbox)");
  }
  const inbox = client.inbox(opts);
  const state = useSyncExternalStore(
    inbox.subscribe,
    () => inbox.state,
    () => inbox.state,
  );
  useEffect(() => inbox.acquire(), [inbox]);
  return {
    ...state,
    inbox,
    loadMore: () => inbox.loadMore(),
    markRead: (url, seq) => inbox.markRead(url, seq),
  };
}
