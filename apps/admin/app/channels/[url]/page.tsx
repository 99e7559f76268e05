import { AdminChannelDetail } from "@podchat/protocol";
import { ignoringChangeEntries } from "@/lib/log-entries";
import Link from "next/link";
import { loadForPage, serverJson } from "@/lib/server-api";
import { ChannelStoreProvider } from "@/providers/channel-store-provider";
import { ErrorBanner } from "../../_components/error-banner";
import { ChannelView } from "./_components/channel-view";

export const dynamic = "force-dynamic";

export default async function ChannelPage({ params }: { params: Promise<{ url: string }> }) {
  const { url } = await params;
  const channelUrl = decodeURIComponent(url);
  const { data, error } = await loadForPage(() =>
    serverJson(
      `/api/v1/admin/channels/${encodeURIComponent(channelUrl)}`,
      ignoringChangeEntries(AdminChannelDetail),
    ),
  );
  return (
    <>
      <p>
        <Link href="/channels">← Channels</Link>
      </p>
      {data ? (
        <ChannelStoreProvider init={{ detail: data, job: null }}>
          <ChannelView />
        </ChannelStoreProvider>
      ) : (
        <>
          <h1>{channelUrl}</h1>
          <ErrorBanner error={error?.toJSON()} />
        </>
      )}
    </>
  );
}
