import { randomUUID } from "node:crypto";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { decodeProtectedHeader, importSPKI, jwtVerify } from "jose";

/**
 * Emulator of the APNs provider API (token auth), local only, over HTTP/2 cleartext (h2c):
 * `POST /3/device/{token}` with `authorization: bearer <ES256 JWT>` (header kid = key id, iss =
 * team id, iat within the last hour), `apns-topic` and `apns-push-type`. Answers 200 with an
 * `apns-id`, or Apple's error shapes: `{"reason": "..."}` with 400 (BadDeviceToken,
 * MissingTopic, PayloadTooLarge is 413), 403 (InvalidProviderToken, ExpiredProviderToken) and
 * 410 Unregistered with a `timestamp`.
 */
export class ApnsEmulator {
  private server: http2.Http2Server | null = null;
  url = "";
  readonly notifications: Array<{
    token: string;
    headers: Record<string, string>;
    body: Record<string, unknown>;
  }> = [];
  /** Tokens answered 410 Unregistered. */
  readonly unregistered = new Set<string>();
  readonly rejected: string[] = [];

  constructor(readonly o: { keyId: string; teamId: string; publicKeyPem: string }) {}

  async start(): Promise<this> {
    this.server = http2.createServer();
    this.server.on("stream", (stream, headers) => {
      let raw = "";
      stream.setEncoding("utf8");
      stream.on("data", (c: string) => {
        raw += c;
      });
      stream.on("end", () => {
        this.handle(headers, raw).then(
          ({ status, body, id }) => {
            stream.respond({
              ":status": status,
              "apns-id": id,
              ...(body ? { "content-type": "application/json" } : {}),
            });
            stream.end(body ? JSON.stringify(body) : undefined);
          },
          () => {
            stream.respond({ ":status": 500 });
            stream.end(JSON.stringify({ reason: "InternalServerError" }));
          },
        );
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private async handle(
    h: http2.IncomingHttpHeaders,
    raw: string,
  ): Promise<{ status: number; body?: Record<string, unknown>; id: string }> {
    const id = String(h["apns-id"] ?? randomUUID());
    const fail = (status: number, reason: string, extra: Record<string, unknown> = {}) => {
      this.rejected.push(`${status} ${reason}`);
      return { status, body: { reason, ...extra }, id };
    };
    const m = /^\/3\/device\/([^/?]+)$/.exec(String(h[":path"]));
    if (h[":method"] !== "POST") return fail(405, "MethodNotAllowed");
    if (!m) return fail(404, "BadPath");
    const token = decodeURIComponent(m[1]!);
    const jwt = /^bearer (.+)$/.exec(String(h.authorization ?? ""))?.[1];
    if (!jwt) return fail(403, "MissingProviderToken");
    try {
      const header = decodeProtectedHeader(jwt);
      if (header.alg !== "ES256" || header.kid !== this.o.keyId) throw new Error("kid");
      const { payload } = await jwtVerify(jwt, await importSPKI(this.o.publicKeyPem, "ES256"), {
        issuer: this.o.teamId,
      });
      if (!payload.iat) throw new Error("iat");
      if (Date.now() / 1000 - payload.iat > 3600) return fail(403, "ExpiredProviderToken");
    } catch {
      return fail(403, "InvalidProviderToken");
    }
    if (!h["apns-topic"]) return fail(400, "MissingTopic");
    if (h["apns-push-type"] && !["alert", "background", "voip"].includes(String(h["apns-push-type"])))
      return fail(400, "InvalidPushType");
    if (String(h["apns-collapse-id"] ?? "").length > 64) return fail(400, "BadCollapseId");
    if (!/^[0-9a-fA-F]{64,200}$/.test(token)) return fail(400, "BadDeviceToken");
    if (Buffer.byteLength(raw) > 4096) return fail(413, "PayloadTooLarge");
    if (this.unregistered.has(token)) return fail(410, "Unregistered", { timestamp: Date.now() });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw);
    } catch {
      return fail(400, "PayloadEmpty");
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) if (!k.startsWith(":")) headers[k] = String(v);
    this.notifications.push({ token, headers, body });
    return { status: 200, id };
  }

  async close() {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
