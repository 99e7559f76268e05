import { AuditLogPage, AuditLogQuery } from "@podchat/protocol";
import { Hono } from "hono";
import { stream } from "hono/streaming";
import type { AuditLog, AuditQuery } from "../../../audit/audit-log.ts";
import type { AppEnv } from "../../principal.ts";
import { auth, describeRoute, errors, jsonResponse, queryParams } from "../../openapi/index.ts";
import { query } from "../../validate.ts";
import type { Context } from "hono";

/** The query string as the log's filter; times normalised so they compare with stored ones. */
function filterOf(c: Context<AppEnv>): AuditQuery {
  const q = query(c, AuditLogQuery);
  const iso = (s: string) => new Date(s).toISOString();
  return {
    ...(q.action ? { action: q.action } : {}),
    ...(q.actor ? { actor_id: q.actor } : {}),
    ...(q.channel_url ? { channel_url: q.channel_url } : {}),
    ...(q.user_id ? { user_id: q.user_id } : {}),
    ...(q.since ? { since: iso(q.since) } : {}),
    ...(q.until ? { until: iso(q.until) } : {}),
    ...(q.cursor ? { cursor: q.cursor } : {}),
    ...(q.limit ? { limit: Number(q.limit) } : {}),
  };
}

/** `/api/v1/admin/audit`: the audit log, paged and exported (admins only: see admin-routes.ts). */
export function auditRoutes(log: AuditLog) {
  const app = new Hono<AppEnv>();

  app.get(
    "/",
    describeRoute({
      summary:
        "The audit log of admin and API-key actions, newest first (filter by action, actor, channel, user, time; cursor-paged)",
      tags: ["admin"],
      security: auth.admin,
      parameters: queryParams(AuditLogQuery),
      responses: {
        200: jsonResponse(AuditLogPage, "A page (limit default 50, max 500); next_cursor pages back"),
        ...errors(400, 401, [403, "FORBIDDEN: admins only"], 503),
      },
    }),
    async (c) => c.json(await log.list(filterOf(c))),
  );

  app.get(
    "/export",
    describeRoute({
      summary: "Every audit entry matching the filters as JSON lines (application/x-ndjson), newest first",
      tags: ["admin"],
      security: auth.adminStream,
      parameters: queryParams(AuditLogQuery),
      responses: {
        200: {
          description: "One AuditLogEntry JSON object per line",
          content: { "application/x-ndjson": { schema: { type: "string" as const } } },
        },
        ...errors(400, 401, [403, "FORBIDDEN: admins only"], 503),
      },
    }),
    (c) => {
      const { limit: _, ...filter } = filterOf(c);
      c.header("Content-Type", "application/x-ndjson; charset=utf-8");
      c.header("Content-Disposition", 'attachment; filename="podchat-audit.jsonl"');
      return stream(c, async (s) => {
        for await (const e of log.all(filter)) {
          if (s.aborted) return;
          await s.write(`${JSON.stringify(e)}\n`);
        }
      });
    },
  );

  return app;
}
