"use client";
import type { WebhookDelivery } from "@podchat/protocol";
import { useState } from "react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { formatTime } from "@/lib/format";
import { useWebhooksStore, useWebhooksStoreApi } from "@/providers/webhooks-store-provider";
import { useRedeliver, useReloadWebhooks } from "./use-webhooks-actions";

/** Dead letters (with Redeliver) or recent deliveries of every state. */
export function DeliveriesTable({ kind }: { kind: "dead" | "recent" }) {
  const rows = useWebhooksStore((s) => (kind === "dead" ? s.deadLetters : s.deliveries));
  const busy = useWebhooksStore((s) => s.redelivering);
  const { one } = useRedeliver();
  const [error, setError] = useState<ApiErrorData | null>(null);
  const title = kind === "dead" ? "Dead letters" : "Recent deliveries";
  const id = `${kind}-title`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <ErrorBanner error={error} />
      <table aria-label={title}>
        <thead>
          <tr>
            <th>Id</th>
            <th>Endpoint</th>
            <th>Event</th>
            <th>Channel</th>
            <th>State</th>
            <th>Attempts</th>
            <th>Last answer</th>
            <th>{kind === "dead" ? "Given up" : "Updated"}</th>
            {kind === "dead" ? <th /> : null}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={kind === "dead" ? 9 : 8}>
                {kind === "dead" ? "No dead letters." : "No deliveries yet."}
              </td>
            </tr>
          ) : (
            rows.map((d) => (
              <tr key={d.id}>
                <td>{d.id}</td>
                <td>{d.endpoint_id}</td>
                <td title={d.event_id}>{d.type}</td>
                <td>{d.channel_url}</td>
                <td>{stateText(d)}</td>
                <td>{d.attempts}</td>
                <td>{d.last_error ?? (d.last_status ? `HTTP ${d.last_status}` : "—")}</td>
                <td>{formatTime(d.updated_at)}</td>
                {kind === "dead" ? (
                  <td>
                    <button
                      type="button"
                      disabled={busy.includes(d.id)}
                      onClick={() => {
                        setError(null);
                        one(d.id).catch((e: unknown) => setError(toApiErrorData(e)));
                      }}
                    >
                      Redeliver
                    </button>
                  </td>
                ) : null}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}

function stateText(d: WebhookDelivery): string {
  if (d.state === "pending" && d.next_attempt_at) return `pending (next ${formatTime(d.next_attempt_at)})`;
  return d.state;
}

/** Endpoint filter for both lists, and a refresh. */
export function DeliveriesFilter() {
  const endpoints = useWebhooksStore((s) => s.endpoints);
  const filter = useWebhooksStore((s) => s.endpointFilter);
  const store = useWebhooksStoreApi();
  const reload = useReloadWebhooks();
  const [error, setError] = useState<ApiErrorData | null>(null);
  return (
    <>
      <ErrorBanner error={error} />
      <form
        className="inline"
        aria-label="Filter deliveries"
        action={(form) => {
          store.getState().setEndpointFilter(String(form.get("endpoint") ?? ""));
          setError(null);
          return reload().catch((e: unknown) => setError(toApiErrorData(e)));
        }}
      >
        <label>
          Endpoint
          <select name="endpoint" defaultValue={filter}>
            <option value="">all</option>
            {endpoints.map((e) => (
              <option key={e.id} value={e.id}>
                {e.id}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Refresh</button>
      </form>
    </>
  );
}
