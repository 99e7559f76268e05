"use client";
import { MigrationJob } from "@podchat/protocol";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { ErrorBanner } from "@/app/_components/error-banner";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { adminPath, callApi, chatPath, seg } from "@/lib/client-api";
import { useChannelStore, useChannelStoreApi } from "@/providers/channel-store-provider";
import { MigrationProgress } from "./migration-progress";
import { useRefreshDetail } from "./use-refresh-detail";

const POLL_MS = 500;

export function ChannelActions() {
  const channel = useChannelStore((s) => s.detail.channel);
  const job = useChannelStore((s) => s.job);
  const store = useChannelStoreApi();
  const refresh = useRefreshDetail();
  const router = useRouter();
  const [error, setError] = useState<ApiErrorData | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [message, setMessage] = useState("");
  const path = `/channels/${seg(channel.channel_url)}`;

  async function attempt(action: () => Promise<void>) {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(toApiErrorData(e));
    }
  }

  const sendAdminMessage = () =>
    attempt(async () => {
      await callApi(chatPath(`${path}/messages`), { method: "POST", body: { type: "ADMM", message } });
      setMessage("");
      await refresh();
    });

  const migrate = () =>
    attempt(async () => {
      let current = await callApi(adminPath(`${path}/migrate`), { method: "POST" }, MigrationJob);
      store.getState().setJob(current);
      while (current.state === "running") {
        await new Promise((r) => setTimeout(r, POLL_MS));
        current = await callApi(adminPath(`/migrations/${seg(current.id)}`), {}, MigrationJob);
        store.getState().setJob(current);
      }
      await refresh();
    });

  const remove = () =>
    attempt(async () => {
      setConfirmDelete(false);
      await callApi(chatPath(path), { method: "DELETE" });
      router.push("/channels");
      router.refresh();
    });

  return (
    <section className="card" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <ErrorBanner error={error} />
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void sendAdminMessage();
        }}
      >
        <label style={{ flex: 1 }}>
          Admin message
          <input value={message} onChange={(e) => setMessage(e.target.value)} />
        </label>
        <button type="submit">Send admin message</button>
      </form>
      <div className="inline" style={{ display: "flex", gap: "0.5rem", marginTop: "0.75rem" }}>
        <button
          type="button"
          onClick={migrate}
          disabled={channel.provider === "websocket" || job?.state === "running"}
        >
          Migrate to WebSocket
        </button>
        <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
          Delete channel
        </button>
      </div>
      {job ? <MigrationProgress job={job} /> : null}
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${channel.channel_url}?`}
        confirmLabel="Delete"
        onConfirm={remove}
        onCancel={() => setConfirmDelete(false)}
      >
        <p>
          The channel, its members and its history are deleted on its provider ({channel.provider}). This
          cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}
