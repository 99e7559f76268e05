import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { importSPKI, jwtVerify } from "jose";

/**
 * Emulator of FCM HTTP v1 and Google's OAuth2 token endpoint, local only, with the documented
 * shapes: `POST /token` (grant_type urn:ietf:params:oauth:grant-type:jwt-bearer, an RS256 JWT
 * assertion signed by the service account: iss = client_email, aud = the token URI, scope
 * firebase.messaging, exp ≤ 1 h) answers `{access_token, expires_in, token_type}`;
 * `POST /v1/projects/{project}/messages:send` with that bearer answers `{name}`, or the FCM error
 * body (404 NOT_FOUND with errorCode UNREGISTERED for a token the app no longer has).
 */
export class FcmEmulator {
  private server: Server | null = null;
  url = "";
  /** Accepted messages (the `message` object as sent). */
  readonly messages: Array<Record<string, unknown>> = [];
  /** Tokens answered 404 UNREGISTERED. */
  readonly unregistered = new Set<string>();
  readonly rejected: string[] = [];
  tokenRequests = 0;
  private readonly accessTokens = new Set<string>();

  constructor(readonly o: { projectId: string; clientEmail: string; publicKeyPem: string }) {}

  get tokenUri() {
    return `${this.url}/token`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => this.error(res, 500, "INTERNAL", err.message));
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private error(res: ServerResponse, code: number, status: string, message: string, errorCode?: string) {
    this.rejected.push(`${code} ${status} ${message}`);
    res.writeHead(code, { "content-type": "application/json" }).end(
      JSON.stringify({
        error: {
          code,
          message,
          status,
          ...(errorCode
            ? { details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode }] }
            : {}),
        },
      }),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    if (req.method === "POST" && req.url === "/token") {
      const form = new URLSearchParams(raw);
      if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "unsupported_grant_type", error_description: "Invalid grant_type" }));
        return;
      }
      try {
        const { payload } = await jwtVerify(
          form.get("assertion") ?? "",
          await importSPKI(this.o.publicKeyPem, "RS256"),
          {
            issuer: this.o.clientEmail,
            audience: this.tokenUri,
          },
        );
        if (!String(payload.scope).split(" ").includes("https://www.googleapis.com/auth/firebase.messaging"))
          throw new Error("scope lacks firebase.messaging");
        if (!payload.exp || !payload.iat || payload.exp - payload.iat > 3600)
          throw new Error("exp beyond 1 h");
      } catch (err) {
        this.rejected.push(`token: ${(err as Error).message}`);
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "invalid_grant", error_description: (err as Error).message }));
        return;
      }
      this.tokenRequests++;
      const access = `ya29.emulated-${randomUUID()}`;
      this.accessTokens.add(access);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ access_token: access, expires_in: 3599, token_type: "Bearer" }));
      return;
    }
    const m = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.url ?? "");
    if (req.method !== "POST" || !m) return this.error(res, 404, "NOT_FOUND", "no such method");
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!bearer || !this.accessTokens.has(bearer))
      return this.error(res, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
    if (m[1] !== this.o.projectId)
      return this.error(res, 403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH");
    let body: { message?: Record<string, unknown> };
    try {
      body = JSON.parse(raw);
    } catch {
      return this.error(res, 400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
    }
    const message = body.message;
    if (!message || typeof message.token !== "string")
      return this.error(
        res,
        400,
        "INVALID_ARGUMENT",
        "Request contains an invalid argument.",
        "INVALID_ARGUMENT",
      );
    const data = message.data as Record<string, unknown> | undefined;
    if (data && Object.values(data).some((v) => typeof v !== "string"))
      return this.error(res, 400, "INVALID_ARGUMENT", "data values must be strings", "INVALID_ARGUMENT");
    if (this.unregistered.has(message.token))
      return this.error(res, 404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED");
    this.messages.push(message);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ name: `projects/${m[1]}/messages/${randomUUID()}` }));
  }

  async close() {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
