"use client";
import { createAuditStore } from "@/stores/audit-store";
import { createStoreContext } from "./create-store-context";

const audit = createStoreContext("Audit", createAuditStore);

export const AuditStoreProvider = audit.Provider;
export const useAuditStore = audit.useBoundStore;
export const useAuditStoreApi = audit.useStoreApi;
