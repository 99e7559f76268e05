"use client";
import { type EnvFlag, FlagsResponse } from "@podchat/protocol";
import { useEffect, useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { ErrorBanner } from "@/app/_components/error-banner";
import { ProviderBadge } from "@/app/_components/provider-badge";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { adminPath, callApi, seg } from "@/lib/client-api";
import { flagSourceLabel, formatTime, providerLabel } from "@/lib/format";
import { useFlagsStore } from "@/providers/flags-store-provider";
import { useReloadFlags } from "./use-flags-actions";

const TRAFFIC_POLL_MS = 2_000;

/** Environments × the chat flag, with the running server's traffic per provider. */
export function EnvFlagsTable() {
  const flags = useFlagsStore((s) => s.flags);
  const setFlags = useFlagsStore((s) => s.setFlags);
  const reload = useReloadFlags();
  const [error, setError] = useState<ApiErrorData | null>(null);
  const [pendingProd, setPendingProd] = useState<EnvFlag | null>(null);

  // Traffic changes all the time: keep it (and flags changed by other admins) current.
  useEffect(() => {
    const timer = setInterval(() => {
      callApi(adminPath("/flags"), {}, FlagsResponse).then(setFlags, (e: unknown) =>
        setError(toApiErrorData(e)),
      );
    }, TRAFFIC_POLL_MS);
    return () => clearInterval(timer);
  }, [setFlags]);

  async function update(env: EnvFlag["env"], body: { use_websocket?: boolean; rollout_percent?: number }) {
    setError(null);
    try {
      await callApi(adminPath(`/flags/${seg(env)}`), { method: "PUT", body });
      await reload();
    } catch (e) {
      setError(toApiErrorData(e));
    }
  }

  function toggle(flag: EnvFlag) {
    if (flag.env === "prod") setPendingProd(flag);
    else void update(flag.env, { use_websocket: !flag.use_websocket });
  }

  const { traffic } = flags;
  return (
    <section aria-labelledby="envs-title">
      <h2 id="envs-title">Environments</h2>
      <ErrorBanner error={error} />
      <table aria-label="Environments">
        <thead>
          <tr>
            <th>Env</th>
            <th>Effective value</th>
            <th>Source</th>
            <th>Toggle</th>
            <th>Rollout %</th>
            <th>Live traffic per provider</th>
          </tr>
        </thead>
        <tbody>
          {flags.environments.map((f) => (
            <tr key={f.env} aria-label={`Environment ${f.env}`}>
              <td>
                <strong>{f.env}</strong>
                {f.current ? <div className="muted">this server</div> : null}
              </td>
              <td aria-label={`Effective value for ${f.env}`}>
                <ProviderBadge provider={providerLabel(f.use_websocket)} />
                <div className="muted">use_websocket = {String(f.use_websocket)}</div>
              </td>
              <td>
                {flagSourceLabel(f)}
                {f.updated_by ? (
                  <div className="muted">
                    by {f.updated_by}, {formatTime(f.updated_at)}
                  </div>
                ) : null}
              </td>
              <td>
                {f.pinned ? (
                  <span
                    className="muted"
                    title="Pinned by USE_WEBSOCKET_CHAT; change it where the server runs."
                  >
                    pinned
                  </span>
                ) : (
                  <button
                    type="button"
                    aria-label={`Switch ${f.env} to ${providerLabel(!f.use_websocket)}`}
                    onClick={() => toggle(f)}
                  >
                    Switch to {providerLabel(!f.use_websocket)}
                  </button>
                )}
              </td>
              <td>
                <RolloutForm flag={f} onSave={(percent) => update(f.env, { rollout_percent: percent })} />
              </td>
              <td>
                {f.current ? (
                  <span>
                    websocket: {traffic.websocket.channels} channels, {traffic.websocket.connections}{" "}
                    connections
                    <br />
                    sendbird: {traffic.sendbird.channels} channels
                    {traffic.sendbird.connections === null
                      ? ""
                      : `, ${traffic.sendbird.connections} connections`}
                  </span>
                ) : (
                  <span className="muted">not this server</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ConfirmDialog
        open={pendingProd !== null}
        title="Change the chat flag in prod?"
        confirmLabel="Change prod"
        onCancel={() => setPendingProd(null)}
        onConfirm={() => {
          const flag = pendingProd;
          setPendingProd(null);
          if (flag) void update(flag.env, { use_websocket: !flag.use_websocket });
        }}
      >
        <p>
          New production channels will go to{" "}
          <strong>{pendingProd ? providerLabel(!pendingProd.use_websocket) : ""}</strong>. Existing channels
          stay where they are.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function RolloutForm({ flag, onSave }: { flag: EnvFlag; onSave: (percent: number) => void }) {
  const [value, setValue] = useState(String(flag.rollout_percent));
  useEffect(() => setValue(String(flag.rollout_percent)), [flag.rollout_percent]);
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(Number(value));
      }}
    >
      <input
        aria-label={`Rollout % for ${flag.env}`}
        type="number"
        min={0}
        max={100}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        style={{ width: "5rem" }}
      />
      <button type="submit" className="secondary" aria-label={`Save rollout for ${flag.env}`}>
        Save
      </button>
    </form>
  );
}
