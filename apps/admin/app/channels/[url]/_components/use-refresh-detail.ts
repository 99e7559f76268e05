"use client";
import { AdminChannelDetail } from "@podchat/protocol";
import { ignoringChangeEntries } from "@/lib/log-entries";
import { useCallback } from "react";
import { adminPath, callApi, seg } from "@/lib/client-api";
import { useChannelStoreApi } from "@/providers/channel-store-provider";

/** Reloads the channel's detail into the store (after an action changed it). */
export function useRefreshDetail(): () => Promise<void> {
  const store = useChannelStoreApi();
  return useCallback(async () => {
    const url = store.getState().detail.channel.channel_url;
    const detail = await callApi(
      adminPath(`/channels/${seg(url)}`),
      {},
      ignoringChangeEntries(AdminChannelDetail),
    );
    store.getState().setDetail(detail);
  }, [store]);
}
