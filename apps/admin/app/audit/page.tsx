import { AuditLogPage } from "@podchat/protocol";
import { loadForPage, serverJson } from "@/lib/server-api";
import { AuditStoreProvider } from "@/providers/audit-store-provider";
import { auditQuery, filtersFrom, initAuditState } from "@/stores/audit-store";
import { ErrorBanner } from "../_components/error-banner";
import { AuditFiltersForm } from "./_components/audit-filters-form";
import { AuditView } from "./_components/audit-view";

export const dynamic = "force-dynamic";

type Search = Promise<Record<string, string | string[] | undefined>>;

/** `/audit?action=&actor=&channel_url=&user_id=&since=&until=`: the audit log, newest first. */
export default async function AuditPage({ searchParams }: { searchParams: Search }) {
  const filters = filtersFrom(await searchParams);
  const query = auditQuery(filters, { cursor: null });
  const { data, error } = await loadForPage(() => serverJson(`/api/v1/admin/audit?${query}`, AuditLogPage));
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">
        Every change made by an admin or an API key, and every moderation action, on every instance.
      </p>
      <AuditFiltersForm filters={filters} />
      <ErrorBanner error={error?.toJSON()} />
      {data ? (
        <AuditStoreProvider key={query} init={initAuditState(filters, data)}>
          <AuditView />
        </AuditStoreProvider>
      ) : null}
    </>
  );
}
