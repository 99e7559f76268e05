"use client";
import { AuditLogPage } from "@podchat/protocol";
import { ErrorBanner } from "@/app/_components/error-banner";
import { toApiErrorData } from "@/lib/api-error";
import { adminPath, callApi } from "@/lib/client-api";
import { formatAuditValue, formatTime } from "@/lib/format";
import { useAuditStore, useAuditStoreApi } from "@/providers/audit-store-provider";
import { auditQuery } from "@/stores/audit-store";

/** The loaded entries (newest first), "Load more" for older ones, and the export of the same filter. */
export function AuditView() {
  const store = useAuditStoreApi();
  const filters = useAuditStore((s) => s.filters);
  const entries = useAuditStore((s) => s.entries);
  const nextCursor = useAuditStore((s) => s.nextCursor);
  const loadingMore = useAuditStore((s) => s.loadingMore);
  const error = useAuditStore((s) => s.error);

  async function loadMore() {
    const { setLoadingMore, setError, appendPage } = store.getState();
    setLoadingMore(true);
    try {
      appendPage(
        await callApi(adminPath(`/audit?${auditQuery(filters, { cursor: nextCursor })}`), {}, AuditLogPage),
      );
    } catch (e) {
      setError(toApiErrorData(e));
    }
  }

  const exportQuery = auditQuery(filters);
  return (
    <>
      <ErrorBanner error={error} />
      <p>
        <a
          href={adminPath(`/audit/export${exportQuery ? `?${exportQuery}` : ""}`)}
          download="podchat-audit.jsonl"
        >
          Export (JSON lines)
        </a>
      </p>
      <table aria-label="Audit log">
        <thead>
          <tr>
            <th>When (UTC)</th>
            <th>Who</th>
            <th>Action</th>
            <th>Target</th>
            <th>Change</th>
            <th>Instance</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 ? (
            <tr>
              <td colSpan={6} className="muted">
                No entries match.
              </td>
            </tr>
          ) : null}
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{formatTime(e.at)}</td>
              <td>
                {e.actor.kind}: {e.actor.id}
                {e.ip ? <div className="muted">{e.ip}</div> : null}
              </td>
              <td>{e.action}</td>
              <td>
                {[e.target.channel_url, e.target.user_id ? `user ${e.target.user_id}` : ""]
                  .filter(Boolean)
                  .join(" · ") || "—"}
              </td>
              <td>
                {e.before === undefined && e.after === undefined
                  ? "—"
                  : `${formatAuditValue(e.before)} → ${formatAuditValue(e.after)}`}
              </td>
              <td className="muted">
                {e.node_id}
                <div title="request id">{e.request_id}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {nextCursor ? (
        <div style={{ marginTop: "0.5rem" }}>
          <button type="button" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? "Loading…" : "Load more"}
          </button>
        </div>
      ) : null}
    </>
  );
}
