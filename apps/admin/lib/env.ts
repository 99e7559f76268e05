/** The admin's environment, read in one place. */
export interface AdminEnv {
  /** Where the Next.js server reaches the podchat server (REST, SSE). */
  serverUrl: string;
  /** Where browsers reach the podchat server (the playground's socket); defaults to `serverUrl`. */
  publicServerUrl: string;
  /** Send the session cookie only over HTTPS. */
  secureCookies: boolean;
}

function baseUrl(value: string | undefined, fallback: string): string {
  const url = (value?.trim() || fallback).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(url)) throw new Error(`podchat admin: "${url}" is not an http(s) URL`);
  return url;
}

export function readEnv(source: Record<string, string | undefined> = process.env): AdminEnv {
  const serverUrl = baseUrl(source.PODCHAT_SERVER_URL, "http://localhost:8000");
  return {
    serverUrl,
    publicServerUrl: baseUrl(source.PODCHAT_PUBLIC_URL, serverUrl),
    secureCookies: source.ADMIN_SECURE_COOKIES === "true",
  };
}

export const env: AdminEnv = readEnv();
