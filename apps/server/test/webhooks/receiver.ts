import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  contentType: string;
  body: string;
  event: Record<string, unknown> & {
    id: string;
    type: string;
    channel_url: string;
    data: Record<string, unknown>;
  };
  /** Whether the signature checks out the way docs/webhooks.md tells a receiver to check it. */
  verified: boolean;
}

/**
 * The check docs/webhooks.md shows a receiver (kept the same here on purpose: if the docs'
 * snippet is wrong, this is too, and the tests fail).
 */
export function verifyLikeTheDocs(secret: string, req: IncomingMessage, rawBody: string): boolean {
  const ts = String(req.headers["podchat-webhook-timestamp"] ?? "");
  const sig = String(req.headers["podchat-webhook-signature"] ?? "");
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false; // replay window: 5 minutes
  const expected = `v1=${createHmac("sha256", secret).update(`${ts}.${rawBody}`).digest("hex")}`;
  return sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
}

/** What the receiver answers a request: a status, or "hang" (never answers). */
export type Behaviour = (r: Received, nth: number) => number | "hang";

/** A real HTTP receiver on 127.0.0.1:0 that records every request (verified or not). */
export class Receiver {
  readonly requests: Received[] = [];
  behaviour: Behaviour = () => 200;
  private server: Server | null = null;
  private readonly hanging = new Set<ServerResponse>();
  url = "";

  constructor(private readonly secret: string) {}

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const r: Received = {
          id: String(req.headers["podchat-webhook-id"] ?? ""),
          timestamp: String(req.headers["podchat-webhook-timestamp"] ?? ""),
          signature: String(req.headers["podchat-webhook-signature"] ?? ""),
          contentType: String(req.headers["content-type"] ?? ""),
          body,
          event: JSON.parse(body) as Received["event"],
          verified: verifyLikeTheDocs(this.secret, req, body),
        };
        this.requests.push(r);
        const answer = this.behaviour(r, this.requests.length);
        if (answer === "hang") {
          this.hanging.add(res);
          return;
        }
        res.writeHead(answer, { "content-type": "text/plain" }).end(answer < 300 ? "ok" : "nope");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  /** Events (first arrival of each id), of a type when given. */
  events(type?: string) {
    const seen = new Set<string>();
    return this.requests.filter((r) => {
      if (seen.has(r.id) || (type && r.event.type !== type)) return false;
      seen.add(r.id);
      return true;
    });
  }

  /** Requests received and not answered yet. */
  get hangingCount(): number {
    return this.hanging.size;
  }

  releaseHanging(status = 200) {
    for (const res of this.hanging) res.writeHead(status).end();
    this.hanging.clear();
  }

  async close() {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

export const SECRET = "whsec_test_0123456789abcdef";

/** Config overrides with one endpoint at `url` and fast retries (tests only). */
export function webhookOverrides(url: string, extra: Record<string, unknown> & { events?: string[] } = {}) {
  const { events = ["*"], ...settings } = extra;
  return {
    webhooks: {
      endpoints: [{ id: "backend", url, secret: SECRET, events }],
      poll_ms: 20,
      backoff_base_ms: 20,
      backoff_max_ms: 100,
      max_attempts: 5,
      timeout_ms: 2000,
      ...settings,
    },
  };
}
