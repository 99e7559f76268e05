import http2 from "node:http2";
import { importPKCS8, SignJWT } from "jose";
import type { PushProvider } from "./push-provider.ts";
import { failure } from "./push-provider.ts";

export interface ApnsOptions {
  keyId: string;
  teamId: string;
  /** The .p8 signing key (PEM, ES256). */
  privateKey: string;
  /** Default apns-topic (the bundle id). */
  topic?: string;
  /** https://api.push.apple.com, or an emulator's http:// (h2c) URL. */
  baseUrl: string;
}

/** Apple allows refreshing the provider token at most every 20 minutes; it is valid for an hour. */
const TOKEN_MS = 40 * 60_000;

/**
 * APNs with token auth: an ES256 provider token (kid = key id, iss = team id) on an HTTP/2
 * connection, `POST /3/device/{token}`. 410 (Unregistered) or 400 BadDeviceToken: the token is gone.
 */
export function createApnsProvider(o: ApnsOptions): PushProvider {
  let session: http2.ClientHttp2Session | null = null;
  let provider: { token: string; at: number } | null = null;
  let key: Promise<CryptoKey> | null = null;

  async function providerToken(): Promise<string> {
    if (provider && Date.now() - provider.at < TOKEN_MS) return provider.token;
    key ??= importPKCS8(o.privateKey.replace(/\\n/g, "\n"), "ES256");
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: o.keyId })
      .setIssuer(o.teamId)
      .setIssuedAt()
      .sign(await key);
    provider = { token, at: Date.now() };
    return token;
  }

  function connection(): http2.ClientHttp2Session {
    if (session && !session.closed && !session.destroyed) return session;
    const s = http2.connect(o.baseUrl);
    s.on("error", () => {});
    s.on("close", () => {
      if (session === s) session = null;
    });
    s.unref();
    session = s;
    return s;
  }

  return {
    kind: "apns",
    async send(device, n, signal) {
      try {
        const topic = device.topic ?? o.topic;
        if (!topic) return { ok: false, gone: false, status: null, error: "no apns topic (push.apns.topic)" };
        const body = JSON.stringify({
          aps: {
            alert: { title: n.payload.title, body: n.payload.body },
            "thread-id": n.payload.channel_url,
            sound: "default",
          },
          podchat: n.payload,
        });
        const headers = {
          ":method": "POST",
          ":path": `/3/device/${encodeURIComponent(device.address)}`,
          authorization: `bearer ${await providerToken()}`,
          "apns-topic": topic,
          "apns-push-type": "alert",
          "apns-priority": "10",
          "apns-expiration": String(Math.floor(Date.now() / 1000) + n.ttlS),
          "apns-collapse-id": n.collapseKey,
          "content-type": "application/json",
        };
        const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = connection().request(headers, { signal });
          let status = 0;
          let text = "";
          req.setEncoding("utf8");
          req.on("response", (h) => {
            status = Number(h[":status"]);
          });
          req.on("data", (chunk: string) => {
            if (text.length < 2048) text += chunk;
          });
          req.on("end", () => resolve({ status, text }));
          req.on("error", reject);
          req.end(body);
        });
        if (status === 200) return { ok: true, status };
        let reason = "";
        try {
          reason = (JSON.parse(text) as { reason?: string }).reason ?? "";
        } catch {}
        if (reason === "ExpiredProviderToken") provider = null;
        return {
          ok: false,
          gone: status === 410 || reason === "BadDeviceToken" || reason === "Unregistered",
          status,
          error: `HTTP ${status}${reason ? `: ${reason}` : ""}`,
        };
      } catch (err) {
        return failure(err, signal);
      }
    },
    async close() {
      const s = session;
      session = null;
      if (s && !s.closed) await new Promise<void>((r) => s.close(() => r()));
    },
  };
}
