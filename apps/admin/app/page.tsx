import { Overview } from "@podchat/protocol";
import { loadForPage, serverJson } from "@/lib/server-api";
import { OverviewStoreProvider } from "@/providers/overview-store-provider";
import { initOverviewState } from "@/stores/overview-store";
import { OverviewLive } from "./_components/overview-live";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const { data, error } = await loadForPage(() => serverJson("/api/v1/admin/overview", Overview));
  const init = {
    ...initOverviewState(data),
    ...(error ? { stream: "down" as const, error: error.toJSON() } : {}),
  };
  return (
    <>
      <h1>Overview</h1>
      <OverviewStoreProvider init={init}>
        <OverviewLive />
      </OverviewStoreProvider>
    </>
  );
}
