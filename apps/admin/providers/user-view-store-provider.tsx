"use client";
import { createUserViewStore } from "@/stores/user-view-store";
import { createStoreContext } from "./create-store-context";

const userView = createStoreContext("UserView", createUserViewStore);

export const UserViewStoreProvider = userView.Provider;
export const useUserViewStore = userView.useBoundStore;
export const useUserViewStoreApi = userView.useStoreApi;
