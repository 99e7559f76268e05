import { createDecipheriv, createECDH, hkdfSync, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";

/**
 * Emulator of a Web Push service's receiving side (RFC 8030 §5 push message delivery), local only.
 * It makes subscriptions as a browser would (a P-256 key pair and a 16-byte auth secret), checks
 * each push's VAPID authorization (RFC 8292: `vapid t=<JWT>, k=<key>`, ES256, `aud` = the
 * endpoint's origin, `exp` within 24 h), requires `TTL` and `Content-Encoding: aes128gcm`, and
 * decrypts the body with the subscription's private keys (RFC 8291 over RFC 8188). A push with
 * the `Topic` of one still undelivered replaces it (RFC 8030 §5.4). Answers 201 with a Location.
 */

export interface EmulatedSubscription {
  id: string;
  /** What `PushSubscription.toJSON()` gives a page. */
  json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  /** Pushes received, decrypted, in arrival order (a replaced one is gone). */
  received: ReceivedPush[];
  /** Pushes accepted, replaced ones included. */
  accepted: number;
  /** Answer this status instead of accepting (e.g. 410: the subscription expired). */
  status?: number;
}

export interface ReceivedPush {
  plaintext: string;
  ttl: number;
  topic: string | null;
  urgency: string | null;
  vapidSubject: string;
}

interface Keys {
  ecdh: ReturnType<typeof createECDH>;
  publicKey: Buffer;
  auth: Buffer;
}

const b64 = (b: Buffer) => b.toString("base64url");

/** RFC 8291 §3.4 key derivation, then RFC 8188 record decryption (aes128gcm). */
export function decryptAes128gcm(
  body: Buffer,
  keys: { ecdh: Keys["ecdh"]; publicKey: Buffer; auth: Buffer },
): Buffer {
  if (body.length < 21) throw new Error("aes128gcm: body shorter than its header");
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  if (idlen !== 65) throw new Error("aes128gcm: keyid is not an uncompressed P-256 key");
  if (rs < 18) throw new Error("aes128gcm: record size too small");
  const ecdhSecret = keys.ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), keys.publicKey, asPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", ecdhSecret, keys.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const records = body.subarray(21 + idlen);
  const out: Buffer[] = [];
  for (let i = 0, seq = 0; i < records.length; i += rs, seq++) {
    const record = records.subarray(i, Math.min(i + rs, records.length));
    const iv = Buffer.from(nonce);
    // The record sequence number XORs into the nonce's low bytes (seq stays below 2^32 here).
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ seq) >>> 0, 8);
    const decipher = createDecipheriv("aes-128-gcm", cek, iv);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    // Padding: the delimiter (2 = last record, 1 = other) followed by zeros.
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    const last = i + rs >= records.length;
    if (end < 0 || plain[end] !== (last ? 2 : 1)) throw new Error("aes128gcm: bad padding delimiter");
    out.push(plain.subarray(0, end));
  }
  return Buffer.concat(out);
}

export class WebPushEmulator {
  private server: Server | null = null;
  url = "";
  readonly subscriptions = new Map<string, EmulatedSubscription>();
  private readonly keys = new Map<string, Keys>();
  /** Requests refused, with the reason (tests assert none). */
  readonly rejected: string[] = [];
  private waiters: Array<() => void> = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        this.reject(res, 500, err.message);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** A new subscription, as `pushManager.subscribe()` gives a page. */
  subscribe(): EmulatedSubscription {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const publicKey = ecdh.getPublicKey();
    const auth = randomBytes(16);
    const id = randomUUID();
    this.keys.set(id, { ecdh, publicKey, auth });
    const sub: EmulatedSubscription = {
      id,
      json: {
        endpoint: `${this.url}/push/${id}`,
        expirationTime: null,
        keys: { p256dh: b64(publicKey), auth: b64(auth) },
      },
      received: [],
      accepted: 0,
    };
    this.subscriptions.set(id, sub);
    return sub;
  }

  /** Resolves once `pred` holds (checked after each push), or rejects after `ms`. */
  async until(pred: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error("web push emulator: condition not met in time");
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  private reject(res: ServerResponse, status: number, reason: string) {
    this.rejected.push(`${status} ${reason}`);
    res.writeHead(status, { "content-type": "text/plain" }).end(reason);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const m = /^\/push\/([0-9a-f-]+)$/.exec(req.url ?? "");
    if (req.method !== "POST" || !m) return this.reject(res, 404, "no such push resource");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const sub = this.subscriptions.get(m[1]!);
    const keys = this.keys.get(m[1]!);
    if (!sub || !keys) return this.reject(res, 404, "no such subscription");
    if (sub.status) {
      res.writeHead(sub.status).end();
      return;
    }
    const ttl = req.headers.ttl;
    if (ttl === undefined || !/^\d+$/.test(String(ttl))) return this.reject(res, 400, "TTL header required");
    if (req.headers["content-encoding"] !== "aes128gcm")
      return this.reject(res, 415, "Content-Encoding must be aes128gcm");
    // RFC 8292 §3: Authorization: vapid t=<jwt>, k=<p256 public key, base64url>
    const auth = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? "");
    if (!auth) return this.reject(res, 401, "Authorization: vapid t=…, k=… required");
    const k = Buffer.from(auth[2]!, "base64url");
    if (k.length !== 65 || k[0] !== 4) return this.reject(res, 401, "k is not an uncompressed P-256 key");
    const jwk = { kty: "EC", crv: "P-256", x: b64(k.subarray(1, 33)), y: b64(k.subarray(33)) };
    let subject = "";
    try {
      if (decodeProtectedHeader(auth[1]!).alg !== "ES256") throw new Error("alg must be ES256");
      const { payload } = await jwtVerify(auth[1]!, await importJWK(jwk, "ES256"), { audience: this.url });
      if (!payload.exp || payload.exp > Date.now() / 1000 + 24 * 3600) throw new Error("exp beyond 24 h");
      subject = String(payload.sub ?? "");
      if (!/^(mailto:|https:)/.test(subject)) throw new Error("sub must be mailto: or https:");
    } catch (err) {
      return this.reject(res, 403, `VAPID: ${(err as Error).message}`);
    }
    let plaintext: string;
    try {
      plaintext = decryptAes128gcm(body, keys).toString("utf8");
    } catch (err) {
      return this.reject(res, 400, `decryption failed: ${(err as Error).message}`);
    }
    const topic = typeof req.headers.topic === "string" ? req.headers.topic : null;
    // Nothing is "delivered" to a device here, so a push with a topic replaces the earlier one.
    if (topic) sub.received = sub.received.filter((p) => p.topic !== topic);
    sub.received.push({
      plaintext,
      ttl: Number(ttl),
      topic,
      urgency: typeof req.headers.urgency === "string" ? req.headers.urgency : null,
      vapidSubject: subject,
    });
    sub.accepted++;
    res.writeHead(201, { location: `${this.url}/message/${randomUUID()}` }).end();
    for (const w of this.waiters.splice(0)) w();
  }

  async close() {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
