"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { callApi, chatPath } from "@/lib/client-api";
import { parseUserIds } from "@/lib/user-ids";

/** Creates a channel through the chat API: it lands on the provider the flag says. */
export function CreateChannelForm() {
  const router = useRouter();
  const [error, setError] = useState<ApiErrorData | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(form: FormData) {
    setBusy(true);
    setError(null);
    const channelUrl = String(form.get("channel_url") ?? "").trim();
    try {
      await callApi(chatPath("/channels"), {
        method: "POST",
        body: {
          channel_url: channelUrl,
          name: String(form.get("name") ?? "").trim() || channelUrl,
          user_ids: parseUserIds(String(form.get("user_ids") ?? "")),
          data: {},
        },
      });
      router.push(`/channels/${encodeURIComponent(channelUrl)}`);
    } catch (e) {
      setError(toApiErrorData(e));
      setBusy(false);
    }
  }

  return (
    <div className="card">
      <ErrorBanner error={error} />
      <form className="inline" action={submit} aria-label="New channel">
        <label>
          Channel URL
          <input name="channel_url" required placeholder="pod_123_chat" />
        </label>
        <label>
          Name
          <input name="name" placeholder="optional" />
        </label>
        <label>
          Member ids
          <input name="user_ids" placeholder="1, 2, 3" />
        </label>
        <button type="submit" disabled={busy}>
          Create channel
        </button>
      </form>
    </div>
  );
}
