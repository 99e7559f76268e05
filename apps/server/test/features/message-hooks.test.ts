// Pre-store message hooks on a real server: REST and socket sends, edits, the built-in filters and
// an HTTP hook to a real local receiver (accept, reject, rewrite, time-out with both policies).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhook } from "../../src/webhooks/signature.ts";
import { connect, createChannel, startServer, type TestServer, type TestSocket } from "../harness.ts";
import { subscribe, userSocket } from "../inbox/support.ts";

const SECRET = "hook-secret-0123456789";

/** A local backend answering the hook: `answer` decides per request (`"hang"` never answers). */
class HookBackend {
  server: Server | null = null;
  url = "";
  requests: Array<{ body: Record<string, unknown>; verified: boolean }> = [];
  answer: (body: Record<string, unknown>) => unknown = () => ({ action: "accept" });
  async start() {
    this.server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => {
        const body = JSON.parse(raw) as Record<string, unknown>;
        const verified = verifyWebhook(
          SECRET,
          {
            timestamp: String(req.headers["podchat-webhook-timestamp"]),
            signature: String(req.headers["podchat-webhook-signature"]),
          },
          raw,
        );
        this.requests.push({ body, verified });
        const a = this.answer(body);
        if (a === "hang") return;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(a));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }
  close() {
    this.server?.closeAllConnections();
    return new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const servers: TestServer[] = [];
const sockets: TestSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const t of servers.splice(0)) await t.close();
});

async function serverWith(hooks: unknown[]) {
  const t = await startServer({ overrides: { messages: { hooks } } });
  servers.push(t);
  return t;
}

const send = (t: TestServer, url: string, message: string, extra: Record<string, unknown> = {}) =>
  t.api(`/api/v1/chat/channels/${url}/messages`, {
    method: "POST",
    json: { user_id: "1", message, ...extra },
  });

async function history(t: TestServer, url: string): Promise<Array<{ seq: number; message: string }>> {
  const res = await t.api(`/api/v1/chat/channels/${url}/messages?limit=100`);
  return ((await res.json()) as { messages: Array<{ seq: number; message: string }> }).messages;
}

describe("built-in filters", () => {
  it("a rejected message is 422 MESSAGE_REJECTED over REST and ERROR over the socket; nothing is stored, no seq taken", async () => {
    const t = await serverWith([{ kind: "profanity", languages: ["en", "ko"], action: "reject" }]);
    await createChannel(t, "hk_rej", ["1", "2"]);
    expect((await send(t, "hk_rej", "hello")).status).toBe(201);
    const res = await send(t, "hk_rej", "what the fuck");
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("MESSAGE_REJECTED");
    // Korean inside a sentence, spaced out: caught (substring match).
    expect((await send(t, "hk_rej", "아니 진짜 시 발 뭐야")).status).toBe(422);
    // Not a word on its own: "Scunthorpe", "shitake" pass the English word match.
    expect((await send(t, "hk_rej", "Scunthorpe shitake")).status).toBe(201);

    const s = await connect(t, "hk_rej", "1");
    sockets.push(s);
    s.send({ type: "MESG", message: "you bitch", req_id: "r-bad" });
    const err = await s.type("ERROR");
    expect(err).toMatchObject({ code: "MESSAGE_REJECTED", req_id: "r-bad" });
    expect(String(err.message)).toMatch(/rejected/);
    s.send({ type: "MESG", message: "fine now", req_id: "r-ok" });
    expect(await s.type("ACK")).toMatchObject({ req_id: "r-ok", seq: 3 });
    expect((await history(t, "hk_rej")).map((m) => [m.seq, m.message])).toEqual([
      [1, "hello"],
      [2, "Scunthorpe shitake"],
      [3, "fine now"],
    ]);
  });

  it("the user connection gets the same ERROR MESSAGE_REJECTED (with req_id and channel), the socket stays", async () => {
    const t = await serverWith([{ kind: "profanity", languages: ["ko"], action: "reject" }]);
    await createChannel(t, "hk_user", ["1"]);
    const { s } = await userSocket(t, "1");
    sockets.push(s);
    expect((await subscribe(s, "hk_user")).type).toBe("SUBSCRIBED");
    s.send({ type: "MESG", channel_url: "hk_user", message: "이 개새끼야", req_id: "u-bad" });
    const err = await s.next((f) => f.type === "ERROR");
    expect(err).toMatchObject({ code: "MESSAGE_REJECTED", req_id: "u-bad", channel_url: "hk_user" });
    s.send({ type: "MESG", channel_url: "hk_user", message: "고마워요", req_id: "u-ok" });
    expect(await s.next((f) => f.type === "ACK")).toMatchObject({ req_id: "u-ok", seq: 1 });
  });

  it("mask stores and delivers the rewritten text (REST answer, socket delivery, edits)", async () => {
    const t = await serverWith([{ kind: "profanity", action: "mask", extra_words: { en: ["darn"] } }]);
    await createChannel(t, "hk_mask", ["1", "2"]);
    const watcher = await connect(t, "hk_mask", "2");
    sockets.push(watcher);
    const res = await send(t, "hk_mask", "oh shit, 씨발 darn it");
    expect(res.status).toBe(201);
    expect(((await res.json()) as { message: string }).message).toBe("oh ****, ** **** it");
    const delivered = await watcher.next((f) => f.type === "MESG");
    expect(delivered.message).toBe("oh ****, ** **** it");
    // Over the socket, the sender's ACK carries the stored text (only when it was rewritten).
    const sender = await connect(t, "hk_mask", "1");
    sockets.push(sender);
    sender.send({ type: "MESG", message: "no shit", req_id: "m1" });
    expect(await sender.type("ACK")).toMatchObject({ req_id: "m1", seq: 2, message: "no ****" });
    sender.send({ type: "MESG", message: "clean", req_id: "m2" });
    expect(await sender.type("ACK")).not.toHaveProperty("message");
    const edit = await t.api("/api/v1/chat/channels/hk_mask/messages/1", {
      method: "PATCH",
      json: { user_id: "1", message: "edited: 병신" },
    });
    expect(edit.status).toBe(200);
    expect((await history(t, "hk_mask"))[0]!.message).toBe("edited: **");
  });

  it("links: reject, or allow listed domains (and subdomains) only", async () => {
    const t = await serverWith([{ kind: "links", action: "allow_domains", domains: ["example.com"] }]);
    await createChannel(t, "hk_links", ["1"]);
    expect((await send(t, "hk_links", "see https://docs.example.com/a?b")).status).toBe(201);
    expect((await send(t, "hk_links", "see example.com")).status).toBe(201);
    expect((await send(t, "hk_links", "go to https://evil.example.net/x")).status).toBe(422);
    expect((await send(t, "hk_links", "go to evil.io now")).status).toBe(422);
    expect((await send(t, "hk_links", "a sentence. Another one")).status).toBe(201);
    // A FILE caption goes through the chain too.
    const file = { url: "https://cdn.example.org/f.png", name: "f.png", size: 1, mime_type: "image/png" };
    const image = await send(t, "hk_links", "caption www.spam.co", { type: "IMAGE", file });
    expect(image.status).toBe(422);
    expect(((await image.json()) as { error: { code: string } }).error.code).toBe("MESSAGE_REJECTED");
    expect((await history(t, "hk_links")).map((m) => m.seq)).toEqual([1, 2, 3]);
  });
});

describe("http hook", () => {
  let backend: HookBackend;
  beforeAll(async () => {
    backend = await new HookBackend().start();
  });
  afterAll(() => backend.close());

  const hook = (extra: Record<string, unknown> = {}) => ({
    kind: "http",
    url: backend.url,
    secret: SECRET,
    timeout_ms: 300,
    ...extra,
  });

  it("accept, reject (with its reason) and rewrite; the request is signed like a webhook", async () => {
    const t = await serverWith([hook()]);
    await createChannel(t, "hk_http", ["1"]);
    backend.requests = [];
    backend.answer = (b) =>
      b.message === "no"
        ? { action: "reject", reason: "not today" }
        : b.message === "shout"
          ? { action: "rewrite", message: "SHOUT" }
          : { action: "accept" };
    expect((await send(t, "hk_http", "hello", { custom_type: "greet", data: { a: 1 } })).status).toBe(201);
    const rej = await send(t, "hk_http", "no");
    expect(rej.status).toBe(422);
    expect(((await rej.json()) as { error: { message: string } }).error.message).toContain("not today");
    const rw = await send(t, "hk_http", "shout");
    expect(((await rw.json()) as { message: string; seq: number }).message).toBe("SHOUT");
    expect((await history(t, "hk_http")).map((m) => [m.seq, m.message])).toEqual([
      [1, "hello"],
      [2, "SHOUT"],
    ]);
    expect(backend.requests[0]).toEqual({
      verified: true,
      body: {
        channel_url: "hk_http",
        user_id: "1",
        message: "hello",
        custom_type: "greet",
        data: { a: 1 },
        kind: "send",
      },
    });
  });

  it("a time-out or a bad answer follows on_failure: accept (fail open) or reject (fail closed)", async () => {
    backend.answer = (b) => (b.message === "slow" ? "hang" : { action: "maybe" });
    const open = await serverWith([hook({ on_failure: "accept" })]);
    await createChannel(open, "hk_open", ["1"]);
    expect((await send(open, "hk_open", "slow")).status).toBe(201);
    expect((await send(open, "hk_open", "invalid answer")).status).toBe(201);

    const closed = await serverWith([hook({ on_failure: "reject" })]);
    await createChannel(closed, "hk_closed", ["1"]);
    const res = await send(closed, "hk_closed", "slow");
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("MESSAGE_REJECTED");
    expect((await send(closed, "hk_closed", "invalid answer")).status).toBe(422);
    expect(await history(closed, "hk_closed")).toEqual([]);
  });
});
