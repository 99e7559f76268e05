"use client";
import { ModerationState } from "@podchat/protocol";
import { useCallback } from "react";
import { callApi, chatPath, seg } from "@/lib/client-api";
import { useChannelStoreApi } from "@/providers/channel-store-provider";

/** Reloads the channel's moderation state (operators, bans, mutes, freeze) into the store. */
export function useRefreshModeration(): () => Promise<void> {
  const store = useChannelStoreApi();
  return useCallback(async () => {
    const url = store.getState().detail.channel.channel_url;
    const state = await callApi(chatPath(`/channels/${seg(url)}/moderation`), {}, ModerationState);
    store.getState().setModeration(state);
  }, [store]);
}
