import type Database from "better-sqlite3";
import {
  type AppendResult,
  FEED_ENDPOINT,
  type OutboxEntry,
  StoreError,
  type StoredMessage,
} from "../message-store.ts";
import type { Appender, EncodedMessage } from "../kysely/dialect.ts";
import { MESSAGE_COLUMNS, type Codec } from "../kysely/rows.ts";

interface Pending {
  encoded: EncodedMessage;
  record: ((stored: StoredMessage) => OutboxEntry[]) | undefined;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

/** Per channel in a batch: how many messages each sender wrote (their read offsets move by it). */
type ChannelTally = Map<string, number>;

const SELECT = `SELECT ${MESSAGE_COLUMNS.join(", ")} FROM messages`;

/**
 * SQLite append hot path: group commit. Every append made in one event-loop turn is written in
 * one BEGIN IMMEDIATE transaction, then all of them resolve — so they resolve only once durable
 * (WAL: `synchronous` decides whether a power loss may drop the last commit). Inside it, per
 * message: the idempotency lookups, the seq bump (`last_seq + 1` on the channel row: no gap, the
 * channel's activity and countable count move with it) and the insert; per channel and sender,
 * one UPDATE of that member's read offset (so their own messages are not unread; see reads.ts). It runs on better-sqlite3 directly, with statements
 * prepared once, while holding kysely's connection so no kysely transaction interleaves.
 */
export function createGroupCommit(
  raw: Database.Database,
  exclusive: (fn: () => void) => Promise<void>,
  codec: Codec,
): Appender {
  let queue: Pending[] = [];
  let scheduled = false;
  let running: Promise<void> = Promise.resolve();
  let stmts: ReturnType<typeof prepare> | undefined;

  function prepare() {
    return {
      byReqUser: raw.prepare(`${SELECT} WHERE channel_url = ? AND user_id = ? AND req_id = ?`),
      byReqNoUser: raw.prepare(`${SELECT} WHERE channel_url = ? AND user_id IS NULL AND req_id = ?`),
      byId: raw.prepare(`${SELECT} WHERE message_id = ?`),
      bump: raw.prepare<[string, string], { last_seq: number }>(
        `UPDATE channels SET last_seq = last_seq + 1, last_message_seq = last_seq + 1, last_activity_at = ?,
           countable_count = countable_count + 1
         WHERE channel_url = ? RETURNING last_seq`,
      ),
      insert: raw.prepare(
        `INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, custom_type, data, file, req_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      own: raw.prepare(
        "UPDATE members SET read_offset = read_offset + ? WHERE channel_url = ? AND user_id = ?",
      ),
      outbox: raw.prepare(
        `INSERT INTO webhook_outbox (endpoint_id, event_id, channel_url, type, payload, state, attempts, next_attempt_at, lease_until, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, 0, ?, ?)`,
      ),
      // The events feed: numbered from the counter row, read once and written once per batch
      // (BEGIN IMMEDIATE: this batch is the only writer until it commits).
      feedLast: raw.prepare<[], { last_position: number }>(
        "SELECT last_position FROM event_log_counter WHERE id = 1",
      ),
      feedSet: raw.prepare("UPDATE event_log_counter SET last_position = ? WHERE id = 1"),
      feed: raw.prepare(
        `INSERT INTO event_log (position, event_id, type, channel_url, payload, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  function appendOne(
    { input, message, dataJson, fileJson }: EncodedMessage,
    record: Pending["record"],
    tallies: Map<string, ChannelTally>,
    feed: { last: number | null },
  ) {
    const s = stmts!;
    const userId = input.user_id ?? null;
    if (input.req_id) {
      const hit =
        userId === null
          ? s.byReqNoUser.get(input.channel_url, input.req_id)
          : s.byReqUser.get(input.channel_url, userId, input.req_id);
      if (hit) return { message: codec.message(hit as Record<string, unknown>), duplicate: true };
    }
    if (input.message_id) {
      const hit = s.byId.get(input.message_id);
      if (hit) return { message: codec.message(hit as Record<string, unknown>), duplicate: true };
    }
    const bumped = s.bump.get(message.created_at, input.channel_url);
    if (!bumped) throw new StoreError("CHANNEL_NOT_FOUND", `channel ${input.channel_url} does not exist`);
    const msg: StoredMessage = { ...message, seq: bumped.last_seq };
    s.insert.run(
      msg.channel_url,
      msg.seq,
      msg.message_id,
      msg.type,
      msg.user_id,
      msg.message,
      msg.custom_type,
      dataJson,
      fileJson,
      msg.req_id,
      msg.created_at,
    );
    if (userId !== null) {
      let t = tallies.get(msg.channel_url);
      if (!t) {
        t = new Map();
        tallies.set(msg.channel_url, t);
      }
      t.set(userId, (t.get(userId) ?? 0) + 1);
    }
    // The webhooks' outbox rows (and the feed's) commit with the batch (nothing to do when none is configured).
    if (record) {
      for (const e of record(msg)) {
        if (e.endpoint_id === FEED_ENDPOINT) {
          feed.last = (feed.last ?? s.feedLast.get()!.last_position) + 1;
          s.feed.run(feed.last, e.event_id, e.type, e.channel_url, e.payload, e.created_at);
          continue;
        }
        s.outbox.run(
          e.endpoint_id,
          e.event_id,
          e.channel_url,
          e.type,
          e.payload,
          Date.parse(e.created_at),
          e.created_at,
          e.created_at,
        );
      }
    }
    return { message: msg, duplicate: false };
  }

  function writeBatch(batch: Pending[]) {
    stmts ??= prepare();
    const outcomes: Array<{ ok: true; r: AppendResult } | { ok: false; e: unknown }> = [];
    try {
      raw
        .transaction(() => {
          const tallies = new Map<string, ChannelTally>();
          const feed = { last: null as number | null };
          for (const p of batch) {
            try {
              outcomes.push({ ok: true, r: appendOne(p.encoded, p.record, tallies, feed) });
            } catch (e) {
              if (!(e instanceof StoreError)) throw e;
              outcomes.push({ ok: false, e });
            }
          }
          for (const [url, bySender] of tallies)
            for (const [user, n] of bySender) stmts!.own.run(n, url, user);
          if (feed.last !== null) stmts!.feedSet.run(feed.last);
        })
        .immediate();
    } catch (e) {
      const err = new StoreError("STORE_UNAVAILABLE", "could not write messages", { cause: e });
      for (const p of batch) p.reject(err);
      return;
    }
    outcomes.forEach((o, i) => {
      const p = batch[i]!;
      if (o.ok) p.resolve(o.r);
      else p.reject(o.e);
    });
  }

  function schedule() {
    scheduled = true;
    setImmediate(() => {
      running = running.then(() => {
        scheduled = false;
        const batch = queue;
        queue = [];
        if (batch.length === 0) return;
        return exclusive(() => writeBatch(batch)).catch((e: unknown) => {
          const err = new StoreError("STORE_UNAVAILABLE", "could not write messages", { cause: e });
          for (const p of batch) p.reject(err);
        });
      });
    });
  }

  return {
    append(encoded, record) {
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ encoded, record, resolve, reject });
        if (!scheduled) schedule();
      });
    },
    async flush() {
      // A batch scheduled now runs on the chain after `running`; wait until the queue is empty.
      while (scheduled || queue.length > 0) await new Promise<void>((r) => setImmediate(r));
      await running;
    },
  };
}
