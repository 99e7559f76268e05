import type { AuditLogFilter, StoredAuditLogEntry } from "../audit-records.ts";
import type { StoreContext } from "./context.ts";

export async function appendAudit(ctx: StoreContext, e: StoredAuditLogEntry): Promise<void> {
  for (const [what, v] of [
    ["actor_id", e.actor_id],
    ["action", e.action],
    ["channel_url", e.channel_url],
    ["user_id", e.user_id],
    ["request_id", e.request_id],
  ] as const)
    ctx.codec.checkText(what, v);
  await ctx.db
    .insertInto("audit_log")
    .values({
      id: e.id,
      at: e.at,
      actor_kind: e.actor_kind,
      actor_id: e.actor_id,
      action: e.action,
      channel_url: e.channel_url,
      user_id: e.user_id,
      before_value: e.before === undefined ? null : ctx.codec.toJson("before", e.before),
      after_value: e.after === undefined ? null : ctx.codec.toJson("after", e.after),
      request_id: e.request_id,
      node_id: e.node_id,
      ip: e.ip,
    })
    .execute();
}

/** The first string greater than every string that starts with `prefix` (bytewise). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export async function listAudit(ctx: StoreContext, f: AuditLogFilter): Promise<StoredAuditLogEntry[]> {
  let q = ctx.db.selectFrom("audit_log").selectAll();
  if (f.action !== undefined) {
    if (f.action.endsWith(".*") && f.action.length > 2) {
      const prefix = f.action.slice(0, -1);
      q = q.where("action", ">=", prefix).where("action", "<", prefixEnd(prefix));
    } else q = q.where("action", "=", f.action);
  }
  if (f.actor_id !== undefined) q = q.where("actor_id", "=", f.actor_id);
  if (f.channel_url !== undefined) q = q.where("channel_url", "=", f.channel_url);
  if (f.user_id !== undefined) q = q.where("user_id", "=", f.user_id);
  if (f.since !== undefined) q = q.where("at", ">=", f.since);
  if (f.until !== undefined) q = q.where("at", "<", f.until);
  if (f.before_id !== undefined) q = q.where("id", "<", f.before_id);
  const rows = await q.orderBy("id", "desc").limit(f.limit).execute();
  const json = (v: unknown) =>
    v === null || v === undefined ? undefined : ctx.caps.jsonParsed ? v : JSON.parse(v as string);
  return rows.map((r) => {
    const before = json(r.before_value);
    const after = json(r.after_value);
    return {
      id: r.id,
      at: r.at,
      actor_kind: r.actor_kind as StoredAuditLogEntry["actor_kind"],
      actor_id: r.actor_id,
      action: r.action,
      channel_url: r.channel_url,
      user_id: r.user_id,
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
      request_id: r.request_id,
      node_id: r.node_id,
      ip: r.ip,
    };
  });
}

export async function pruneAudit(ctx: StoreContext, before: string): Promise<number> {
  const r = await ctx.db.deleteFrom("audit_log").where("at", "<", before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
