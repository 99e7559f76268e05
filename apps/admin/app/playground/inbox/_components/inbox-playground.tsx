"use client";
import { createInboxClient, type PodchatInboxClient } from "@podchat/client-sdk/inbox";
import { PodchatProvider } from "@podchat/client-sdk/inbox/react";
import { useEffect, useState } from "react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { mintToken } from "../../_components/mint-token";
import { InboxView } from "./inbox-view";

interface Session {
  userId: string;
  pageSize: number;
  client: PodchatInboxClient;
  /** The user's current token (replaced when the SDK asks for a fresh one). */
  token: string;
}

const DEFAULT_PAGE_SIZE = 20;

/** Pick a user, then see their channel list live and chat in any of it, all on one socket. */
export function InboxPlayground({ serverUrl }: { serverUrl: string }) {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<ApiErrorData | null>(null);
  const [busy, setBusy] = useState(false);

  const client = session?.client;
  useEffect(() => () => client?.close(), [client]);

  async function connect(form: FormData) {
    const userId = String(form.get("user_id") ?? "").trim();
    const pageSize = Number(form.get("page_size") ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE;
    setError(null);
    setBusy(true);
    try {
      const token = await mintToken(userId);
      const client = createInboxClient({
        url: serverUrl,
        token,
        getToken: async () => {
          const fresh = await mintToken(userId);
          setSession((s) => (s?.client === client ? { ...s, token: fresh } : s));
          return fresh;
        },
        // A playground should come back quickly after a drop: cap the backoff at 5 s instead of 20 s.
        reconnect: { maxDelayMs: 5_000 },
      });
      setSession({ userId, pageSize, client, token });
    } catch (e) {
      setError(toApiErrorData(e));
    } finally {
      setBusy(false);
    }
  }

  if (session) {
    return (
      <PodchatProvider client={session.client}>
        <InboxView
          userId={session.userId}
          pageSize={session.pageSize}
          serverUrl={serverUrl}
          token={session.token}
          onLeave={() => setSession(null)}
        />
      </PodchatProvider>
    );
  }
  return (
    <section className="card">
      <ErrorBanner error={error} />
      <form className="inline" action={connect} aria-label="Open an inbox">
        <label>
          User id
          <input name="user_id" required />
        </label>
        <label>
          Page size
          <input name="page_size" type="number" min={1} max={100} defaultValue={DEFAULT_PAGE_SIZE} />
        </label>
        <button type="submit" disabled={busy}>
          Connect
        </button>
      </form>
    </section>
  );
}
