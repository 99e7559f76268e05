import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  type QueryExecutorProvider,
  type SqlBool,
  sql,
} from "kysely";
import { COUNTABLE_TYPES } from "../message-store.ts";
import type { StoreCapabilities } from "./dialect.ts";

/**
 * The schema as kysely migrations: one list for both databases, run in name order by kysely's
 * `Migrator` (bookkeeping in `kysely_migration`). Never edit a shipped one: add a new one.
 *
 * 0001 and 0002 are the schema 0.1 and 0.2 made with their own migrator, which recorded versions
 * 1 and 2 in `schema_migrations`; on such a database they do nothing, so a 0.2 database carries on
 * from 0003 with its data in place. Differences between the databases are the capability fields
 * (column types, WITHOUT ROWID, the references 0.2 declared on PostgreSQL), not branches.
 */
export function storeMigrations(caps: StoreCapabilities): Record<string, Migration> {
  const t = {
    key: sql.raw(caps.types.key),
    json: sql.raw(caps.types.json),
    serialKey: sql.raw(caps.types.serialKey),
    bigint: sql.raw(caps.types.bigint),
    bool: sql.raw(caps.types.bool),
  };
  const countable = sql.join(COUNTABLE_TYPES.map((x) => sql.lit(x)));
  /** A channel_url column: a key, with 0.2's cascading reference where the database had one. */
  const channelRef = (c: ColumnDefinitionBuilder) => {
    const col = c.notNull();
    return caps.foreignKeys ? col.references("channels.channel_url").onDelete("cascade") : col;
  };
  const clustered = <T extends CreateTableBuilder<string, string>>(b: T): T =>
    (caps.withoutRowid ? b.modifyEnd(sql`without rowid`) : b) as T;
  const legacy = async (db: QueryExecutorProvider, version: number) =>
    (await caps.tableExists(db, "schema_migrations")) &&
    (await sql<{ n: number }>`select 1 as n from schema_migrations where version = ${version}`.execute(db))
      .rows.length > 0;

  return {
    "0001_channels_members_messages": {
      async up(db: Kysely<unknown>) {
        if (await legacy(db, 1)) return;
        await db.schema
          .createTable("channels")
          .addColumn("channel_url", t.key, (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("custom_type", "text")
          .addColumn("data", t.json, (c) => c.notNull().defaultTo(sql`'{}'`))
          .addColumn("provider", "text", (c) => c.notNull().defaultTo("websocket"))
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("last_seq", t.bigint, (c) => c.notNull().defaultTo(0))
          .addColumn("member_count", "integer", (c) => c.notNull().defaultTo(0))
          .execute();
        await clustered(
          db.schema
            .createTable("members")
            .addColumn("channel_url", t.key, channelRef)
            .addColumn("user_id", t.key, (c) => c.notNull())
            .addColumn("joined_at", "text", (c) => c.notNull())
            .addPrimaryKeyConstraint("members_pkey", ["channel_url", "user_id"]),
        ).execute();
        await db.schema
          .createTable("messages")
          .addColumn("channel_url", t.key, channelRef)
          .addColumn("seq", t.bigint, (c) => c.notNull())
          .addColumn("message_id", "text", (c) => c.notNull().unique())
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("user_id", "text")
          .addColumn("message", "text", (c) => c.notNull())
          .addColumn("custom_type", "text")
          .addColumn("data", t.json)
          .addColumn("file", t.json)
          .addColumn("req_id", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("messages_pkey", ["channel_url", "seq"])
          .execute();
        // 0.1's req_id index is replaced by 0003's (which also treats a null sender alike on both).
      },
    },
    "0002_edits_reads_moderation_files": {
      async up(db: Kysely<unknown>) {
        if (await legacy(db, 2)) return;
        await db.schema.alterTable("messages").addColumn("edited_at", "text").execute();
        await db.schema
          .alterTable("messages")
          .addColumn("deleted", t.bool, (c) => c.notNull().defaultTo(sql.lit(false)))
          .execute();
        await db.schema.alterTable("messages").addColumn("target_seq", t.bigint).execute();
        await db.schema.alterTable("messages").addColumn("target_message_id", "text").execute();
        await db.schema
          .alterTable("channels")
          .addColumn("frozen", t.bool, (c) => c.notNull().defaultTo(sql.lit(false)))
          .execute();
        await clustered(
          db.schema
            .createTable("read_marks")
            .addColumn("channel_url", t.key, channelRef)
            .addColumn("user_id", t.key, (c) => c.notNull())
            .addColumn("last_read_seq", t.bigint, (c) => c.notNull())
            .addColumn("updated_at", "text", (c) => c.notNull())
            .addPrimaryKeyConstraint("read_marks_pkey", ["channel_url", "user_id"]),
        ).execute();
        await clustered(
          db.schema
            .createTable("operators")
            .addColumn("channel_url", t.key, channelRef)
            .addColumn("user_id", t.key, (c) => c.notNull())
            .addPrimaryKeyConstraint("operators_pkey", ["channel_url", "user_id"]),
        ).execute();
        await clustered(
          db.schema
            .createTable("restrictions")
            .addColumn("channel_url", t.key, channelRef)
            .addColumn("user_id", t.key, (c) => c.notNull())
            .addColumn("kind", "text", (c) => c.notNull())
            .addColumn("until", "text")
            .addColumn("created_at", "text", (c) => c.notNull())
            .addPrimaryKeyConstraint("restrictions_pkey", ["channel_url", "kind", "user_id"]),
        ).execute();
        await db.schema
          .createTable("files")
          .addColumn("file_id", "text", (c) => c.primaryKey())
          .addColumn("channel_url", t.key, channelRef)
          .addColumn("user_id", "text")
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("size", t.bigint, (c) => c.notNull())
          .addColumn("mime_type", "text", (c) => c.notNull())
          .addColumn("width", "integer")
          .addColumn("height", "integer")
          .addColumn("storage_key", "text", (c) => c.notNull())
          .addColumn("thumbnail_key", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("files_channel").on("files").column("channel_url").execute();
      },
    },
    "0003_inbox_counters_idempotency": {
      async up(db: Kysely<unknown>) {
        // Idempotency keyed by (channel, sender, req_id) with "no sender" as one sender of its own,
        // the same on both databases (0.2: SQLite let NULLs differ; PostgreSQL mixed NULL and '').
        await db.schema.dropIndex("messages_req_id").ifExists().execute();
        await db.schema
          .createIndex("messages_req_user")
          .unique()
          .on("messages")
          .columns(["channel_url", "user_id", "req_id"])
          .where(sql<SqlBool>`req_id is not null and user_id is not null`)
          .execute();
        await db.schema
          .createIndex("messages_req_nouser")
          .unique()
          .on("messages")
          .columns(["channel_url", "req_id"])
          .where(sql<SqlBool>`req_id is not null and user_id is null`)
          .execute();

        // Unread without touching every member on each message (see reads.ts): the channel counts
        // its countable, undeleted messages; a member's unread is that count minus its read offset,
        // filled from the read marks with today's definition.
        await db.schema
          .alterTable("channels")
          .addColumn("countable_count", t.bigint, (c) => c.notNull().defaultTo(0))
          .execute();
        await sql`
          update channels set countable_count = (select count(*) from messages m
            where m.channel_url = channels.channel_url and m.type in (${countable}) and not m.deleted)`.execute(
          db,
        );
        await db.schema
          .alterTable("members")
          .addColumn("read_offset", t.bigint, (c) => c.notNull().defaultTo(0))
          .execute();
        await sql`
          update members set read_offset = (
            select c.countable_count from channels c where c.channel_url = members.channel_url
          ) - (
            select count(*) from messages m
            where m.channel_url = members.channel_url
              and m.seq > coalesce((select r.last_read_seq from read_marks r
                where r.channel_url = members.channel_url and r.user_id = members.user_id), 0)
              and m.type in (${countable}) and not m.deleted
              and (m.user_id is null or m.user_id <> members.user_id))`.execute(db);
        await db.schema.createIndex("members_user").on("members").column("user_id").execute();

        // Inbox order: last activity, and the newest message to show with it.
        await db.schema
          .alterTable("channels")
          .addColumn("last_message_seq", t.bigint, (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .alterTable("channels")
          .addColumn("last_activity_at", t.key, (c) => c.notNull().defaultTo(""))
          .execute();
        await sql`
          update channels set last_message_seq = coalesce((select max(m.seq) from messages m
            where m.channel_url = channels.channel_url and m.type in (${countable})), 0)`.execute(db);
        await sql`
          update channels set last_activity_at = coalesce((select m.created_at from messages m
            where m.channel_url = channels.channel_url and m.seq = channels.last_message_seq), created_at)`.execute(
          db,
        );
        await db.schema
          .createIndex("channels_activity")
          .on("channels")
          .columns(["last_activity_at", "channel_url"])
          .execute();
      },
    },
    "0004_webhook_outbox": {
      async up(db: Kysely<unknown>) {
        // The payload is text, not JSON: it is the exact body that is signed and sent.
        await db.schema
          .createTable("webhook_outbox")
          .addColumn("id", t.serialKey)
          .addColumn("endpoint_id", t.key, (c) => c.notNull())
          .addColumn("event_id", "text", (c) => c.notNull())
          .addColumn("channel_url", t.key, (c) => c.notNull())
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("payload", "text", (c) => c.notNull())
          .addColumn("state", "text", (c) => c.notNull().defaultTo("pending"))
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("next_attempt_at", t.bigint, (c) => c.notNull())
          .addColumn("lease_until", t.bigint, (c) => c.notNull().defaultTo(0))
          .addColumn("lease_owner", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("updated_at", "text", (c) => c.notNull())
          .addColumn("delivered_at", "text")
          .addColumn("last_status", "integer")
          .addColumn("last_error", "text")
          .execute();
        // The queue: per endpoint and channel, pending rows in id order (the head is claimed).
        await db.schema
          .createIndex("webhook_outbox_queue")
          .on("webhook_outbox")
          .columns(["endpoint_id", "channel_url", "id"])
          .where(sql<SqlBool>`state = 'pending'`)
          .execute();
        // Partial, so an append's outbox row enters one index besides the key: dead letters (the
        // admin's list) and delivered rows (pruned by age) are indexed when they become so.
        await db.schema
          .createIndex("webhook_outbox_dead")
          .on("webhook_outbox")
          .columns(["endpoint_id", "id"])
          .where(sql<SqlBool>`state = 'dead'`)
          .execute();
        await db.schema
          .createIndex("webhook_outbox_delivered")
          .on("webhook_outbox")
          .column("delivered_at")
          .where(sql<SqlBool>`state = 'delivered'`)
          .execute();
      },
    },
    "0005_audit_log": {
      async up(db: Kysely<unknown>) {
        // One row per audited action (audit/); ids sort by time, so pages are keyset on id.
        await db.schema
          .createTable("audit_log")
          .addColumn("id", t.key, (c) => c.primaryKey())
          .addColumn("at", t.key, (c) => c.notNull())
          .addColumn("actor_kind", "text", (c) => c.notNull())
          .addColumn("actor_id", t.key, (c) => c.notNull())
          .addColumn("action", t.key, (c) => c.notNull())
          .addColumn("channel_url", t.key)
          .addColumn("user_id", t.key)
          .addColumn("before_value", t.json)
          .addColumn("after_value", t.json)
          .addColumn("request_id", "text", (c) => c.notNull())
          .addColumn("node_id", "text", (c) => c.notNull())
          .addColumn("ip", "text")
          .execute();
        await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();
        await db.schema.createIndex("audit_log_action").on("audit_log").columns(["action", "id"]).execute();
        await db.schema.createIndex("audit_log_actor").on("audit_log").columns(["actor_id", "id"]).execute();
        await db.schema
          .createIndex("audit_log_channel")
          .on("audit_log")
          .columns(["channel_url", "id"])
          .execute();
        await db.schema.createIndex("audit_log_user").on("audit_log").columns(["user_id", "id"]).execute();
      },
    },
    "0006_token_revocations": {
      async up(db: Kysely<unknown>) {
        // One row per user whose tokens were revoked; read whole at start, so kept small: rows
        // older than the longest token lifetime are ignored (and may be purged).
        await db.schema
          .createTable("token_revocations")
          .addColumn("user_id", t.key, (c) => c.primaryKey())
          .addColumn("revoked_at", t.key, (c) => c.notNull())
          .execute();
      },
    },
    "0007_push_devices": {
      async up(db: Kysely<unknown>) {
        // Push notification targets (push/): one row per device, unique per kind and address
        // (the Web Push endpoint or the device token), so a re-registration moves it to its user.
        await db.schema
          .createTable("push_devices")
          .addColumn("id", t.key, (c) => c.primaryKey())
          .addColumn("user_id", t.key, (c) => c.notNull())
          .addColumn("kind", t.key, (c) => c.notNull())
          .addColumn("address", "text", (c) => c.notNull())
          .addColumn("p256dh", "text")
          .addColumn("auth", "text")
          .addColumn("topic", "text")
          .addColumn("created_at", t.key, (c) => c.notNull())
          .addColumn("updated_at", t.key, (c) => c.notNull())
          .addUniqueConstraint("push_devices_address", ["kind", "address"])
          .execute();
        await db.schema.createIndex("push_devices_user").on("push_devices").column("user_id").execute();
        // Mutes: channel_url '' is the user-wide mute; until null = until unmuted.
        await db.schema
          .createTable("push_mutes")
          .addColumn("user_id", t.key, (c) => c.notNull())
          .addColumn("channel_url", t.key, (c) => c.notNull())
          .addColumn("until", t.key)
          .addPrimaryKeyConstraint("push_mutes_pk", ["user_id", "channel_url"])
          .execute();
      },
    },
    "0008_message_search": {
      async up(db: Kysely<unknown>) {
        // Full-text search over messages' current text (search.ts; why trigrams: decisions.md).
        // Only live messages are indexed: not log entries (their text is an edit's), not tombstones.
        if (caps.textSearch === "fts5") {
          const indexed = (r: "new" | "old") =>
            sql.raw(`${r}.type in (${COUNTABLE_TYPES.map((x) => `'${x}'`).join(", ")}) and not ${r}.deleted`);
          // External content: the index holds trigrams only and shares the messages' rowids.
          await sql`create virtual table messages_fts using fts5(
            message, content = 'messages', content_rowid = 'rowid', tokenize = 'trigram')`.execute(db);
          await sql`create trigger messages_fts_insert after insert on messages when ${indexed("new")}
            begin insert into messages_fts (rowid, message) values (new.rowid, new.message); end`.execute(db);
          await sql`create trigger messages_fts_delete after delete on messages when ${indexed("old")}
            begin insert into messages_fts (messages_fts, rowid, message)
              values ('delete', old.rowid, old.message); end`.execute(db);
          await sql`create trigger messages_fts_update after update of message, deleted on messages
            begin
              insert into messages_fts (messages_fts, rowid, message)
                select 'delete', old.rowid, old.message where ${indexed("old")};
              insert into messages_fts (rowid, message) select new.rowid, new.message where ${indexed("new")};
            end`.execute(db);
          await sql`insert into messages_fts (rowid, message)
            select rowid, message from messages where type in (${countable}) and not deleted`.execute(db);
          return;
        }
        // PostgreSQL: pg_trgm (a contrib extension shipped with PostgreSQL), created when missing —
        // in public where there is one, so dropping a podchat schema never drops it. Its operator
        // class is named with the extension's schema, which may be off the search path.
        const where = async () =>
          (
            await sql<{ s: string }>`select n.nspname as s from pg_extension e
              join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db)
          ).rows[0]?.s;
        if ((await where()) === undefined) {
          const pub = await sql`select 1 from pg_namespace where nspname = 'public'`.execute(db);
          // A role without the right to create extensions (managed databases often) still migrates:
          // search then runs without the index (ILIKE over each channel's bounded window; slower).
          // The create runs in a savepoint so its failure does not abort the migration's transaction.
          await sql`savepoint pg_trgm_create`.execute(db);
          try {
            await sql`create extension if not exists pg_trgm ${pub.rows.length > 0 ? sql`schema public` : sql``}`.execute(
              db,
            );
            await sql`release savepoint pg_trgm_create`.execute(db);
          } catch {
            await sql`rollback to savepoint pg_trgm_create`.execute(db);
          }
        }
        const schema = await where();
        if (schema === undefined) return; // no pg_trgm: docs/decisions.md (message search)
        await sql`create index messages_search on messages
          using gin (message ${sql.id(schema, "gin_trgm_ops")})
          where type in (${countable}) and not deleted`.execute(db);
      },
    },
    "0009_pins": {
      async up(db: Kysely<unknown>) {
        await clustered(
          db.schema
            .createTable("pins")
            .addColumn("channel_url", t.key, channelRef)
            .addColumn("seq", t.bigint, (c) => c.notNull())
            .addColumn("pinned_by", "text")
            .addColumn("pinned_at", t.key, (c) => c.notNull())
            .addPrimaryKeyConstraint("pins_pkey", ["channel_url", "seq"]),
        ).execute();
      },
    },
    "0010_event_log": {
      async up(db: Kysely<unknown>) {
        // The events feed (docs/webhooks.md#the-events-feed): one row per event, numbered by the
        // one counter row, bumped in the change's own transaction (docs/decisions.md: gap-free,
        // and positions become visible in order because the row lock orders the commits).
        await db.schema
          .createTable("event_log")
          .addColumn("position", t.bigint, (c) => c.primaryKey())
          .addColumn("event_id", "text", (c) => c.notNull())
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("channel_url", t.key, (c) => c.notNull())
          .addColumn("payload", "text", (c) => c.notNull())
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("event_log_created").on("event_log").column("created_at").execute();
        await db.schema
          .createTable("event_log_counter")
          .addColumn("id", "integer", (c) => c.primaryKey())
          .addColumn("last_position", t.bigint, (c) => c.notNull())
          .execute();
        await sql`insert into event_log_counter (id, last_position) values (1, 0)`.execute(db);
      },
    },
  };
}
