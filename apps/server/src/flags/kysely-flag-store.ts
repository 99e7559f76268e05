import type { ProviderName } from "@podchat/protocol";
import { type Kysely, type Migration, Migrator, sql, type Transaction } from "kysely";
import {
  type AuditFilter,
  diffFlags,
  type EnvName,
  emptyFlags,
  type FlagStore,
  type RuntimeFlags,
  type StoredAuditEntry,
  type StoredOverride,
} from "./flag-store.ts";

export interface FlagSchema {
  flags: {
    env: string;
    use_websocket: unknown;
    rollout_percent: number | string | null;
    user_groups: string | null;
    updated_at: string | null;
    updated_by: string | null;
  };
  flag_overrides: { channel_url: string; provider: string; updated_by: string; updated_at: string };
  flag_audit: {
    id: unknown;
    env: string;
    key: string;
    old_value: string;
    new_value: string;
    actor: string;
    at: string;
  };
}

/** What differs between the databases (see store/kysely/dialect.ts). */
export interface FlagCapabilities {
  readonly types: { bool: string; real: string; json: string; id: string };
  /** The id column counts up by itself only when declared AUTOINCREMENT (SQLite); bigserial does it on PostgreSQL. */
  readonly autoIncrement: boolean;
  readonly rowLocks: boolean;
}

export interface FlagDialect {
  db: Kysely<FlagSchema>;
  caps: FlagCapabilities;
  migrationSchema(): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * 0.2 made these tables with CREATE TABLE IF NOT EXISTS and no bookkeeping; this first migration
 * is the same DDL, so a 0.2 database keeps its tables and rows.
 */
function flagMigrations(caps: FlagCapabilities): Record<string, Migration> {
  const t = {
    bool: sql.raw(caps.types.bool),
    real: sql.raw(caps.types.real),
    json: sql.raw(caps.types.json),
  };
  return {
    "0001_flags_overrides_audit": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("flags")
          .ifNotExists()
          .addColumn("env", "text", (c) => c.primaryKey())
          .addColumn("use_websocket", t.bool)
          .addColumn("rollout_percent", t.real)
          .addColumn("user_groups", t.json)
          .addColumn("updated_at", "text")
          .addColumn("updated_by", "text")
          .execute();
        await db.schema
          .createTable("flag_overrides")
          .ifNotExists()
          .addColumn("channel_url", "text", (c) => c.primaryKey())
          .addColumn("provider", "text", (c) => c.notNull())
          .addColumn("updated_by", "text", (c) => c.notNull())
          .addColumn("updated_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("flag_audit")
          .ifNotExists()
          .addColumn("id", sql.raw(caps.types.id), (c) => {
            const key = c.primaryKey();
            return caps.autoIncrement ? key.autoIncrement() : key;
          })
          .addColumn("env", "text", (c) => c.notNull())
          .addColumn("key", "text", (c) => c.notNull())
          .addColumn("old_value", t.json)
          .addColumn("new_value", t.json)
          .addColumn("actor", "text", (c) => c.notNull())
          .addColumn("at", "text", (c) => c.notNull())
          .execute();
      },
    },
  };
}

const json = (v: unknown) => JSON.stringify(v ?? null);
const parse = (v: string | null): unknown => (v === null ? null : JSON.parse(v));
const bytewise = (a: StoredOverride, b: StoredOverride) =>
  a.channel_url < b.channel_url ? -1 : a.channel_url > b.channel_url ? 1 : 0;

/** The FlagStore, written once over kysely; each change and its audit entries in one transaction. */
export function createKyselyFlagStore({ db, caps, migrationSchema, close }: FlagDialect): FlagStore {
  const toFlags = (r: FlagSchema["flags"]): RuntimeFlags => ({
    env: r.env as EnvName,
    use_websocket: r.use_websocket === null ? null : r.use_websocket === true || r.use_websocket === 1,
    rollout_percent: r.rollout_percent === null ? null : Number(r.rollout_percent),
    user_groups: parse(r.user_groups) as string[] | null,
    updated_at: r.updated_at,
    updated_by: r.updated_by,
  });

  const getWith = async (q: Kysely<FlagSchema> | Transaction<FlagSchema>, env: EnvName, lock = false) => {
    const r = await q
      .selectFrom("flags")
      .selectAll()
      .where("env", "=", env)
      .$if(lock && caps.rowLocks, (b) => b.forUpdate())
      .executeTakeFirst();
    return r ? toFlags(r) : emptyFlags(env);
  };

  const audit = (
    trx: Transaction<FlagSchema>,
    env: string,
    key: string,
    old: unknown,
    next: unknown,
    actor: string,
    at: string,
  ) =>
    trx
      .insertInto("flag_audit")
      .values({ env, key, old_value: json(old), new_value: json(next), actor, at })
      .execute();

  const override = (q: Kysely<FlagSchema> | Transaction<FlagSchema>, channelUrl: string, lock = false) =>
    q
      .selectFrom("flag_overrides")
      .select(["channel_url", "provider", "updated_by", "updated_at"])
      .where("channel_url", "=", channelUrl)
      .$if(lock && caps.rowLocks, (b) => b.forUpdate())
      .executeTakeFirst() as Promise<StoredOverride | undefined>;

  return {
    async migrate() {
      const schema = await migrationSchema();
      const { error } = await new Migrator({
        db,
        provider: { getMigrations: async () => flagMigrations(caps) },
        // The message store's migrations live in the same database: separate bookkeeping.
        migrationTableName: "flag_migration",
        migrationLockTableName: "flag_migration_lock",
        ...(schema ? { migrationTableSchema: schema } : {}),
      }).migrateToLatest();
      if (error) throw error;
    },
    get: (env) => getWith(db, env),
    set(env, patch, actor) {
      return db.transaction().execute(async (trx) => {
        // A row to lock, so concurrent changes of one environment queue up (PostgreSQL).
        await trx
          .insertInto("flags")
          .values({ env })
          .onConflict((oc) => oc.column("env").doNothing())
          .execute();
        const current = await getWith(trx, env, true);
        const changes = diffFlags(current, patch);
        if (changes.length === 0) return current;
        const at = new Date().toISOString();
        const next = { ...current, ...patch, updated_at: at, updated_by: actor };
        await trx
          .updateTable("flags")
          .set({
            use_websocket: next.use_websocket === null ? null : sql.lit(next.use_websocket),
            rollout_percent: next.rollout_percent,
            user_groups: next.user_groups === null ? null : JSON.stringify(next.user_groups),
            updated_at: at,
            updated_by: actor,
          })
          .where("env", "=", env)
          .execute();
        for (const c of changes) await audit(trx, env, c.key, c.old, c.next, actor, at);
        return next;
      });
    },
    async listOverrides() {
      const rows = (await db
        .selectFrom("flag_overrides")
        .select(["channel_url", "provider", "updated_by", "updated_at"])
        .execute()) as StoredOverride[];
      // Bytewise on both databases, whatever PostgreSQL's collation (channel urls are ASCII).
      return rows.sort(bytewise);
    },
    async getOverride(channelUrl) {
      return (await override(db, channelUrl)) ?? null;
    },
    setOverride(env, channelUrl, provider: ProviderName, actor) {
      return db.transaction().execute(async (trx) => {
        const old = await override(trx, channelUrl, true);
        const at = new Date().toISOString();
        await trx
          .insertInto("flag_overrides")
          .values({ channel_url: channelUrl, provider, updated_by: actor, updated_at: at })
          .onConflict((oc) =>
            oc.column("channel_url").doUpdateSet((eb) => ({
              provider: eb.ref("excluded.provider"),
              updated_by: eb.ref("excluded.updated_by"),
              updated_at: eb.ref("excluded.updated_at"),
            })),
          )
          .execute();
        if (old?.provider !== provider)
          await audit(trx, env, `override:${channelUrl}`, old?.provider, provider, actor, at);
        return { channel_url: channelUrl, provider, updated_by: actor, updated_at: at };
      });
    },
    deleteOverride(env, channelUrl, actor) {
      return db.transaction().execute(async (trx) => {
        const old = await trx
          .deleteFrom("flag_overrides")
          .where("channel_url", "=", channelUrl)
          .returning("provider")
          .executeTakeFirst();
        if (!old) return false;
        await audit(trx, env, `override:${channelUrl}`, old.provider, null, actor, new Date().toISOString());
        return true;
      });
    },
    async audit(filter: AuditFilter) {
      // An empty filter value means no filter, on both databases.
      const rows = await db
        .selectFrom("flag_audit")
        .selectAll()
        .$if(Boolean(filter.env), (q) => q.where("env", "=", filter.env!))
        .$if(Boolean(filter.actor), (q) => q.where("actor", "=", filter.actor!))
        .$if(Boolean(filter.key), (q) => q.where("key", "=", filter.key!))
        .orderBy("id", "desc")
        .limit(filter.limit)
        .execute();
      return rows.map(
        (r): StoredAuditEntry => ({
          id: Number(r.id),
          env: r.env,
          key: r.key,
          old_value: parse(r.old_value),
          new_value: parse(r.new_value),
          actor: r.actor,
          at: r.at,
        }),
      );
    },
    close,
  };
}
