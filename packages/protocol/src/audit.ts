import * as z from "zod/mini";

/**
 * The audit log (@since 0.4): one entry per state-changing admin or API-key action (and each
 * moderation action, whoever made it), plus failed admin sign-ins. See docs/admin.md#audit-log.
 */

/** Who acted: an admin (by name), a backend (by its API key's fingerprint, never the key), a user. */
export const AuditActor = z.object({
  kind: z.enum(["admin", "api_key", "user"]),
  /** Admin name; `sha256:<12 hex>` of the API key; the user id. */
  id: z.string(),
});
export type AuditActor = z.infer<typeof AuditActor>;

export const AuditTarget = z.object({
  channel_url: z.optional(z.string()),
  user_id: z.optional(z.string()),
});
export type AuditTarget = z.infer<typeof AuditTarget>;

export const AuditLogEntry = z.object({
  /** Sortable: newer entries have greater ids. */
  id: z.string(),
  at: z.string(),
  actor: AuditActor,
  /** `<area>.<verb>`: `channel.delete`, `member.remove`, `moderation.ban`, `token.mint`, `flag.set`… */
  action: z.string(),
  target: AuditTarget,
  before: z.optional(z.unknown()),
  after: z.optional(z.unknown()),
  request_id: z.string(),
  /** The instance that made the change. */
  node_id: z.string(),
  ip: z.optional(z.string()),
});
export type AuditLogEntry = z.infer<typeof AuditLogEntry>;

const Iso = z.string().check(
  z.maxLength(40),
  z.refine((s) => !Number.isNaN(Date.parse(s)), "an ISO time"),
);

/**
 * `GET /api/v1/admin/audit` and `GET /api/v1/admin/audit/export`. `action` matches exactly, or by
 * prefix when it ends in `.*` (`moderation.*`); `actor` is the actor's id; `since` ≤ at < `until`.
 */
export const AuditLogQuery = z.object({
  action: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  actor: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  channel_url: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  user_id: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  since: z.optional(Iso),
  until: z.optional(Iso),
  cursor: z.optional(z.string().check(z.maxLength(100))),
  limit: z.optional(z.string().check(z.regex(/^[0-9]{1,4}$/))),
});
export type AuditLogQuery = z.infer<typeof AuditLogQuery>;

/** Newest first; `next_cursor` pages back (null: no older entries). */
export const AuditLogPage = z.object({
  entries: z.array(AuditLogEntry),
  next_cursor: z.nullable(z.string()),
});
export type AuditLogPage = z.infer<typeof AuditLogPage>;
