import { AuditResponse, FlagsResponse } from "@podchat/protocol";
import { loadForPage, serverJson } from "@/lib/server-api";
import { FlagsStoreProvider } from "@/providers/flags-store-provider";
import { auditQuery } from "@/stores/flags-store";
import { ErrorBanner } from "../_components/error-banner";
import { AuditLog } from "./_components/audit-log";
import { EnvFlagsTable } from "./_components/env-flags-table";
import { OverridesPanel } from "./_components/overrides-panel";

export const dynamic = "force-dynamic";

export default async function FlagsPage() {
  const { data, error } = await loadForPage(() =>
    Promise.all([
      serverJson("/api/v1/admin/flags", FlagsResponse),
      serverJson(`/api/v1/admin/flags/audit?${auditQuery({ env: "", actor: "" })}`, AuditResponse),
    ]),
  );
  return (
    <>
      <h1>Chat flag: chat.use_websocket</h1>
      <ErrorBanner error={error?.toJSON()} />
      {data ? (
        <FlagsStoreProvider init={{ flags: data[0], audit: data[1].entries }}>
          <EnvFlagsTable />
          <OverridesPanel />
          <AuditLog />
        </FlagsStoreProvider>
      ) : null}
    </>
  );
}
