// The OpenAPI document is generated from the routes' own descriptions: every route Hono knows must
// be in it (with a response schema, a summary, tags and security), and nothing else. No socket:
// the app answers through app.request().
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { type PodchatServer, createPodchatServer } from "../../src/server.ts";

type Operation = {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};
type Doc = {
  openapi: string;
  info: { version: string; description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  "x-websockets": { docs: string; endpoints: Array<{ path: string }> };
};

async function podchat(): Promise<PodchatServer> {
  const dir = mkdtempSync(join(tmpdir(), "podchat-openapi-"));
  const { config, sources } = loadConfig({
    env: { APP_ENV: "dev" },
    overrides: {
      store: { sqlite: { path: join(dir, "chat.sqlite") } },
      uploads: { dir: join(dir, "uploads") },
      log: { level: "silent" },
    },
  });
  return createPodchatServer({ config, sources });
}

async function documentOf(s: PodchatServer): Promise<Doc> {
  const res = await s.app.request("/openapi.json");
  expect(res.status).toBe(200);
  return (await res.json()) as Doc;
}

/** `METHOD /path/{param}` for every route Hono knows, without middleware (`ALL`) and sockets. */
function knownRoutes(s: PodchatServer): string[] {
  const keys = s.app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`)
    .filter((k) => !k.includes("/api/v1/chat/ws"));
  return [...new Set(keys)].sort();
}

function documented(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

const operation = (doc: Doc, key: string): Operation | undefined => {
  const [method, path] = key.split(" ") as [string, string];
  return doc.paths[path]?.[method.toLowerCase()];
};

const hasResponseSchema = (op: Operation) =>
  Object.values(op.responses ?? {}).some((r) =>
    Object.values(r.content ?? {}).some((media) => media.schema !== undefined),
  );

let s: PodchatServer;
let doc: Doc;
beforeAll(async () => {
  s = await podchat();
  doc = await documentOf(s);
});
afterAll(async () => {
  await s.close();
});

describe("the generated OpenAPI document", () => {
  it("lists exactly the routes Hono knows, admin, users and tokens included", () => {
    const routes = knownRoutes(s);
    expect(routes.length).toBeGreaterThan(50);
    expect(documented(doc)).toEqual(routes);
    for (const key of [
      "POST /api/v1/admin/login",
      "POST /api/v1/admin/tokens",
      "PUT /api/v1/admin/flags/{env}",
      "GET /api/v1/admin/channels/{channel_url}/stream",
      "GET /api/v1/chat/users/{user_id}/channels",
      "GET /api/v1/chat/users/{user_id}/unread",
      "POST /api/v1/chat/channels/{channel_url}/files",
      "GET /healthz",
      "GET /openapi.json",
    ])
      expect(routes).toContain(key);
  });

  it("gives every operation a summary, tags, security and at least one response schema", () => {
    const problems: string[] = [];
    for (const key of documented(doc)) {
      const op = operation(doc, key)!;
      if (!op.summary) problems.push(`${key}: no summary`);
      if (!op.tags?.length) problems.push(`${key}: no tags`);
      if (!Array.isArray(op.security)) problems.push(`${key}: no security`);
      if (!hasResponseSchema(op)) problems.push(`${key}: no response schema`);
      for (const name of key.match(/\{(\w+)\}/g) ?? [])
        if (!op.parameters?.some((p) => p.in === "path" && `{${p.name}}` === name))
          problems.push(`${key}: path parameter ${name} not described`);
    }
    expect(problems).toEqual([]);
  });

  it("describes errors with the one error body, and JSON bodies by named components", () => {
    const create = operation(doc, "POST /api/v1/chat/channels")!;
    expect(create.requestBody?.content?.["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/CreateChannelBody",
    });
    expect(create.responses?.["400"]?.content?.["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/Error",
    });
    expect(operation(doc, "POST /api/v1/admin/login")!.security).toEqual([]);
    expect(operation(doc, "POST /api/v1/admin/tokens")!.requestBody?.content?.["application/json"]).toEqual({
      schema: { $ref: "#/components/schemas/MintTokenBody" },
    });
    const error = doc.components.schemas.Error as { properties: { error: { required: string[] } } };
    expect(error.properties.error.required).toEqual(["code", "message"]);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      "adminSession",
      "adminSessionQuery",
      "apiKey",
      "bearer",
      "metricsToken",
      "tokenQuery",
    ]);
  });

  it("has no dangling $ref", () => {
    const dangling: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (k === "$ref" && typeof x === "string") {
            const name = x.replace("#/components/schemas/", "");
            if (!(name in doc.components.schemas)) dangling.push(x);
          } else walk(x);
        }
      }
    };
    walk(doc);
    expect(dangling).toEqual([]);
  });

  it("keeps the server's version and lists the WebSocket endpoints apart", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe(s.config.version);
    expect(doc["x-websockets"].docs).toBe("docs/protocol.md");
    expect(doc["x-websockets"].endpoints.map((e) => e.path)).toEqual([
      "/api/v1/chat/ws/{channel_url}",
      "/api/v1/chat/ws",
      "/api/v1/chat/ws/{channel_url}/test",
    ]);
    expect(doc.info.description).toContain("/api/v1/chat/ws/{channel_url}?token=JWT&since_seq=N");
  });
});

describe("a route added without a description", () => {
  it("is missing from the document, so the coverage check above fails", async () => {
    const other = await podchat();
    try {
      other.app.get("/api/v1/chat/undocumented", (c) => c.text("hi"));
      const d = await documentOf(other);
      const missing = knownRoutes(other).filter((k) => !documented(d).includes(k));
      expect(missing).toEqual(["GET /api/v1/chat/undocumented"]);
    } finally {
      await other.close();
    }
  });
});
