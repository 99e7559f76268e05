"use client";
import type { PodchatClient } from "@podchat/client-sdk";
import { PodchatProvider } from "@podchat/client-sdk/react";
import { useEffect, useState } from "react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { ChatPanel } from "./chat-panel";
import { mintToken } from "./mint-token";
import { createPlaygroundClient } from "./use-chat";

interface Session {
  userId: string;
  channelUrl: string;
  client: PodchatClient;
  /** The user's current token (replaced when the SDK asks for a fresh one). */
  token: string;
}

/** Pick a user and a channel, then chat as that user. */
export function Playground({ serverUrl }: { serverUrl: string }) {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<ApiErrorData | null>(null);
  const [busy, setBusy] = useState(false);

  const client = session?.client;
  useEffect(() => () => client?.close(), [client]);

  async function connect(form: FormData) {
    const userId = String(form.get("user_id") ?? "").trim();
    const channelUrl = String(form.get("channel_url") ?? "").trim();
    setError(null);
    setBusy(true);
    try {
      const token = await mintToken(userId);
      const client = createPlaygroundClient(serverUrl, token, async () => {
        const fresh = await mintToken(userId);
        setSession((s) => (s?.client === client ? { ...s, token: fresh } : s));
        return fresh;
      });
      setSession({ userId, channelUrl, client, token });
    } catch (e) {
      setError(toApiErrorData(e));
    } finally {
      setBusy(false);
    }
  }

  if (session) {
    return (
      <PodchatProvider client={session.client}>
        <ChatPanel
          userId={session.userId}
          channelUrl={session.channelUrl}
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
