"use client";
import { useEffect, useState } from "react";
import { type ApiErrorData, toApiErrorData } from "@/lib/api-error";
import { mintToken } from "./mint-token";

/** A playground user: their SDK client, their current token and what the form chose. */
export interface UserSession<C, X> {
  userId: string;
  client: C;
  /** The user's current token (replaced when the SDK asks for a fresh one). */
  token: string;
  extra: X;
}

/**
 * Signs a user in the way both playgrounds do: mints a token through the admin API, makes the
 * client with a `getToken` that mints a fresh one (and keeps it for the page), closes the client
 * when the session ends or is replaced.
 */
export function useUserSession<C extends { close(): void }, X>(
  make: (token: string, getToken: () => Promise<string>) => C,
) {
  const [session, setSession] = useState<UserSession<C, X> | null>(null);
  const [error, setError] = useState<ApiErrorData | null>(null);
  const [busy, setBusy] = useState(false);

  const client = session?.client;
  useEffect(() => () => client?.close(), [client]);

  async function start(userId: string, extra: X) {
    setError(null);
    setBusy(true);
    try {
      const token = await mintToken(userId);
      const client: C = make(token, async () => {
        const fresh = await mintToken(userId);
        setSession((s) => (s?.client === client ? { ...s, token: fresh } : s));
        return fresh;
      });
      setSession({ userId, client, token, extra });
    } catch (e) {
      setError(toApiErrorData(e));
    } finally {
      setBusy(false);
    }
  }

  return { session, error, busy, start, leave: () => setSession(null) };
}
