"use client";
import { AuditResponse, FlagsResponse } from "@podchat/protocol";
import { useCallback } from "react";
import { adminPath, callApi } from "@/lib/client-api";
import { useFlagsStoreApi } from "@/providers/flags-store-provider";
import { auditQuery } from "@/stores/flags-store";

/** Reloads flags and the (filtered) audit log into the store. */
export function useReloadFlags(): () => Promise<void> {
  const store = useFlagsStoreApi();
  return useCallback(async () => {
    const { auditFilter, setFlags, setAudit } = store.getState();
    const [flags, audit] = await Promise.all([
      callApi(adminPath("/flags"), {}, FlagsResponse),
      callApi(adminPath(`/flags/audit?${auditQuery(auditFilter)}`), {}, AuditResponse),
    ]);
    setFlags(flags);
    setAudit(audit.entries);
  }, [store]);
}
