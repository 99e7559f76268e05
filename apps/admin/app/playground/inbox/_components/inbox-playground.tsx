"use client";
import { createInboxClient, type PodchatInboxClient } from "@podchat/client-sdk/inbox";
import { PodchatProvider } from "@podchat/client-sdk/inbox/react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { useUserSession } from "../../_components/use-user-session";
import { InboxView } from "./inbox-view";

const DEFAULT_PAGE_SIZE = 20;

/** Pick a user, then see their channel list live and chat in any of it, all on one socket. */
export function InboxPlayground({ serverUrl }: { serverUrl: string }) {
  const { session, error, busy, start, leave } = useUserSession<PodchatInboxClient, { pageSize: number }>(
    (token, getToken) =>
      createInboxClient({
        url: serverUrl,
        token,
        getToken,
        // A playground should come back quickly after a drop: cap the backoff at 5 s instead of 20 s.
        reconnect: { maxDelayMs: 5_000 },
      }),
  );

  async function connect(form: FormData) {
    const userId = String(form.get("user_id") ?? "").trim();
    const pageSize = Number(form.get("page_size") ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE;
    await start(userId, { pageSize });
  }

  if (session) {
    return (
      <PodchatProvider client={session.client}>
        <InboxView
          userId={session.userId}
          pageSize={session.extra.pageSize}
          serverUrl={serverUrl}
          token={session.token}
          onLeave={leave}
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
