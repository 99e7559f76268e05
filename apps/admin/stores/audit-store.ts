import type { AuditLogEntry, AuditLogPage } from "@podchat/protocol";
import { createStore } from "zustand/vanilla";
import type { ApiErrorData } from "@/lib/api-error";

/** Entries per page of the audit view (the server allows 1..500). */
const AUDIT_PAGE_SIZE = 50;

/** The filters of `GET /api/v1/admin/audit`, as the form holds them ("" = any). */
export interface AuditFilters {
  action: string;
  actor: string;
  channel_url: string;
  user_id: string;
  /** `datetime-local` values, read as UTC. */
  since: string;
  until: string;
}

const AUDIT_FILTER_KEYS = ["action", "actor", "channel_url", "user_id", "since", "until"] as const;

export const noFilters = (): AuditFilters => ({
  action: "",
  actor: "",
  channel_url: "",
  user_id: "",
  since: "",
  until: "",
});

export interface AuditState {
  filters: AuditFilters;
  /** Every page loaded so far, newest first. */
  entries: readonly AuditLogEntry[];
  nextCursor: string | null;
  loadingMore: boolean;
  error: ApiErrorData | null;
}

export interface AuditActions {
  appendPage: (page: AuditLogPage) => void;
  setLoadingMore: (loading: boolean) => void;
  setError: (error: ApiErrorData | null) => void;
}

export type AuditStore = AuditState & AuditActions;

export function initAuditState(filters: AuditFilters, page: AuditLogPage): AuditState {
  return { filters, entries: page.entries, nextCursor: page.next_cursor, loadingMore: false, error: null };
}

/** A `datetime-local` value (no zone) as an ISO time in UTC; other text is passed on for the server to judge. */
function isoOf(local: string): string {
  const t = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(local) ? local : `${local}Z`);
  return Number.isNaN(t) ? local : new Date(t).toISOString();
}

/** The query string of the filters (the export link takes the same), plus paging when given. */
export function auditQuery(f: AuditFilters, page?: { cursor: string | null; limit?: number }): string {
  const q = new URLSearchParams();
  for (const k of AUDIT_FILTER_KEYS) {
    const v = f[k].trim();
    if (v) q.set(k, k === "since" || k === "until" ? isoOf(v) : v);
  }
  if (page) {
    q.set("limit", String(page.limit ?? AUDIT_PAGE_SIZE));
    if (page.cursor) q.set("cursor", page.cursor);
  }
  return q.toString();
}

/** Next.js `searchParams` → filters (the first value of each; unknown keys ignored). */
export function filtersFrom(params: Record<string, string | string[] | undefined>): AuditFilters {
  const f = noFilters();
  for (const k of AUDIT_FILTER_KEYS) {
    const v = params[k];
    f[k] = ((Array.isArray(v) ? v[0] : v) ?? "").slice(0, 200);
  }
  return f;
}

export const createAuditStore = (init: AuditState) =>
  createStore<AuditStore>()((set) => ({
    ...init,
    appendPage: (page) =>
      set((s) => {
        const known = new Set(s.entries.map((e) => e.id));
        return {
          entries: [...s.entries, ...page.entries.filter((e) => !known.has(e.id))],
          nextCursor: page.next_cursor,
          loadingMore: false,
          error: null,
        };
      }),
    setLoadingMore: (loadingMore) => set({ loadingMore }),
    setError: (error) => set({ error, loadingMore: false }),
  }));
