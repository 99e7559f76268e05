import type pg from "pg";
import {
  type AppendResult,
  FEED_ENDPOINT,
  type OutboxEntry,
  StoreError,
  type StoredMessage,
} from "../message-store.ts";
import type { Appender, EncodedMessage } from "../kysely/dialect.ts";
import { type Codec, MESSAGE_COLUMNS } from "../kysely/rows.ts";

const UNIQUE_VIOLATION = "23505";
const COLUMNS = MESSAGE_COLUMNS.join(", ");

function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === UNIQUE_VIOLATION;
}

// Named statements: each connection parses and plans them once.
const BY_REQ_USER = {
  name: "podchat_by_req_user",
  text: `SELECT ${COLUMNS} FROM messages WHERE channel_url = $1 AND user_id = $2 AND req_id = $3`,
};
const BY_REQ_NOUSER = {
  name: "podchat_by_req_nouser",
  text: `SELECT ${COLUMNS} FROM messages WHERE channel_url = $1 AND user_id IS NULL AND req_id = $2`,
};
const BY_ID = { name: "podchat_by_id", text: `SELECT ${COLUMNS} FROM messages WHERE message_id = $1` };
// One statement = one implicit transaction. The unreferenced `own` CTE runs after the main query,
// under the channel row lock the bump took: the channel's countable count goes up by one, and so
// does the sender's read offset, so the message is unread for every member but its sender.
const APPEND = {
  name: "podchat_append",
  text: `
    WITH bump AS (
      UPDATE channels SET last_seq = last_seq + 1, last_message_seq = last_seq + 1, last_activity_at = $10::text,
        countable_count = countable_count + 1
      WHERE channel_url = $1::text RETURNING last_seq
    ), ins AS (
      INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, custom_type, data, file, req_id, created_at)
      SELECT $1::text, bump.last_seq, $2::text, $3::text, $4::text, $5::text, $6::text, $7::jsonb, $8::jsonb, $9::text, $10::text
      FROM bump
      RETURNING seq
    ), own AS (
      UPDATE members SET read_offset = read_offset + 1
      WHERE channel_url = $1::text AND user_id = $4::text AND EXISTS (SELECT 1 FROM ins)
    )
    SELECT seq FROM ins`,
};

type Query = { name: string; text: string; values: unknown[] };

/** One INSERT of the outbox rows an append records. */
function outboxInsert(entries: OutboxEntry[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = entries.map((e) => {
    const at = Date.parse(e.created_at);
    values.push(e.endpoint_id, e.event_id, e.channel_url, e.type, e.payload, at, e.created_at);
    const n = values.length;
    return `($${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, 'pending', 0, $${n - 1}, 0, $${n}, $${n})`;
  });
  return {
    text: `INSERT INTO webhook_outbox (endpoint_id, event_id, channel_url, type, payload, state, attempts, next_attempt_at, lease_until, created_at, updated_at)
      VALUES ${tuples.join(", ")}`,
    values,
  };
}

/**
 * The feed's row: numbered by the counter row in the same statement. Its row lock is held until
 * commit, so positions commit in order (a reader at `after=N` never skips a later-committing
 * smaller one) and a rollback leaves no gap. Serialises appends that record a feed event.
 */
const FEED_INSERT = `WITH c AS (UPDATE event_log_counter SET last_position = last_position + 1 WHERE id = 1 RETURNING last_position)
  INSERT INTO event_log (position, event_id, type, channel_url, payload, created_at)
  SELECT last_position, $1, $2, $3, $4, $5 FROM c`;

/**
 * PostgreSQL append hot path: one statement per append, on the pool directly. `seq` comes from
 * `UPDATE channels SET last_seq = last_seq + 1 … RETURNING` in the same statement as the insert
 * and the members' unread counters, so the channel row lock serialises writers across
 * connections and instances, and a failed insert (unique violation) rolls the bump and the
 * counts back: no gap, no drift. Idempotency (req_id per channel and sender, caller-chosen
 * message_id) is enforced by unique indexes: a repeat, sequential or concurrent, hits one, and the
 * stored original is returned with `duplicate: true`.
 */
export function createPostgresAppender(pool: pg.Pool, codec: Codec): Appender {
  const inflight = new Set<Promise<unknown>>();

  /** The stored message a repeat of the input stands for (same req_id, else same message_id). */
  async function findOriginal({ input }: EncodedMessage): Promise<StoredMessage | null> {
    if (input.req_id) {
      const user = input.user_id ?? null;
      // The same predicates as the two partial unique indexes, so the lookup uses them.
      const { rows } =
        user === null
          ? await pool.query({ ...BY_REQ_NOUSER, values: [input.channel_url, input.req_id] })
          : await pool.query({ ...BY_REQ_USER, values: [input.channel_url, user, input.req_id] });
      if (rows[0]) return codec.message(rows[0]);
    }
    if (input.message_id) {
      const { rows } = await pool.query({ ...BY_ID, values: [input.message_id] });
      if (rows[0]) return codec.message(rows[0]);
    }
    return null;
  }

  async function append(
    encoded: EncodedMessage,
    record?: (stored: StoredMessage) => OutboxEntry[],
  ): Promise<AppendResult> {
    const { input, message: m, dataJson, fileJson } = encoded;
    const keyed = Boolean(input.req_id || input.message_id);
    // No lookup first: a repeat (rare) fails the insert on a unique index, which rolls the whole
    // statement back, and only then is the original read. A new message costs one round trip
    // (three, in a transaction with its outbox rows, when a webhook endpoint wants messages).
    try {
      const run = record ? appendRecorded : (q: Query) => pool.query<{ seq: string }>(q);
      const { rows } = await run({
        ...APPEND,
        values: [
          m.channel_url,
          m.message_id,
          m.type,
          m.user_id,
          m.message,
          m.custom_type,
          dataJson,
          fileJson,
          m.req_id,
          m.created_at,
        ],
      });
      const row = rows[0];
      if (!row) throw new StoreError("CHANNEL_NOT_FOUND", `channel ${m.channel_url} does not exist`);
      return { message: { ...m, seq: Number(row.seq) }, duplicate: false };

      /** The append, then its outbox rows, in one transaction (the channel row lock orders them). */
      async function appendRecorded(q: Query) {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          const r = await client.query<{ seq: string }>(q);
          const stored = r.rows[0];
          if (stored) {
            const all = record!({ ...m, seq: Number(stored.seq) });
            const entries = all.filter((e) => e.endpoint_id !== FEED_ENDPOINT);
            if (entries.length > 0) await client.query(outboxInsert(entries));
            for (const e of all)
              if (e.endpoint_id === FEED_ENDPOINT)
                await client.query({
                  name: "podchat_feed_insert",
                  text: FEED_INSERT,
                  values: [e.event_id, e.type, e.channel_url, e.payload, e.created_at],
                });
          }
          await client.query("COMMIT");
          return r;
        } catch (e) {
          await client.query("ROLLBACK").catch(() => {});
          throw e;
        } finally {
          client.release();
        }
      }
    } catch (e) {
      if (keyed && isUniqueViolation(e)) {
        const original = await findOriginal(encoded);
        if (original) return { message: original, duplicate: true };
      }
      throw e;
    }
  }

  return {
    append(encoded, record) {
      const p = append(encoded, record);
      inflight.add(p);
      const done = () => inflight.delete(p);
      p.then(done, done);
      return p;
    },
    async flush() {
      // Appends are durable when they resolve (no write-behind queue); wait for those in flight.
      await Promise.allSettled([...inflight]);
    },
  };
}
