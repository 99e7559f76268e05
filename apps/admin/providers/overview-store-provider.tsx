"use client";
import { createOverviewStore } from "@/stores/overview-store";
import { createStoreContext } from "./create-store-context";

const overview = createStoreContext("Overview", createOverviewStore);

export const OverviewStoreProvider = overview.Provider;
export const useOverviewStore = overview.useBoundStore;
