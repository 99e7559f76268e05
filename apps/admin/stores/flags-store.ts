import type { AuditEntry, FlagsResponse } from "@podchat/protocol";
import { createStore } from "zustand/vanilla";

export interface AuditFilter {
  env: string;
  actor: string;
}

export interface FlagsState {
  flags: FlagsResponse;
  audit: AuditEntry[];
  auditFilter: AuditFilter;
}

export interface FlagsActions {
  setFlags: (flags: FlagsResponse) => void;
  setAudit: (audit: AuditEntry[]) => void;
  setAuditFilter: (filter: Partial<AuditFilter>) => void;
}

export type FlagsStore = FlagsState & FlagsActions;

/** Query string of `GET /flags/audit` for a filter (empty fields are left out). */
export function auditQuery(filter: AuditFilter, limit = 50): string {
  const q = new URLSearchParams();
  if (filter.env) q.set("env", filter.env);
  if (filter.actor.trim()) q.set("actor", filter.actor.trim());
  q.set("limit", String(limit));
  return q.toString();
}

export const createFlagsStore = (init: Omit<FlagsState, "auditFilter"> & { auditFilter?: AuditFilter }) =>
  createStore<FlagsStore>()((set) => ({
    auditFilter: { env: "", actor: "" },
    ...init,
    setFlags: (flags) => set({ flags }),
    setAudit: (audit) => set({ audit }),
    setAuditFilter: (filter) => set((s) => ({ auditFilter: { ...s.auditFilter, ...filter } })),
  }));
