// Request ids (hono/request-id) and the request log line (the server's pino logger),
// through app.request(): no socket is involved.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { type PodchatServer, createPodchatServer } from "../../src/server.ts";
import { API_KEY } from "../harness.ts";
import { LogCapture } from "../hardening/support.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let s: PodchatServer;
const logs = new LogCapture();
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "podchat-reqlog-"));
  const { config, sources } = loadConfig({
    env: { APP_ENV: "dev" },
    overrides: {
      store: { sqlite: { path: join(dir, "chat.sqlite") } },
      uploads: { dir: join(dir, "uploads") },
    },
  });
  s = await createPodchatServer({ config, sources, logger: createLogger("debug", {}, logs) });
  s.app.get("/api/v1/test-boom", () => {
    throw new Error("boom");
  });
});
afterAll(async () => {
  await s.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  s.app.request(path, { headers: { "X-Api-Key": API_KEY, ...headers } });
const lineOf = (id: string) => logs.records().find((r) => r.msg === "request" && r.req_id === id);

describe("X-Request-Id", () => {
  it("keeps a caller's printable id, even with characters hono/request-id alone would refuse", async () => {
    for (const id of ["plain-id_1", "trace.id:42/a+b@c", "x".repeat(100)]) {
      const res = await get("/healthz", { "X-Request-Id": id });
      expect(res.headers.get("x-request-id")).toBe(id);
    }
  });

  it("replaces a missing, too long or unprintable id with a fresh UUID, on every kind of answer", async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ["/healthz", {}],
      ["/healthz", { "X-Request-Id": "has spaces" }],
      ["/healthz", { "X-Request-Id": "x".repeat(101) }],
      ["/healthz", { "X-Request-Id": "tab\there" }],
      ["/api/v1/chat/channels/nope", { "X-Request-Id": "é-accent" }],
      ["/api/v1/chat/channels", { "X-Api-Key": "wrong" }],
      ["/nowhere", {}],
    ];
    const seen = new Set<string>();
    for (const [path, headers] of cases) {
      const id = (await get(path, headers)).headers.get("x-request-id");
      expect(id, `${path} ${JSON.stringify(headers)}`).toMatch(UUID);
      seen.add(id!);
    }
    expect(seen.size).toBe(cases.length);
  });
});

describe("the request log line", () => {
  it("has req_id, method, path, status and ms, at debug for successes", async () => {
    await get("/healthz", { "X-Request-Id": "log-ok-1" });
    const line = lineOf("log-ok-1");
    expect(line).toMatchObject({ level: 20, method: "GET", path: "/healthz", status: 200 });
    expect(typeof line!.ms).toBe("number");
    expect(line!.ms as number).toBeGreaterThanOrEqual(0);
    // The logger's base fields once, not repeated by a per-request child logger.
    const raw = logs.lines.find((l) => l.includes('"req_id":"log-ok-1"'))!;
    expect(raw.match(/"service":/g)).toHaveLength(1);
  });

  it("is at info for refusals and at warn for failures", async () => {
    expect(
      (await get("/api/v1/chat/channels", { "X-Api-Key": "wrong", "X-Request-Id": "log-401" })).status,
    ).toBe(401);
    expect(lineOf("log-401")).toMatchObject({ level: 30, status: 401, path: "/api/v1/chat/channels" });
    expect((await get("/api/v1/test-boom", { "X-Request-Id": "log-500" })).status).toBe(500);
    expect(lineOf("log-500")).toMatchObject({ level: 40, status: 500 });
  });

  it("leaves the query string (which may carry ?token=) out of the path", async () => {
    const res = await get("/api/v1/chat/files/00000000-0000-0000-0000-000000000000?token=secret-jwt", {
      "X-Request-Id": "log-query",
    });
    expect(res.status).toBe(404);
    expect(lineOf("log-query")).toMatchObject({
      path: "/api/v1/chat/files/00000000-0000-0000-0000-000000000000",
    });
    expect(logs.text()).not.toContain("secret-jwt");
  });
});
