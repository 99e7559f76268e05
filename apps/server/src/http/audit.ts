import { getConnInfo } from "@hono/node-server/conninfo";
import type { AuditActor, AuditTarget } from "@podchat/protocol";
import type { Context, MiddlewareHandler } from "hono";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AppEnv, Principal } from "./principal.ts";

/**
 * The audit log as routes see it. Rule (docs/admin.md#audit-log): every successful state change
 * by an admin or an API key is audited, and every moderation change whoever made it; a chat
 * user's own traffic (sends, edits and deletes of their own messages, read marks, uploads) is not,
 * nor are plain message sends by an API key (the message log already holds them). Refused calls
 * change nothing and are not audited, except failed admin sign-ins. test/audit/audit-routes.test.ts
 * fails for a mutating route no test shows writing its entry.
 */
export function auditMiddleware(log: AuditLog): MiddlewareHandler<AppEnv> {
  return async function auditLog(c, next) {
    c.set("audit", log);
    await next();
  };
}

/** Who the principal is in the audit log; null for anonymous callers. */
function actorOf(p: Principal): AuditActor | null {
  if (p.kind === "service") return { kind: "api_key", id: p.keyId };
  if (p.kind === "user")
    return p.isAdmin
      ? { kind: "admin", id: p.userId.replace(/^admin:/, "") }
      : { kind: "user", id: p.userId };
  return null;
}

/** The caller's address (the socket's peer; podchat trusts no X-Forwarded-For). */
export function ipOf(c: Context<AppEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // app.request() in tests: no socket
  }
}

export interface AuditInput {
  action: string;
  target?: AuditTarget;
  before?: unknown;
  after?: unknown;
  /** Default: the request's principal. */
  actor?: AuditActor;
}

/** Writes one entry for this request (call after the change succeeded). */
export async function audit(c: Context<AppEnv>, input: AuditInput): Promise<void> {
  const actor = input.actor ?? actorOf(c.get("principal"));
  if (!actor) throw new Error(`audit ${input.action}: no actor (anonymous caller)`);
  await c.get("audit").record({
    actor,
    action: input.action,
    ...(input.target ? { target: input.target } : {}),
    ...(input.before !== undefined ? { before: input.before } : {}),
    ...(input.after !== undefined ? { after: input.after } : {}),
    request_id: c.get("requestId"),
    ip: ipOf(c),
  });
}
