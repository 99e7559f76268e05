import { connect as netConnect } from "node:net";
import { ClientFrame, ErrorCode } from "@podchat/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonProblem } from "../../src/http/json-guard.ts";
import {
  API_KEY,
  type TestServer,
  TestSocket,
  connect,
  createChannel,
  startServer,
  token,
} from "../harness.ts";
import { awaitFrame, history, historyProblems } from "./support.ts";

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
const MAX_DEPTH = 32;

/** A bystander pair that keeps chatting while the fuzz runs; `stop()` checks nothing was lost. */
async function startBystanders(t: TestServer, channel: string, sender: string, receiver: string) {
  const a = await connect(t, channel, sender);
  const b = await connect(t, channel, receiver);
  let sent = 0;
  const timer = setInterval(() => {
    a.send({ type: "MESG", message: `bystander-${sent++}` });
  }, 20);
  return {
    async stop() {
      clearInterval(timer);
      const want = sent;
      const seen = () => b.messages().filter((m) => String(m.message).startsWith("bystander-")).length;
      const deadline = Date.now() + 10_000;
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (seen() >= want) return resolve();
          if (Date.now() > deadline) return reject(new Error(`bystander saw ${seen()} of ${want}`));
          b.ws.once("message", check);
        };
        check();
      });
      const texts = b.messages().filter((m) => String(m.message).startsWith("bystander-"));
      expect(texts.map((m) => m.message)).toEqual(Array.from({ length: want }, (_, i) => `bystander-${i}`));
      expect(a.frames.filter((f) => f.type === "ERROR")).toEqual([]);
      expect(a.closeCode).toBeNull();
      expect(b.closeCode).toBeNull();
      a.close();
      b.close();
      return want;
    },
  };
}

type Wire = { text: string } | { binary: Uint8Array };

const anyText = fc.string({ unit: "binary", maxLength: 120 });
const jsonish = fc.jsonValue({ maxDepth: 3 });
const fieldValue = fc.oneof(jsonish, anyText);
const typeArb = fc.oneof(
  fc.constantFrom("MESG", "FILE", "IMAGE", "PING", "ACK", "ERROR", "CONNECTED", "mesg", "", "ADMM"),
  anyText,
);
const fileArb = fc.oneof(
  fc.record({
    url: fc.webUrl(),
    name: fc.string({ minLength: 1, maxLength: 20 }),
    size: fc.integer({ min: -5, max: 1_000_000 }),
    mime_type: fc.constantFrom("image/png", "application/pdf", ""),
  }),
  fieldValue,
);
const frameObject = fc.record(
  {
    type: typeArb,
    message: fc.oneof(fc.string({ unit: "grapheme", maxLength: 60 }), fieldValue),
    req_id: fc.oneof(fc.string({ minLength: 0, maxLength: 70 }), fieldValue),
    data: fc.oneof(fc.dictionary(fc.string({ maxLength: 12 }), jsonish, { maxKeys: 4 }), fieldValue),
    file: fileArb,
    custom_type: fieldValue,
    ts: fieldValue,
    channel_url: fc.string({ maxLength: 30 }),
  },
  { requiredKeys: ["type"] },
);
const protoFrame = fc
  .tuple(fc.constantFrom("__proto__", "constructor", "prototype"), jsonish, fc.boolean())
  .map(([key, v, nested]) => {
    const payload = JSON.stringify({ polluted: v, isAdmin: true });
    return nested
      ? `{"type":"MESG","message":"proto","data":{"${key}":${payload},"constructor":{"prototype":${payload}}}}`
      : `{"${key}":${payload},"type":"MESG","message":"proto","req_id":"p-${key}"}`;
  });
const deepFrame = fc
  .tuple(fc.integer({ min: MAX_DEPTH - 3, max: 25_000 }), fc.boolean())
  .map(([d, arrays]) =>
    arrays
      ? `{"type":"MESG","message":"deep","data":{"a":${"[".repeat(d)}${"]".repeat(d)}}}`
      : // 6 bytes a level: kept under the 64 KiB frame limit (beyond it is the 1009 test's job).
        `{"type":"MESG","message":"deep","data":${'{"a":'.repeat(Math.min(d, 10_000))}1${"}".repeat(Math.min(d, 10_000))}}`,
  );
const hugeFrame = fc
  .integer({ min: 15_990, max: 50_000 })
  .map((n) => `{"type":"MESG","message":"${"가".repeat(Math.floor(n / 3))}${"x".repeat(n % 3)}"}`);
const surrogateFrame = fc
  .constantFrom("\\ud800", "\\udfff", "a\\ud83d", "\\ude00b")
  .map((s) => `{"type":"MESG","message":"x${s}y"}`);

const wireFrame: fc.Arbitrary<Wire> = fc.oneof(
  { arbitrary: frameObject.map((o) => ({ text: JSON.stringify(o) })), weight: 6 },
  { arbitrary: jsonish.map((v) => ({ text: JSON.stringify(v) })), weight: 2 },
  { arbitrary: anyText.map((text) => ({ text })), weight: 2 },
  { arbitrary: protoFrame.map((text) => ({ text })), weight: 1 },
  { arbitrary: deepFrame.map((text) => ({ text })), weight: 1 },
  { arbitrary: hugeFrame.map((text) => ({ text })), weight: 1 },
  { arbitrary: surrogateFrame.map((text) => ({ text })), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 200 }).map((binary) => ({ binary })), weight: 1 },
);

/** What the protocol says about a frame: a valid send, a ping, or an error. */
function expected(w: Wire): { kind: "error" } | { kind: "ping" } | { kind: "send"; frame: ClientFrame } {
  if ("binary" in w) return { kind: "error" };
  let v: unknown;
  try {
    v = JSON.parse(w.text);
  } catch {
    return { kind: "error" };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { kind: "error" };
  if (jsonProblem(v, MAX_DEPTH)) return { kind: "error" };
  const r = ClientFrame.safeParse(v);
  if (!r.success) return { kind: "error" };
  if (r.data.type === "PING") return { kind: "ping" };
  if ((r.data.type === "FILE" || r.data.type === "IMAGE") && !r.data.file && !r.data.message)
    return { kind: "error" };
  return { kind: "send", frame: r.data };
}

let t: TestServer;
const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
beforeAll(async () => {
  t = await startServer({
    overrides: {
      limits: { messages_per_second: 100_000, message_burst: 100_000, max_json_depth: MAX_DEPTH },
    },
  });
});
afterAll(async () => {
  await t.close();
});

describe("socket frame fuzzing", () => {
  it("answers every random or adversarial frame with a protocol error or a valid outcome, storing only valid messages, while bystanders keep chatting", async () => {
    await createChannel(t, "fuzz", ["1", "2", "3"]);
    const bystanders = await startBystanders(t, "fuzz", "2", "3");
    const attacker = await connect(t, "fuzz", "1");
    const reqIds = new Set<string>();
    let expectedStored = 0;
    let frames = 0;
    await fc.assert(
      fc.asyncProperty(wireFrame, async (w) => {
        frames++;
        const from = attacker.frames.length;
        if ("binary" in w) attacker.ws.send(w.binary, { binary: true });
        else attacker.ws.send(w.text);
        const exp = expected(w);
        if (exp.kind === "error") {
          const err = await awaitFrame(attacker, (f) => f.type === "ERROR", from);
          expect(KNOWN_CODES.has(String(err.code))).toBe(true);
          expect(["INTERNAL", "STORE_UNAVAILABLE"]).not.toContain(err.code);
          expect(typeof err.message).toBe("string");
        } else if (exp.kind === "ping") {
          await awaitFrame(attacker, (f) => f.type === "PONG", from);
        } else {
          const f = exp.frame as { req_id?: string; message?: string; type: string };
          if (f.req_id !== undefined) {
            const ack = await awaitFrame(attacker, (x) => x.type === "ACK" && x.req_id === f.req_id, from);
            expect(Boolean(ack.duplicate)).toBe(reqIds.has(f.req_id));
            if (!reqIds.has(f.req_id)) {
              reqIds.add(f.req_id);
              expectedStored++;
              await awaitFrame(attacker, (x) => x.seq === ack.seq && x.user_id === 1, from);
            }
          } else {
            expectedStored++;
            await awaitFrame(
              attacker,
              (x) => typeof x.seq === "number" && x.user_id === 1 && x.message === (f.message ?? ""),
              from,
            );
          }
        }
        expect(attacker.closeCode).toBeNull();
      }),
      { numRuns: 1500, endOnFailure: true, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    const bystanderCount = await bystanders.stop();
    attacker.close();
    const msgs = await history(t.url, "fuzz", API_KEY);
    expect(historyProblems(msgs)).toEqual([]);
    const fromAttacker = msgs.filter((m) => m.user_id === 1);
    expect(fromAttacker).toHaveLength(expectedStored);
    expect(msgs.filter((m) => m.user_id === 2)).toHaveLength(bystanderCount);
    for (const m of fromAttacker) expect(jsonProblem(m, MAX_DEPTH)).toBeNull();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(frames).toBe(1500);
  }, 60_000);

  it("closes a socket sending invalid UTF-8 as text with 1007; nothing is stored, bystanders unaffected", async () => {
    await createChannel(t, "utf8", ["1", "2", "3"]);
    const bystanders = await startBystanders(t, "utf8", "2", "3");
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 64 }),
        fc.constantFrom(
          [0xff],
          [0xc0, 0x80],
          [0xed, 0xa0, 0x80],
          [0xe2, 0x82],
          [0xf8, 0x88, 0x80, 0x80, 0x80],
        ),
        async (prefix, bad) => {
          const s = await connect(t, "utf8", "1");
          s.ws.send(
            Buffer.concat([
              Buffer.from('{"type":"MESG","message":"'),
              prefix,
              Buffer.from(bad),
              Buffer.from('"}'),
            ]),
            {
              binary: false,
            },
          );
          expect(await s.closed()).toBe(1007);
        },
      ),
      { numRuns: 15 },
    );
    const n = await bystanders.stop();
    const msgs = await history(t.url, "utf8", API_KEY);
    expect(msgs.filter((m) => m.user_id === 1)).toEqual([]);
    expect(msgs).toHaveLength(n);
    expect(historyProblems(msgs)).toEqual([]);
  }, 30_000);

  it("refuses odd channel paths (any unicode, encoded slashes, overlong) with a 4xxx close, never crashing", async () => {
    const tok = await token("1");
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 150 }).map(encodeURIComponent),
          // Raw, unencoded: bad escapes (%ZZ), slashes, dots.
          fc.stringMatching(/^[%A-Za-z0-9./_~-]{1,150}$/),
        ),
        async (name) => {
          const s = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/${name}?token=${tok}`);
          const outcome = await Promise.race([
            s.opened.then(
              () => "open",
              (e: Error) => e.message,
            ),
            s.closed(5000).then(String),
          ]);
          if (outcome === "open") {
            const err = await s.type("ERROR");
            expect(KNOWN_CODES.has(String(err.code))).toBe(true);
            const code = await s.closed();
            expect(code).toBeGreaterThanOrEqual(4000);
            expect(Buffer.byteLength(s.closeReason)).toBeLessThanOrEqual(123);
          } else {
            expect(outcome).toMatch(/HTTP (400|404)/);
          }
        },
      ),
      { numRuns: 60 },
    );
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  }, 30_000);

  it("answers malformed HTTP request targets on the upgrade path without crashing", async () => {
    for (const target of ["//[", "//:99999/x", "http://[::1", "/api/v1/chat/ws/%E0%A4%A/test?user_id=1"]) {
      const reply = await new Promise<string>((resolve) => {
        const sock = netConnect(t.port, "127.0.0.1", () => {
          sock.write(
            `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
          );
        });
        let got = "";
        sock.on("data", (d) => (got += d));
        sock.on("close", () => resolve(got));
        sock.on("error", () => resolve(got));
        sock.setTimeout(3000, () => sock.destroy());
      });
      expect(reply).toMatch(/^HTTP\/1\.1 4\d\d/);
    }
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});

describe("REST body fuzzing", () => {
  const bodyArb = fc.oneof(
    { arbitrary: jsonish.map((v) => JSON.stringify(v)), weight: 3 },
    {
      arbitrary: fc
        .record(
          {
            channel_url: fc.oneof(fc.stringMatching(/^[a-z0-9_]{1,20}$/), fieldValue),
            user_ids: fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 70 }), fc.integer())), fieldValue),
            name: fieldValue,
            data: fieldValue,
            message: fc.oneof(fc.string({ maxLength: 50 }), fieldValue),
            type: fc.oneof(fc.constantFrom("MESG", "FILE", "IMAGE", "ADMM"), fieldValue),
            user_id: fc.oneof(fc.constantFrom("1", "2", 1), fieldValue),
            req_id: fieldValue,
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
      weight: 6,
    },
    { arbitrary: anyText, weight: 2 },
    { arbitrary: protoFrame, weight: 1 },
    { arbitrary: deepFrame, weight: 1 },
    { arbitrary: surrogateFrame, weight: 1 },
  );
  const target = fc.constantFrom(
    { method: "POST", path: "/api/v1/chat/channels" },
    { method: "POST", path: "/api/v1/chat/channels/rest_fuzz/messages" },
    { method: "PATCH", path: "/api/v1/chat/channels/rest_fuzz" },
    { method: "POST", path: "/api/v1/chat/channels/rest_fuzz/members" },
    { method: "POST", path: "/api/v1/admin/login" },
  );

  it("answers random and adversarial bodies with 2xx or a 4xx JSON error carrying error.code, never 5xx", async () => {
    await createChannel(t, "rest_fuzz", ["1", "2"]);
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        target,
        bodyArb,
        fc.constantFrom("application/json", "text/plain", ""),
        async (tg, body, ct) => {
          const headers: Record<string, string> = { "X-Api-Key": API_KEY };
          if (ct) headers["Content-Type"] = ct;
          const res = await fetch(t.url + tg.path, { method: tg.method, headers, body });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status).toBeLessThan(500);
          const parsed = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
          if (res.status >= 400) {
            expect(KNOWN_CODES.has(String(parsed.error?.code))).toBe(true);
            expect(typeof parsed.error?.message).toBe("string");
          }
        },
      ),
      { numRuns: 300 },
    );
    // Bodies beyond limits.rest_body_bytes and invalid UTF-8 bodies.
    const big = await fetch(`${t.url}/api/v1/chat/channels/rest_fuzz/messages`, {
      method: "POST",
      headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
      body: `{"message":"${"x".repeat(300 * 1024)}"}`,
    });
    expect(big.status).toBe(413);
    const badUtf8 = await fetch(`${t.url}/api/v1/chat/channels/rest_fuzz/messages`, {
      method: "POST",
      headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
      body: Buffer.concat([Buffer.from('{"message":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    });
    expect(badUtf8.status).toBeLessThan(500);
    const msgs = await history(t.url, "rest_fuzz", API_KEY);
    expect(historyProblems(msgs)).toEqual([]);
    for (const m of msgs) expect(jsonProblem(m, MAX_DEPTH)).toBeNull();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    console.log("REST fuzz statuses", Object.fromEntries(statuses));
  }, 60_000);
});
