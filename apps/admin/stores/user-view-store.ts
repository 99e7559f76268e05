import type { AdminUserSocket, AdminUserView, InboxChannel } from "@podchat/protocol";
import { createStore } from "zustand/vanilla";
import type { ApiErrorData } from "@/lib/api-error";

/** Channels per page of the user view (the server allows 1..100). */
const USER_PAGE_SIZE = 20;

export interface UserViewState {
  /** The id searched for, as typed (the path segment of the API call). */
  userId: string;
  /** Every page loaded so far, in the inbox's order (newest activity first). */
  channels: readonly InboxChannel[];
  nextCursor: string | null;
  totalUnread: number;
  /** The user's sockets on the instance that answered the last page. */
  sockets: readonly AdminUserSocket[];
  nodeId: string;
  loadingMore: boolean;
  /** Why the last "load more" or refresh failed; the loaded rows stay. */
  error: ApiErrorData | null;
}

export interface UserViewActions {
  /** Appends the next page; a channel already listed stays where it is (its activity moved it). */
  appendPage: (page: AdminUserView) => void;
  /** Replaces everything with a fresh first page (refresh). */
  reset: (page: AdminUserView) => void;
  setLoadingMore: (loading: boolean) => void;
  setError: (error: ApiErrorData | null) => void;
}

export type UserViewStore = UserViewState & UserViewActions;

export function initUserViewState(userId: string, page: AdminUserView): UserViewState {
  return {
    userId,
    channels: page.channels,
    nextCursor: page.next_cursor,
    totalUnread: page.total_unread,
    sockets: page.sockets,
    nodeId: page.node_id,
    loadingMore: false,
    error: null,
  };
}

/** `?limit=…&cursor=…` for the page after `cursor` (first page when null). */
export function userViewQuery(cursor: string | null, limit = USER_PAGE_SIZE): string {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cursor) q.set("cursor", cursor);
  return q.toString();
}

export function mergeChannels(have: readonly InboxChannel[], page: readonly InboxChannel[]): InboxChannel[] {
  const known = new Set(have.map((c) => c.channel_url));
  return [...have, ...page.filter((c) => !known.has(c.channel_url))];
}

export const createUserViewStore = (init: UserViewState) =>
  createStore<UserViewStore>()((set) => ({
    ...init,
    appendPage: (page) =>
      set((s) => ({
        channels: mergeChannels(s.channels, page.channels),
        nextCursor: page.next_cursor,
        // The latest page is the freshest word on the totals and the sockets.
        totalUnread: page.total_unread,
        sockets: page.sockets,
        nodeId: page.node_id,
        loadingMore: false,
        error: null,
      })),
    reset: (page) => set((s) => ({ ...initUserViewState(s.userId, page) })),
    setLoadingMore: (loadingMore) => set({ loadingMore }),
    setError: (error) => set({ error, loadingMore: false }),
  }));
