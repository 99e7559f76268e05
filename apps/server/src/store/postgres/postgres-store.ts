import { randomUUID } from "node:crypto";
import postgres from "postgres";
import type { FileInfo, MessageType, ProviderName } from "@podchat/protocol";
import {
  type AppendResult,
  type ChangeResult,
  type ChannelPatch,
  type DeleteInput,
  type EditInput,
  type ReadMark,
  type StoredFile,
  type ListChannelsOptions,
  type MessageRange,
  type MessageStore,
  type NewChannel,
  type NewMessage,
  type StoredChannel,
  type StoredMessage,
  StoreError,
  newStoredMessage,
} from "../message-store.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { interimListUserChannels, interimTotalUnread } from "../interim-inbox.ts";
import { postgresMigrations } from "./migrations.ts";

export interface PostgresStoreOptions {
  /** Connection URL, e.g. `postgres://user:pass@host:5432/db`. */
  url: string;
  /**
   * Schema holding the tables; created by `migrate()` when missing. Default: the server's
   * search_path (usually `public`). Letters, digits and `_` only.
   */
  schema?: string;
  /** Pool size (connections). Default 10. */
  max?: number;
  /** Seconds to wait for a connection before the operation fails. Default 10. */
  connectTimeoutSeconds?: number;
  /** Shown in `pg_stat_activity`. Default `podchat`. */
  applicationName?: string;
}

interface ChannelRow {
  channel_url: string;
  name: string;
  custom_type: string | null;
  data: Record<string, unknown>;
  provider: string;
  created_at: string;
  /** BIGINT: the driver returns it as a string. */
  last_seq: string | number;
  member_count: number;
}

interface MessageRow {
  message_id: string;
  channel_url: string;
  seq: string | number;
  type: string;
  user_id: string | null;
  message: string;
  custom_type: string | null;
  data: Record<string, unknown> | null;
  file: FileInfo | null;
  req_id: string | null;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
  target_seq: string | number | null;
  target_message_id: string | null;
}

const MESSAGE_TYPES = ["MESG", "FILE", "IMAGE", "ADMM"];

/** First key of the two-key advisory lock taken by `migrate()` ("pod" in ASCII). */
const MIGRATION_LOCK_CLASS = 0x706f64;
const HEALTH_TIMEOUT_MS = 2000;
const UNIQUE_VIOLATION = "23505";

function toChannel(r: ChannelRow): StoredChannel {
  return {
    channel_url: r.channel_url,
    name: r.name,
    custom_type: r.custom_type,
    data: r.data,
    provider: r.provider as ProviderName,
    created_at: r.created_at,
    last_seq: Number(r.last_seq),
    member_count: r.member_count,
    last_activity_at: r.created_at,
  };
}

function toMessage(r: MessageRow): StoredMessage {
  return {
    message_id: r.message_id,
    channel_url: r.channel_url,
    seq: Number(r.seq),
    type: r.type as MessageType,
    user_id: r.user_id,
    message: r.message,
    custom_type: r.custom_type,
    data: r.data,
    file: r.file,
    req_id: r.req_id,
    created_at: r.created_at,
    edited_at: r.edited_at ?? null,
    deleted: r.deleted === true,
    target_seq: r.target_seq === null || r.target_seq === undefined ? null : Number(r.target_seq),
    target_message_id: r.target_message_id ?? null,
  };
}

interface FileRow extends Omit<StoredFile, "size"> {
  size: string | number;
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof postgres.PostgresError && e.code === UNIQUE_VIOLATION;
}

/**
 * PostgreSQL store (the `postgres` client, one pool per instance). Several instances may share
 * one database: `seq` comes from `UPDATE channels SET last_seq = last_seq + 1 … RETURNING` in the
 * same statement as the insert, so the channel row lock serialises writers across connections and
 * instances, and a failed insert rolls the bump back (no gap). Idempotency (req_id per channel and
 * user, caller-chosen message_id) is enforced by unique indexes; a concurrent duplicate hits the
 * index, and the stored original is returned with `duplicate: true`.
 */
export function createPostgresStore(options: PostgresStoreOptions): MessageStore {
  const schema = options.schema;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  }
  const sql = postgres(options.url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    // Reconnect quickly after an outage: the driver's default backoff grows to 20 s.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
    onnotice: () => {},
    connection: {
      application_name: options.applicationName ?? "podchat",
      ...(schema ? { search_path: schema } : {}),
    },
  });
  let closed = false;
  const inflight = new Set<Promise<unknown>>();

  /** Every failure leaves as a StoreError; anything unexpected is retryable STORE_UNAVAILABLE. */
  async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (closed) throw new StoreError("STORE_UNAVAILABLE", "store is closed");
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError("STORE_UNAVAILABLE", `postgres: ${what} failed`, { cause: e });
    }
  }

  const notFound = (url: string) => new StoreError("CHANNEL_NOT_FOUND", `channel ${url} does not exist`);

  async function requireChannel(
    q: postgres.Sql | postgres.TransactionSql,
    url: string,
  ): Promise<StoredChannel> {
    const [row] = await q<ChannelRow[]>`SELECT * FROM channels WHERE channel_url = ${url}`;
    if (!row) throw notFound(url);
    return toChannel(row);
  }

  async function recount(q: postgres.TransactionSql, url: string): Promise<StoredChannel> {
    const [row] = await q<ChannelRow[]>`
      UPDATE channels SET member_count = (SELECT count(*) FROM members WHERE channel_url = ${url})
      WHERE channel_url = ${url} RETURNING *`;
    if (!row) throw notFound(url);
    return toChannel(row);
  }

  /** The stored message a repeat of `input` stands for (same req_id, else same message_id). */
  async function findOriginal(input: NewMessage): Promise<StoredMessage | null> {
    if (input.req_id) {
      // Same expression as the unique index, so the lookup uses it and agrees with it.
      const [row] = await sql<MessageRow[]>`
        SELECT * FROM messages
        WHERE channel_url = ${input.channel_url} AND COALESCE(user_id, '') = ${input.user_id ?? ""}
          AND req_id = ${input.req_id}`;
      if (row) return toMessage(row);
    }
    if (input.message_id) {
      const [row] = await sql<MessageRow[]>`SELECT * FROM messages WHERE message_id = ${input.message_id}`;
      if (row) return toMessage(row);
    }
    return null;
  }

  async function append(input: NewMessage): Promise<AppendResult> {
    const keyed = Boolean(input.req_id || input.message_id);
    if (keyed) {
      // Fast path for a sequential resend; concurrent repeats are caught by the unique indexes.
      const original = await findOriginal(input);
      if (original) return { message: original, duplicate: true };
    }
    const msg = newStoredMessage(input);
    try {
      // One statement = one implicit transaction: the row lock taken by the UPDATE is held only
      // while the insert runs, and a failing insert (unique violation) undoes the bump.
      const [row] = await sql<{ seq: string }[]>`
        WITH bump AS (
          UPDATE channels SET last_seq = last_seq + 1 WHERE channel_url = ${msg.channel_url} RETURNING last_seq
        )
        INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, custom_type, data, file, req_id, created_at)
        SELECT ${msg.channel_url}, bump.last_seq, ${msg.message_id}, ${msg.type}, ${msg.user_id}, ${msg.message},
          ${msg.custom_type}, ${msg.data === null ? null : sql.json(msg.data as postgres.JSONValue)}::jsonb,
          ${msg.file === null ? null : sql.json(msg.file as unknown as postgres.JSONValue)}::jsonb,
          ${msg.req_id}, ${msg.created_at}
        FROM bump
        RETURNING seq`;
      if (!row) throw notFound(msg.channel_url);
      msg.seq = Number(row.seq);
      return { message: msg, duplicate: false };
    } catch (e) {
      if (keyed && isUniqueViolation(e)) {
        const original = await findOriginal(input);
        if (original) return { message: original, duplicate: true };
      }
      throw e;
    }
  }

  async function change(
    input: EditInput | DeleteInput,
    kind: "MESSAGE_UPDATED" | "MESSAGE_DELETED",
  ): Promise<ChangeResult> {
    return sql.begin(async (tx) => {
      // The channel row lock orders this change with concurrent appends (same lock as the seq bump).
      const [ch] = await tx<{ last_seq: string }[]>`
        SELECT last_seq FROM channels WHERE channel_url = ${input.channel_url} FOR UPDATE`;
      if (!ch) throw notFound(input.channel_url);
      const [row] = await tx<MessageRow[]>`
        SELECT * FROM messages WHERE channel_url = ${input.channel_url} AND seq = ${input.target_seq}
          AND type = ANY(${sql.array(MESSAGE_TYPES)}::text[])`;
      if (!row || row.deleted) {
        throw new StoreError("MESSAGE_NOT_FOUND", `no message with seq ${input.target_seq}`);
      }
      if (input.require_author !== undefined && row.user_id !== input.require_author) {
        throw new StoreError("NOT_AUTHOR", "only the author may change this message");
      }
      const now = new Date().toISOString();
      const edit = kind === "MESSAGE_UPDATED" ? (input as EditInput) : null;
      const data = edit ? (edit.data !== undefined ? edit.data : row.data) : null;
      const [target] = edit
        ? await tx<MessageRow[]>`
            UPDATE messages SET message = ${edit.message},
              data = ${data === null ? null : sql.json(data as postgres.JSONValue)}::jsonb, edited_at = ${now}
            WHERE channel_url = ${input.channel_url} AND seq = ${input.target_seq} RETURNING *`
        : await tx<MessageRow[]>`
            UPDATE messages SET message = '', data = NULL, file = NULL, deleted = TRUE
            WHERE channel_url = ${input.channel_url} AND seq = ${input.target_seq} RETURNING *`;
      const [bumped] = await tx<{ last_seq: string }[]>`
        UPDATE channels SET last_seq = last_seq + 1 WHERE channel_url = ${input.channel_url} RETURNING last_seq`;
      const entry: StoredMessage = {
        message_id: randomUUID(),
        channel_url: input.channel_url,
        seq: Number(bumped!.last_seq),
        type: kind,
        user_id: input.user_id,
        message: edit ? edit.message : "",
        custom_type: null,
        data,
        file: null,
        req_id: null,
        created_at: now,
        edited_at: null,
        deleted: false,
        target_seq: input.target_seq,
        target_message_id: row.message_id,
      };
      await tx`
        INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, data, created_at, target_seq, target_message_id)
        VALUES (${entry.channel_url}, ${entry.seq}, ${entry.message_id}, ${kind}, ${entry.user_id}, ${entry.message},
          ${data === null ? null : sql.json(data as postgres.JSONValue)}::jsonb, ${now}, ${input.target_seq}, ${row.message_id})`;
      return { target: toMessage(target!), before: toMessage(row), entry };
    }) as Promise<ChangeResult>;
  }

  async function mark(url: string, userId: string): Promise<ReadMark> {
    const c = await requireChannel(sql, url);
    const [r] = await sql<{ last_read_seq: string }[]>`
      SELECT last_read_seq FROM read_marks WHERE channel_url = ${url} AND user_id = ${userId}`;
    const last = r ? Number(r.last_read_seq) : 0;
    const [n] = await sql<{ n: string }[]>`
      SELECT count(*) AS n FROM messages WHERE channel_url = ${url} AND seq > ${last}
        AND type = ANY(${sql.array(MESSAGE_TYPES)}::text[]) AND NOT deleted
        AND (user_id IS NULL OR user_id <> ${userId})`;
    return {
      channel_url: url,
      user_id: userId,
      last_read_seq: last,
      last_seq: c.last_seq,
      unread_count: Number(n?.n ?? 0),
    };
  }

  return {
    driver: "postgres",
    async migrate() {
      await guard("migrate", async () => {
        await sql.begin(async (tx) => {
          // Instances starting together queue here; the lock is released at commit.
          await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_CLASS}::int4, hashtext(${`podchat:${schema ?? ""}`}))`;
          if (schema) await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
          await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
          )`;
          const applied = new Set(
            (await tx<{ version: number }[]>`SELECT version FROM schema_migrations`).map((r) => r.version),
          );
          for (const m of postgresMigrations) {
            if (applied.has(m.version)) continue;
            await tx.unsafe(m.sql);
            await tx`INSERT INTO schema_migrations (version) VALUES (${m.version})`;
          }
        });
      });
    },
    createChannel(input: NewChannel) {
      return guard("createChannel", () =>
        sql.begin(async (tx) => {
          const createdAt = input.created_at ?? new Date().toISOString();
          const inserted = await tx`
            INSERT INTO channels (channel_url, name, custom_type, data, provider, created_at)
            VALUES (${input.channel_url}, ${input.name}, ${input.custom_type ?? null},
              ${sql.json((input.data ?? {}) as postgres.JSONValue)}::jsonb, ${input.provider}, ${createdAt})
            ON CONFLICT (channel_url) DO NOTHING
            RETURNING channel_url`;
          if (inserted.length === 0) {
            throw new StoreError("CHANNEL_EXISTS", `channel ${input.channel_url} already exists`);
          }
          if (input.user_ids.length > 0) {
            await tx`
              INSERT INTO members (channel_url, user_id, joined_at)
              SELECT ${input.channel_url}, u, ${createdAt} FROM unnest(${sql.array(input.user_ids)}::text[]) AS u
              ON CONFLICT DO NOTHING`;
          }
          return recount(tx, input.channel_url);
        }),
      );
    },
    getChannel(url) {
      return guard("getChannel", async () => {
        const [row] = await sql<ChannelRow[]>`SELECT * FROM channels WHERE channel_url = ${url}`;
        return row ? toChannel(row) : null;
      });
    },
    countChannels() {
      return guard("countChannels", async () => {
        const counts = { websocket: 0, sendbird: 0 };
        const rows = await sql<Array<{ provider: ProviderName; n: string }>>`
          SELECT provider, COUNT(*) AS n FROM channels GROUP BY provider`;
        for (const r of rows) counts[r.provider] = Number(r.n);
        return counts;
      });
    },
    listChannels(opts: ListChannelsOptions) {
      return guard("listChannels", async () => {
        const after = opts.cursor ? decodeCursor(opts.cursor) : null;
        const q = opts.q;
        const rows = await sql<ChannelRow[]>`
          SELECT * FROM channels WHERE TRUE
          ${after !== null ? sql`AND channel_url > ${after}` : sql``}
          ${q ? sql`AND (strpos(lower(channel_url), lower(${q})) > 0 OR strpos(lower(name), lower(${q})) > 0)` : sql``}
          ${opts.provider ? sql`AND provider = ${opts.provider}` : sql``}
          ORDER BY channel_url ASC
          LIMIT ${opts.limit + 1}`;
        const more = rows.length > opts.limit;
        const page = rows.slice(0, opts.limit).map(toChannel);
        const last = page[page.length - 1];
        return { channels: page, nextCursor: more && last ? encodeCursor(last.channel_url) : null };
      });
    },
    updateChannel(url, patch: ChannelPatch) {
      return guard("updateChannel", async () => {
        const setCustomType = patch.custom_type !== undefined;
        const [row] = await sql<ChannelRow[]>`
          UPDATE channels SET
            name = COALESCE(${patch.name ?? null}::text, name),
            custom_type = CASE WHEN ${setCustomType}::boolean THEN ${patch.custom_type ?? null}::text ELSE custom_type END,
            data = COALESCE(${patch.data ? sql.json(patch.data as postgres.JSONValue) : null}::jsonb, data),
            provider = COALESCE(${patch.provider ?? null}::text, provider)
          WHERE channel_url = ${url}
          RETURNING *`;
        if (!row) throw notFound(url);
        return toChannel(row);
      });
    },
    deleteChannel(url) {
      return guard("deleteChannel", async () => {
        // members and messages go with it (ON DELETE CASCADE).
        const res = await sql`DELETE FROM channels WHERE channel_url = ${url}`;
        return res.count > 0;
      });
    },
    addMembers(url, userIds) {
      return guard("addMembers", () =>
        sql.begin(async (tx) => {
          // Lock the channel first so member_count is computed after concurrent changes commit.
          const locked = await tx`SELECT 1 FROM channels WHERE channel_url = ${url} FOR NO KEY UPDATE`;
          if (locked.length === 0) throw notFound(url);
          if (userIds.length > 0) {
            await tx`
              INSERT INTO members (channel_url, user_id, joined_at)
              SELECT ${url}, u, ${new Date().toISOString()} FROM unnest(${sql.array(userIds)}::text[]) AS u
              ON CONFLICT DO NOTHING`;
          }
          return recount(tx, url);
        }),
      );
    },
    removeMembers(url, userIds) {
      return guard("removeMembers", () =>
        sql.begin(async (tx) => {
          const locked = await tx`SELECT 1 FROM channels WHERE channel_url = ${url} FOR NO KEY UPDATE`;
          if (locked.length === 0) throw notFound(url);
          if (userIds.length > 0) {
            await tx`DELETE FROM members WHERE channel_url = ${url} AND user_id = ANY(${sql.array(userIds)}::text[])`;
          }
          return recount(tx, url);
        }),
      );
    },
    listMembers(url) {
      return guard("listMembers", async () => {
        await requireChannel(sql, url);
        const rows = await sql<{ user_id: string }[]>`
          SELECT user_id FROM members WHERE channel_url = ${url} ORDER BY joined_at, user_id`;
        return rows.map((r) => r.user_id);
      });
    },
    isMember(url, userId) {
      return guard("isMember", async () => {
        const rows = await sql`SELECT 1 FROM members WHERE channel_url = ${url} AND user_id = ${userId}`;
        return rows.length > 0;
      });
    },
    appendMessage(input) {
      const p = guard("appendMessage", () => append(input));
      inflight.add(p);
      const done = () => inflight.delete(p);
      p.then(done, done);
      return p;
    },
    listMessages(url, range: MessageRange) {
      return guard("listMessages", async () => {
        const only = range.messagesOnly ? sql`AND type = ANY(${sql.array(MESSAGE_TYPES)}::text[])` : sql``;
        if (range.beforeSeq !== undefined) {
          const rows = await sql<MessageRow[]>`
            SELECT * FROM messages WHERE channel_url = ${url} AND seq < ${range.beforeSeq} ${only}
            ORDER BY seq DESC LIMIT ${range.limit}`;
          return rows.reverse().map(toMessage);
        }
        const rows = await sql<MessageRow[]>`
          SELECT * FROM messages WHERE channel_url = ${url} AND seq > ${range.afterSeq ?? 0} ${only}
          ORDER BY seq ASC LIMIT ${range.limit}`;
        return rows.map(toMessage);
      });
    },
    getMessage(url, seq) {
      return guard("getMessage", async () => {
        const [row] = await sql<MessageRow[]>`
          SELECT * FROM messages WHERE channel_url = ${url} AND seq = ${seq}
            AND type = ANY(${sql.array(MESSAGE_TYPES)}::text[])`;
        return row ? toMessage(row) : null;
      });
    },
    editMessage(input) {
      return guard("editMessage", () => change(input, "MESSAGE_UPDATED"));
    },
    deleteMessage(input) {
      return guard("deleteMessage", () => change(input, "MESSAGE_DELETED"));
    },
    markRead(url, userId, seq) {
      return guard("markRead", async () => {
        const c = await requireChannel(sql, url);
        await sql`
          INSERT INTO read_marks (channel_url, user_id, last_read_seq, updated_at)
          VALUES (${url}, ${userId}, ${Math.min(seq, c.last_seq)}, ${new Date().toISOString()})
          ON CONFLICT (channel_url, user_id) DO UPDATE SET
            last_read_seq = GREATEST(read_marks.last_read_seq, excluded.last_read_seq),
            updated_at = excluded.updated_at`;
        return mark(url, userId);
      });
    },
    userChannelUrls(userId) {
      return guard("userChannelUrls", async () => {
        const rows = await sql<Array<{ channel_url: string }>>`
          SELECT channel_url FROM members WHERE user_id = ${userId} ORDER BY channel_url`;
        return rows.map((r) => r.channel_url);
      });
    },
    async totalUnread(userId) {
      return interimTotalUnread(this, await this.userChannelUrls(userId), userId);
    },
    async listUserChannels(userId, o) {
      return interimListUserChannels(this, await this.userChannelUrls(userId), userId, o);
    },
    readMark(url, userId) {
      return guard("readMark", () => mark(url, userId));
    },
    readState(url) {
      return guard("readState", async () => {
        await requireChannel(sql, url);
        const rows = await sql<{ user_id: string; last_read_seq: string | null }[]>`
          SELECT m.user_id, r.last_read_seq FROM members m
          LEFT JOIN read_marks r ON r.channel_url = m.channel_url AND r.user_id = m.user_id
          WHERE m.channel_url = ${url} ORDER BY m.joined_at, m.user_id`;
        return rows.map((r) => ({ user_id: r.user_id, last_read_seq: Number(r.last_read_seq ?? 0) }));
      });
    },
    getModeration(url) {
      return guard("getModeration", async () => {
        const [c] = await sql<{ frozen: boolean }[]>`SELECT frozen FROM channels WHERE channel_url = ${url}`;
        if (!c) throw notFound(url);
        const [ops, rs] = await Promise.all([
          sql<
            { user_id: string }[]
          >`SELECT user_id FROM operators WHERE channel_url = ${url} ORDER BY user_id`,
          sql<{ user_id: string; kind: string; until: string | null }[]>`
            SELECT user_id, kind, until FROM restrictions
            WHERE channel_url = ${url} AND (until IS NULL OR until > ${new Date().toISOString()})
            ORDER BY user_id`,
        ]);
        return {
          frozen: c.frozen,
          operators: ops.map((r) => r.user_id),
          banned: rs.filter((r) => r.kind === "ban").map((r) => ({ user_id: r.user_id, until: r.until })),
          muted: rs.filter((r) => r.kind === "mute").map((r) => ({ user_id: r.user_id, until: r.until })),
        };
      });
    },
    restrict(url, kind, userIds, until) {
      return guard("restrict", async () => {
        await requireChannel(sql, url);
        await sql`
          INSERT INTO restrictions (channel_url, user_id, kind, until, created_at)
          SELECT ${url}, u, ${kind}, ${until}, ${new Date().toISOString()} FROM unnest(${sql.array(userIds)}::text[]) AS u
          ON CONFLICT (channel_url, kind, user_id) DO UPDATE SET until = excluded.until, created_at = excluded.created_at`;
      });
    },
    unrestrict(url, kind, userId) {
      return guard("unrestrict", async () => {
        await requireChannel(sql, url);
        await sql`DELETE FROM restrictions WHERE channel_url = ${url} AND kind = ${kind} AND user_id = ${userId}`;
      });
    },
    setFrozen(url, frozen) {
      return guard("setFrozen", async () => {
        const r = await sql`UPDATE channels SET frozen = ${frozen} WHERE channel_url = ${url}`;
        if (r.count === 0) throw notFound(url);
      });
    },
    addOperators(url, userIds) {
      return guard("addOperators", async () => {
        await requireChannel(sql, url);
        await sql`
          INSERT INTO operators (channel_url, user_id)
          SELECT ${url}, u FROM unnest(${sql.array(userIds)}::text[]) AS u ON CONFLICT DO NOTHING`;
      });
    },
    removeOperators(url, userIds) {
      return guard("removeOperators", async () => {
        await sql`DELETE FROM operators WHERE channel_url = ${url} AND user_id = ANY(${sql.array(userIds)}::text[])`;
      });
    },
    saveFile(f) {
      return guard("saveFile", async () => {
        await requireChannel(sql, f.channel_url);
        await sql`
          INSERT INTO files (file_id, channel_url, user_id, name, size, mime_type, width, height, storage_key, thumbnail_key, created_at)
          VALUES (${f.file_id}, ${f.channel_url}, ${f.user_id}, ${f.name}, ${f.size}, ${f.mime_type}, ${f.width},
            ${f.height}, ${f.storage_key}, ${f.thumbnail_key}, ${f.created_at})`;
      });
    },
    getFile(id) {
      return guard("getFile", async () => {
        const [r] = await sql<FileRow[]>`SELECT * FROM files WHERE file_id = ${id}`;
        return r ? { ...r, size: Number(r.size) } : null;
      });
    },
    async flush() {
      // Appends are durable when they resolve (no write-behind queue); wait for those in flight.
      await Promise.allSettled([...inflight]);
    },
    async healthy() {
      if (closed) return false;
      const ping = sql`SELECT 1`.then(
        () => true,
        () => false,
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
      });
      try {
        return await Promise.race([ping, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      await Promise.allSettled([...inflight]);
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
}
