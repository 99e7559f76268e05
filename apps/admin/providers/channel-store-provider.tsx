"use client";
import { createChannelStore } from "@/stores/channel-store";
import { createStoreContext } from "./create-store-context";

const channel = createStoreContext("Channel", createChannelStore);

export const ChannelStoreProvider = channel.Provider;
export const useChannelStore = channel.useBoundStore;
export const useChannelStoreApi = channel.useStoreApi;
