"use client";
import { AdminUserView } from "@podchat/protocol";
import { ErrorBanner } from "@/app/_components/error-banner";
import { toApiErrorData } from "@/lib/api-error";
import { adminPath, callApi, seg } from "@/lib/client-api";
import { ignoringChangeEntries } from "@/lib/log-entries";
import { useUserViewStore, useUserViewStoreApi } from "@/providers/user-view-store-provider";
import { userViewQuery } from "@/stores/user-view-store";
import { UserChannelsTable } from "./user-channels-table";
import { UserSocketsTable } from "./user-sockets-table";

const schema = ignoringChangeEntries(AdminUserView);

/** The searched user: totals, channels (with load more) and live sockets. */
export function UserView() {
  const store = useUserViewStoreApi();
  const userId = useUserViewStore((s) => s.userId);
  const channels = useUserViewStore((s) => s.channels);
  const totalUnread = useUserViewStore((s) => s.totalUnread);
  const sockets = useUserViewStore((s) => s.sockets);
  const nodeId = useUserViewStore((s) => s.nodeId);
  const nextCursor = useUserViewStore((s) => s.nextCursor);
  const loadingMore = useUserViewStore((s) => s.loadingMore);
  const error = useUserViewStore((s) => s.error);

  async function load(cursor: string | null) {
    const { setLoadingMore, setError, appendPage, reset } = store.getState();
    setLoadingMore(true);
    try {
      const page = await callApi(adminPath(`/users/${seg(userId)}?${userViewQuery(cursor)}`), {}, schema);
      if (cursor === null) reset(page);
      else appendPage(page);
    } catch (e) {
      setError(toApiErrorData(e));
    }
  }

  const unknown = channels.length === 0 && sockets.length === 0;
  return (
    <>
      <section className="grid" aria-label="User totals">
        <Stat label="User" value={userId} />
        <Stat label="Total unread" value={totalUnread} />
        <Stat label="Live sockets" value={sockets.length} />
      </section>
      <ErrorBanner error={error} />
      {unknown ? (
        <p className="banner info" role="status">
          No channels and no live socket for user {userId}. podchat knows a user only through channel
          memberships and sockets: check the id.
        </p>
      ) : null}
      <h2>Channels</h2>
      <UserChannelsTable channels={channels} />
      <div className="inline" style={{ display: "flex", gap: "0.5rem", marginTop: "0.5rem" }}>
        {nextCursor ? (
          <button type="button" onClick={() => load(nextCursor)} disabled={loadingMore}>
            {loadingMore ? "Loading…" : "Load more"}
          </button>
        ) : null}
        <button type="button" className="secondary" onClick={() => load(null)} disabled={loadingMore}>
          Refresh
        </button>
      </div>
      <h2>Live sockets</h2>
      <p className="muted">On instance {nodeId}; sockets on other instances are not listed.</p>
      <UserSocketsTable sockets={sockets} />
    </>
  );
}

function Stat({ label, value }: { label: string; value: string | number }) {
  return (
    <section className="card" aria-label={label}>
      <div className="muted">{label}</div>
      <div className="stat">{value}</div>
    </section>
  );
}
