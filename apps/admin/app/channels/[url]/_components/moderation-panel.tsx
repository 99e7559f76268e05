"use client";
import type { WireUserId } from "@podchat/protocol";
import { useEffect, useState } from "react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { callApi, chatPath, seg } from "@/lib/client-api";
import { formatTime } from "@/lib/format";
import { parseUserIds } from "@/lib/user-ids";
import { useChannelStore } from "@/providers/channel-store-provider";
import { useRefreshModeration } from "./use-refresh-moderation";

type Restriction = "bans" | "mutes";

const RESTRICTIONS: Record<Restriction, { title: string; verb: string; lift: string; list: string }> = {
  bans: { title: "Bans", verb: "Ban", lift: "Lift ban on", list: "Banned users" },
  mutes: { title: "Mutes", verb: "Mute", lift: "Unmute", list: "Muted users" },
};

/**
 * Operators, bans, mutes and freeze of a channel, through the chat REST API (`/api/chat/…`, where
 * the admin token is privileged). The state is reloaded after every action and on MODERATION events.
 */
export function ModerationPanel() {
  const channelUrl = useChannelStore((s) => s.detail.channel.channel_url);
  const moderation = useChannelStore((s) => s.moderation);
  const refresh = useRefreshModeration();
  const [error, setError] = useState<ApiErrorData | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/channels/${seg(channelUrl)}`;

  useEffect(() => {
    refresh().catch((e: unknown) => setError(toApiErrorData(e)));
  }, [refresh]);

  async function run(action: () => Promise<unknown>) {
    setError(null);
    setBusy(true);
    try {
      await action();
    } catch (e) {
      setError(toApiErrorData(e));
    } finally {
      // Whatever happened, show what the server has now.
      await refresh().catch(() => {});
      setBusy(false);
    }
  }

  const add = (kind: "operators" | Restriction, form: FormData) => {
    const userIds = parseUserIds(String(form.get("user_ids") ?? ""));
    const seconds = Number(String(form.get("seconds") ?? "").trim());
    const body =
      kind !== "operators" && Number.isInteger(seconds) && seconds > 0
        ? { user_ids: userIds, seconds }
        : { user_ids: userIds };
    return run(() => callApi(chatPath(`${base}/${kind}`), { method: "POST", body }));
  };
  const lift = (kind: "operators" | Restriction, userId: WireUserId) =>
    run(() => callApi(chatPath(`${base}/${kind}/${seg(String(userId))}`), { method: "DELETE" }));

  return (
    <section className="card" aria-labelledby="moderation-title">
      <h2 id="moderation-title">Moderation</h2>
      <ErrorBanner error={error} />
      {moderation ? (
        <>
          <p className="inline">
            <span role="status" aria-label="Freeze state">
              {moderation.frozen ? "Frozen: only operators can send" : "Not frozen"}
            </span>{" "}
            <button
              type="button"
              className={moderation.frozen ? "secondary" : "danger"}
              disabled={busy}
              onClick={() =>
                run(() =>
                  callApi(chatPath(`${base}/freeze`), {
                    method: "PUT",
                    body: { frozen: !moderation.frozen },
                  }),
                )
              }
            >
              {moderation.frozen ? "Unfreeze channel" : "Freeze channel"}
            </button>
          </p>

          <h3>Operators</h3>
          <ul className="log" aria-label="Operators">
            {moderation.operators.length === 0 ? <li className="muted">none</li> : null}
            {moderation.operators.map((id) => (
              <li key={String(id)}>
                {String(id)}{" "}
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  aria-label={`Remove operator ${id}`}
                  onClick={() => lift("operators", id)}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <form className="inline" action={(form) => add("operators", form)}>
            <label>
              Operator ids
              <input name="user_ids" required placeholder="1, 2" />
            </label>
            <button type="submit" disabled={busy}>
              Add operator
            </button>
          </form>

          {(["bans", "mutes"] as const).map((kind) => {
            const text = RESTRICTIONS[kind];
            const entries = kind === "bans" ? moderation.banned : moderation.muted;
            return (
              <div key={kind}>
                <h3>{text.title}</h3>
                <ul className="log" aria-label={text.list}>
                  {entries.length === 0 ? <li className="muted">none</li> : null}
                  {entries.map((e) => (
                    <li key={String(e.user_id)}>
                      {String(e.user_id)}{" "}
                      <span className="muted">
                        {e.until ? `until ${formatTime(e.until)}` : "until lifted"}
                      </span>{" "}
                      <button
                        type="button"
                        className="secondary"
                        disabled={busy}
                        aria-label={`${text.lift} ${e.user_id}`}
                        onClick={() => lift(kind, e.user_id)}
                      >
                        {kind === "bans" ? "Lift" : "Unmute"}
                      </button>
                    </li>
                  ))}
                </ul>
                <form className="inline" action={(form) => add(kind, form)}>
                  <label>
                    {text.verb} user ids
                    <input name="user_ids" required placeholder="2" />
                  </label>
                  <label>
                    {text.verb} duration (seconds, empty = until lifted)
                    <input name="seconds" type="number" min={1} step={1} inputMode="numeric" />
                  </label>
                  <button type="submit" disabled={busy}>
                    {text.verb}
                  </button>
                </form>
              </div>
            );
          })}
        </>
      ) : error ? null : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}
