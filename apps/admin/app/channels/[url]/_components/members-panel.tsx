"use client";
import { useState } from "react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { callApi, chatPath, seg } from "@/lib/client-api";
import { parseUserIds } from "@/lib/user-ids";
import { useChannelStore } from "@/providers/channel-store-provider";
import { useRefreshDetail } from "./use-refresh-detail";

export function MembersPanel() {
  const members = useChannelStore((s) => s.detail.members);
  const channelUrl = useChannelStore((s) => s.detail.channel.channel_url);
  const refresh = useRefreshDetail();
  const [error, setError] = useState<ApiErrorData | null>(null);
  const base = `/channels/${seg(channelUrl)}/members`;

  async function run(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
      await refresh();
    } catch (e) {
      setError(toApiErrorData(e));
    }
  }

  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      <ErrorBanner error={error} />
      <ul className="log" aria-label="Members">
        {members.map((m) => (
          <li key={String(m.user_id)}>
            {String(m.user_id)}{" "}
            {m.online ? <span className="badge online">online</span> : <span className="muted">offline</span>}{" "}
            <button
              type="button"
              className="secondary"
              aria-label={`Remove member ${m.user_id}`}
              onClick={() =>
                run(() => callApi(chatPath(`${base}/${seg(String(m.user_id))}`), { method: "DELETE" }))
              }
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        className="inline"
        action={(form) =>
          run(() =>
            callApi(chatPath(base), {
              method: "POST",
              body: { user_ids: parseUserIds(String(form.get("user_ids") ?? "")) },
            }),
          )
        }
      >
        <label>
          Add member ids
          <input name="user_ids" required placeholder="4, 5" />
        </label>
        <button type="submit">Add member</button>
      </form>
    </section>
  );
}
