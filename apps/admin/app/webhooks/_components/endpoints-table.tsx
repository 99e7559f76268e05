"use client";
import { useState } from "react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { useWebhooksStore } from "@/providers/webhooks-store-provider";
import { useRedeliver } from "./use-webhooks-actions";

/** The configured endpoints (secrets masked by the server), with their queue and dead-letter counts. */
export function EndpointsTable() {
  const endpoints = useWebhooksStore((s) => s.endpoints);
  const { all } = useRedeliver();
  const [error, setError] = useState<ApiErrorData | null>(null);
  const [note, setNote] = useState<string | null>(null);
  return (
    <section aria-labelledby="endpoints-title">
      <h2 id="endpoints-title">Endpoints</h2>
      <ErrorBanner error={error} />
      {note ? <p role="status">{note}</p> : null}
      <table aria-label="Webhook endpoints">
        <thead>
          <tr>
            <th>Id</th>
            <th>URL</th>
            <th>Secret</th>
            <th>Events</th>
            <th>Environments</th>
            <th>Pending</th>
            <th>Dead</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {endpoints.length === 0 ? (
            <tr>
              <td colSpan={8}>
                No endpoint configured (webhooks.endpoints in yaml, or PODCHAT_WEBHOOK_URL).
              </td>
            </tr>
          ) : (
            endpoints.map((e) => (
              <tr key={e.id} data-active={e.active}>
                <td>{e.id}</td>
                <td>
                  <code>{e.url}</code>
                </td>
                <td>
                  <code>{e.secret}</code>
                </td>
                <td>{e.events.join(", ")}</td>
                <td>
                  {e.environments ? e.environments.join(", ") : "all"}
                  {e.active ? "" : " (inactive here)"}
                </td>
                <td>{e.pending}</td>
                <td>{e.dead}</td>
                <td>
                  <button
                    type="button"
                    disabled={e.dead === 0}
                    onClick={() => {
                      setError(null);
                      setNote(null);
                      all(e.id).then(
                        (n) => setNote(`${n} dead letter(s) of ${e.id} queued again`),
                        (err: unknown) => setError(toApiErrorData(err)),
                      );
                    }}
                  >
                    Redeliver all
                  </button>
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}
