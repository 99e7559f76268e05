"use client";
import { createFlagsStore } from "@/stores/flags-store";
import { createStoreContext } from "./create-store-context";

const flags = createStoreContext("Flags", createFlagsStore);

export const FlagsStoreProvider = flags.Provider;
export const useFlagsStore = flags.useBoundStore;
export const useFlagsStoreApi = flags.useStoreApi;
