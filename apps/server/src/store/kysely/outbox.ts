import type { WebhookDeliveryState, WebhookEventType } from "@podchat/protocol";
import { sql } from "kysely";
import type { OutboxEntry, StoreChange } from "../message-store.ts";
import type { OutboxOutcome, OutboxRow, WebhookOutbox } from "../webhook-outbox.ts";
import type { StoreContext } from "./context.ts";
import type { Db } from "./dialect.ts";
import { appendFeed, splitFeed } from "./event-log.ts";

/**
 * Writes the outbox rows of a change inside the change's transaction `db` (nothing when no
 * endpoint wants the type). Returns whether rows were written, for `recorded()` after commit.
 */
export async function recordChange(
  ctx: StoreContext,
  db: Db,
  type: WebhookEventType,
  change: () => StoreChange,
): Promise<boolean> {
  const r = ctx.changes.recorder;
  if (!r?.wants(type)) return false;
  const entries = r.entries(change());
  if (entries.length === 0) return false;
  const { outbox, feed } = splitFeed(entries);
  if (outbox.length > 0) await db.insertInto("webhook_outbox").values(outbox.map(outboxValues)).execute();
  await appendFeed(db, feed);
  return true;
}

/** Tells the recorder rows were committed (wakes the dispatcher). */
export function afterCommit(ctx: StoreContext, wrote: boolean) {
  if (wrote) ctx.changes.recorder?.recorded?.();
}

function outboxValues(e: OutboxEntry) {
  return {
    endpoint_id: e.endpoint_id,
    event_id: e.event_id,
    channel_url: e.channel_url,
    type: e.type,
    payload: e.payload,
    state: "pending",
    attempts: 0,
    next_attempt_at: Date.parse(e.created_at),
    lease_until: 0,
    created_at: e.created_at,
    updated_at: e.created_at,
  };
}

/** States as literals, so the planner can match the partial indexes (a parameter would not). */
const lit = (state: WebhookDeliveryState) => sql.lit<string>(state);

const COLUMNS = [
  "id",
  "endpoint_id",
  "event_id",
  "channel_url",
  "type",
  "payload",
  "state",
  "attempts",
  "next_attempt_at",
  "created_at",
  "updated_at",
  "delivered_at",
  "last_status",
  "last_error",
] as const;

function toRow(r: Record<string, unknown>): OutboxRow {
  return {
    id: Number(r.id),
    endpoint_id: String(r.endpoint_id),
    event_id: String(r.event_id),
    channel_url: String(r.channel_url),
    type: r.type as WebhookEventType,
    payload: String(r.payload),
    state: r.state as WebhookDeliveryState,
    attempts: Number(r.attempts),
    next_attempt_at: Number(r.next_attempt_at),
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
    delivered_at: (r.delivered_at as string | null) ?? null,
    last_status: r.last_status === null || r.last_status === undefined ? null : Number(r.last_status),
    last_error: (r.last_error as string | null) ?? null,
  };
}

/** Records one attempt's outcome if the row is still the owner's (its lease not taken over). */
async function settleIn(db: Db, id: number, owner: string, o: OutboxOutcome): Promise<boolean> {
  const now = new Date().toISOString();
  const r = await db
    .updateTable("webhook_outbox")
    .set({
      state: o.state,
      next_attempt_at: o.next_attempt_at ?? 0,
      lease_until: 0,
      lease_owner: null,
      updated_at: now,
      delivered_at: o.state === "delivered" ? now : null,
      last_status: o.status,
      last_error: o.error,
    })
    .where("id", "=", id)
    .where("lease_owner", "=", owner)
    .where("state", "=", lit("pending"))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Claims the due heads of one endpoint's channel queues (see WebhookOutbox.claim) inside `d`. */
async function claimIn(
  ctx: StoreContext,
  d: Db,
  endpointId: string,
  owner: string,
  now: number,
  leaseUntil: number,
  limit: number,
): Promise<OutboxRow[]> {
  // The head of each channel's queue (its oldest pending row), one scan of the queue index …
  const firstOfChannel = d
    .selectFrom("webhook_outbox as p")
    .select((eb) => eb.fn.min("p.id").as("id"))
    .where("p.endpoint_id", "=", endpointId)
    .where("p.state", "=", lit("pending"))
    .groupBy("p.channel_url");
  // … those due and not leased, oldest first.
  const heads = d
    .selectFrom("webhook_outbox as o")
    .select("o.id")
    .where("o.id", "in", firstOfChannel)
    .where("o.state", "=", lit("pending"))
    .where("o.next_attempt_at", "<=", now)
    .where("o.lease_until", "<", now)
    .orderBy("o.id")
    .limit(limit)
    // Several instances on PostgreSQL: rows another claim holds are skipped, not waited for.
    .$if(ctx.caps.rowLocks, (q) => q.forUpdate().skipLocked());
  const rows = await d
    .updateTable("webhook_outbox")
    .set((eb) => ({
      lease_until: leaseUntil,
      lease_owner: owner,
      attempts: eb("attempts", "+", 1),
      updated_at: new Date(now).toISOString(),
    }))
    .where("id", "in", heads)
    .returning(COLUMNS)
    .execute();
  return rows.map((r) => toRow(r as Record<string, unknown>)).sort((a, b) => a.id - b.id);
}

/** The outbox over kysely; on SQLite every write queues on the store's one connection. */
export function createOutbox(ctx: StoreContext): WebhookOutbox {
  const { db } = ctx;
  return {
    claim: (endpointId, owner, now, leaseUntil, limit) =>
      claimIn(ctx, db, endpointId, owner, now, leaseUntil, limit),
    step(owner, finished, claims, now, leaseUntil) {
      // One transaction (one commit) for the outcomes and the next claims of a dispatcher tick.
      return db.transaction().execute(async (trx) => {
        for (const { id, outcome } of finished) await settleIn(trx, id, owner, outcome);
        const out = new Map<string, OutboxRow[]>();
        for (const c of claims) {
          out.set(c.endpointId, await claimIn(ctx, trx, c.endpointId, owner, now, leaseUntil, c.limit));
        }
        return out;
      });
    },
    settle: (id, owner, o) => settleIn(db, id, owner, o),
    async settleMany(owner, outcomes) {
      if (outcomes.length === 1)
        return (await settleIn(db, outcomes[0]!.id, owner, outcomes[0]!.outcome)) ? 1 : 0;
      return db.transaction().execute(async (trx) => {
        let n = 0;
        for (const { id, outcome } of outcomes) if (await settleIn(trx, id, owner, outcome)) n++;
        return n;
      });
    },
    async releaseAllLeases() {
      await db
        .updateTable("webhook_outbox")
        .set({ lease_until: 0, lease_owner: null })
        .where("state", "=", lit("pending"))
        .where("lease_until", ">", 0)
        .execute();
    },
    async list(opts) {
      const rows = await db
        .selectFrom("webhook_outbox")
        .select(COLUMNS)
        .$if(opts.state !== undefined, (q) => q.where("state", "=", lit(opts.state!)))
        .$if(opts.endpointId !== undefined, (q) => q.where("endpoint_id", "=", opts.endpointId!))
        .$if(opts.before !== undefined, (q) => q.where("id", "<", opts.before!))
        .orderBy("id", "desc")
        .limit(opts.limit)
        .execute();
      return rows.map((r) => toRow(r as Record<string, unknown>));
    },
    async get(id) {
      const r = await db.selectFrom("webhook_outbox").select(COLUMNS).where("id", "=", id).executeTakeFirst();
      return r ? toRow(r as Record<string, unknown>) : null;
    },
    async counts() {
      // One query per state, each on its partial index (never a scan of the delivered rows).
      const out: Array<{ endpoint_id: string; state: WebhookDeliveryState; n: number }> = [];
      for (const state of ["pending", "dead"] as const) {
        const rows = await db
          .selectFrom("webhook_outbox")
          .select(["endpoint_id", db.fn.countAll().as("n")])
          .where("state", "=", lit(state))
          .groupBy("endpoint_id")
          .execute();
        for (const r of rows) out.push({ endpoint_id: r.endpoint_id, state, n: Number(r.n) });
      }
      return out;
    },
    async redeliver(filter, now) {
      const r = await db
        .updateTable("webhook_outbox")
        .set({
          state: "pending",
          attempts: 0,
          next_attempt_at: now,
          lease_until: 0,
          lease_owner: null,
          updated_at: new Date(now).toISOString(),
        })
        .where("state", "=", lit("dead"))
        .$if("id" in filter, (q) => q.where("id", "=", (filter as { id: number }).id))
        .$if("endpointId" in filter, (q) =>
          q.where("endpoint_id", "=", (filter as { endpointId: string }).endpointId),
        )
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async prune(before) {
      const r = await db
        .deleteFrom("webhook_outbox")
        .where("state", "=", lit("delivered"))
        .where("delivered_at", "<", before)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
