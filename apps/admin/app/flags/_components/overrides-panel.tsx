"use client";
import { useState } from "react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { ProviderBadge } from "@/app/_components/provider-badge";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { adminPath, callApi, seg } from "@/lib/client-api";
import { formatTime } from "@/lib/format";
import { useFlagsStore } from "@/providers/flags-store-provider";
import { useReloadFlags } from "./use-flags-actions";

/** Per-channel overrides: a channel pinned to a provider whatever its environment says. */
export function OverridesPanel() {
  const overrides = useFlagsStore((s) => s.flags.overrides);
  const reload = useReloadFlags();
  const [error, setError] = useState<ApiErrorData | null>(null);

  async function run(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
      await reload();
    } catch (e) {
      setError(toApiErrorData(e));
    }
  }

  return (
    <section aria-labelledby="overrides-title">
      <h2 id="overrides-title">Per-channel overrides</h2>
      <ErrorBanner error={error} />
      <table aria-label="Overrides">
        <thead>
          <tr>
            <th>Channel</th>
            <th>Provider</th>
            <th>Set by</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {overrides.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted">
                No overrides.
              </td>
            </tr>
          ) : null}
          {overrides.map((o) => (
            <tr key={o.channel_url}>
              <td>{o.channel_url}</td>
              <td>
                <ProviderBadge provider={o.provider} />
              </td>
              <td>
                {o.updated_by} <span className="muted">{formatTime(o.updated_at)}</span>
              </td>
              <td>
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Remove override for ${o.channel_url}`}
                  onClick={() =>
                    run(() =>
                      callApi(adminPath(`/flags/overrides/${seg(o.channel_url)}`), { method: "DELETE" }),
                    )
                  }
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="inline"
        aria-label="Add override"
        action={(form) => {
          const url = String(form.get("channel_url") ?? "").trim();
          return run(() =>
            callApi(adminPath(`/flags/overrides/${seg(url)}`), {
              method: "PUT",
              body: { provider: form.get("provider") },
            }),
          );
        }}
      >
        <label>
          Override channel URL
          <input name="channel_url" required />
        </label>
        <label>
          Override provider
          <select name="provider" defaultValue="websocket">
            <option value="websocket">websocket</option>
            <option value="sendbird">sendbird</option>
          </select>
        </label>
        <button type="submit">Add override</button>
      </form>
    </section>
  );
}
