import { importPKCS8, SignJWT } from "jose";
import type { PushProvider } from "./push-provider.ts";
import { bodyText, failure } from "./push-provider.ts";

export interface FcmOptions {
  projectId: string;
  clientEmail: string;
  /** The service account's PEM private key (RS256). */
  privateKey: string;
  tokenUri: string;
  baseUrl: string;
  fetch?: typeof fetch;
}

const SCOPE = "https://www.googleapis.com/auth/firebase.messaging";

/**
 * FCM HTTP v1: an OAuth2 access token from the service account (a signed JWT exchanged at the
 * token endpoint, cached until shortly before it expires), then
 * `POST /v1/projects/{id}/messages:send`. 404 or errorCode UNREGISTERED: the token is gone.
 */
export function createFcmProvider(o: FcmOptions): PushProvider {
  const send = o.fetch ?? fetch;
  let access: { token: string; until: number } | null = null;
  let key: Promise<CryptoKey> | null = null;

  async function accessToken(signal: AbortSignal): Promise<string> {
    if (access && access.until > Date.now()) return access.token;
    key ??= importPKCS8(o.privateKey.replace(/\\n/g, "\n"), "RS256");
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: "RS256", typ: "JWT" })
      .setIssuer(o.clientEmail)
      .setAudience(o.tokenUri)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(await key);
    const res = await send(o.tokenUri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
      signal,
    });
    if (!res.ok) throw new Error(`FCM token endpoint: HTTP ${res.status}: ${await bodyText(res, 200)}`);
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new Error("FCM token endpoint: no access_token in the answer");
    access = {
      token: body.access_token,
      until: Date.now() + Math.max(0, (body.expires_in ?? 3600) - 60) * 1000,
    };
    return access.token;
  }

  return {
    kind: "fcm",
    async send(device, n, signal) {
      try {
        const { title, body } = n.payload;
        const res = await send(
          `${o.baseUrl.replace(/\/$/, "")}/v1/projects/${encodeURIComponent(o.projectId)}/messages:send`,
          {
            method: "POST",
            headers: {
              authorization: `Bearer ${await accessToken(signal)}`,
              "content-type": "application/json",
            },
            body: JSON.stringify({
              message: {
                token: device.address,
                notification: { title, body },
                data: { podchat: JSON.stringify(n.payload) },
                android: { collapse_key: n.collapseKey, ttl: `${n.ttlS}s` },
                apns: { headers: { "apns-collapse-id": n.collapseKey } },
                webpush: { headers: { Topic: n.collapseKey, TTL: String(n.ttlS) } },
              },
            }),
            signal,
          },
        );
        if (res.ok) {
          await res.body?.cancel();
          return { ok: true, status: res.status };
        }
        if (res.status === 401) access = null;
        const text = await bodyText(res, 2048);
        return {
          ok: false,
          gone: res.status === 404 || text.includes('"UNREGISTERED"'),
          status: res.status,
          error: `HTTP ${res.status}: ${text.slice(0, 512)}`,
        };
      } catch (err) {
        return failure(err, signal);
      }
    },
  };
}
