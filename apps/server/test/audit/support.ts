import { Writable } from "node:stream";
import type { AuditLogEntry, AuditLogPage } from "@podchat/protocol";
import { createLogger } from "../../src/observability/logger.ts";
import { type StartOptions, type TestServer, startServer } from "../harness.ts";

/** Secrets of these tests' servers: distinctive, so a leak into an entry or a log line is found. */
export const SECRETS = {
  apiKey: "audit-test-api-key-7c1e9d42",
  adminPassword: "audit-test-admin-pw-5b8f",
} as const;

export interface AuditServer extends TestServer {
  /** Every log line written (JSON), the server logging at `warn` as prod does. */
  lines: Array<Record<string, unknown>>;
  /** A call with this server's API key (not the dev one). */
  key(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  adminToken(): Promise<string>;
  /** The entries newer than `afterId`, oldest first. */
  entriesAfter(afterId: string, admin: string): Promise<AuditLogEntry[]>;
  newestId(admin: string): Promise<string>;
}

export async function startAuditServer(options: StartOptions = {}): Promise<AuditServer> {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n")) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  const t = await startServer({
    ...options,
    overrides: {
      auth: { api_keys: [SECRETS.apiKey], admin: { password: SECRETS.adminPassword } },
      ...options.overrides,
    },
    extra: { logger: createLogger("warn", {}, sink), ...options.extra },
  });
  const key: AuditServer["key"] = (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("X-Api-Key", SECRETS.apiKey);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set("Content-Type", "application/json");
      body = JSON.stringify(init.json);
    }
    return fetch(t.url + path, { ...init, headers, body: body ?? null });
  };
  const adminToken = async () => {
    const res = await t.api("/api/v1/admin/login", {
      method: "POST",
      json: { username: "admin", password: SECRETS.adminPassword },
      noKey: true,
    });
    if (res.status !== 200) throw new Error(`admin login: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  };
  const page = async (admin: string, qs = "") => {
    const res = await t.api(`/api/v1/admin/audit?limit=500${qs}`, { token: admin });
    if (res.status !== 200) throw new Error(`audit list: ${res.status} ${await res.text()}`);
    return (await res.json()) as AuditLogPage;
  };
  return {
    ...t,
    lines,
    key,
    adminToken,
    async entriesAfter(afterId, admin) {
      return (await page(admin)).entries.filter((e) => e.id > afterId).reverse();
    },
    async newestId(admin) {
      return (await page(admin)).entries[0]?.id ?? "";
    },
  };
}
