"use client";
import { useState } from "react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { formatAuditValue, formatTime } from "@/lib/format";
import { useFlagsStore, useFlagsStoreApi } from "@/providers/flags-store-provider";
import { useReloadFlags } from "./use-flags-actions";

/** Who changed what, when: newest first, filterable by environment and actor. */
export function AuditLog() {
  const audit = useFlagsStore((s) => s.audit);
  const filter = useFlagsStore((s) => s.auditFilter);
  const store = useFlagsStoreApi();
  const reload = useReloadFlags();
  const [error, setError] = useState<ApiErrorData | null>(null);

  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <ErrorBanner error={error} />
      <search>
        <form
          className="inline"
          aria-label="Filter audit log"
          action={(form) => {
            store
              .getState()
              .setAuditFilter({ env: String(form.get("env") ?? ""), actor: String(form.get("actor") ?? "") });
            setError(null);
            return reload().catch((e: unknown) => setError(toApiErrorData(e)));
          }}
        >
          <label>
            Audit env
            <select name="env" defaultValue={filter.env}>
              <option value="">all</option>
              <option value="dev">dev</option>
              <option value="stg">stg</option>
              <option value="prod">prod</option>
            </select>
          </label>
          <label>
            Audit actor
            <input name="actor" defaultValue={filter.actor} />
          </label>
          <button type="submit">Filter</button>
        </form>
      </search>
      <table aria-label="Audit log">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Env</th>
            <th>Key</th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          {audit.length === 0 ? (
            <tr>
              <td colSpan={5} className="muted">
                No changes recorded.
              </td>
            </tr>
          ) : null}
          {audit.map((a) => (
            <tr key={a.id}>
              <td>{formatTime(a.at)}</td>
              <td>{a.actor}</td>
              <td>{a.env}</td>
              <td>{a.key}</td>
              <td>
                {formatAuditValue(a.old_value)} → {formatAuditValue(a.new_value)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
