"use client";
import type { PodchatClient } from "@podchat/client-sdk";
import { PodchatProvider } from "@podchat/client-sdk/react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { ChatPanel } from "./chat-panel";
import { createPlaygroundClient } from "./use-chat";
import { useUserSession } from "./use-user-session";

/** Pick a user and a channel, then chat as that user. */
export function Playground({ serverUrl }: { serverUrl: string }) {
  const { session, error, busy, start, leave } = useUserSession<PodchatClient, { channelUrl: string }>(
    (token, getToken) => createPlaygroundClient(serverUrl, token, getToken),
  );

  async function connect(form: FormData) {
    const userId = String(form.get("user_id") ?? "").trim();
    const channelUrl = String(form.get("channel_url") ?? "").trim();
    await start(userId, { channelUrl });
  }

  if (session) {
    return (
      <PodchatProvider client={session.client}>
        <ChatPanel
          userId={session.userId}
          channelUrl={session.extra.channelUrl}
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
      <form className="inline" action={connect} aria-label="Join a channel">
        <label>
          User id
          <input name="user_id" required />
        </label>
        <label>
          Channel URL
          <input name="channel_url" required />
        </label>
        <button type="submit" disabled={busy}>
          Connect
        </button>
      </form>
    </section>
  );
}
