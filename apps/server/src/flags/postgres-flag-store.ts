import type { ProviderName } from "@podchat/protocol";
import postgres from "postgres";
import {
  type AuditFilter,
  type EnvName,
  type FlagStore,
  type RuntimeFlags,
  type StoredAuditEntry,
  type StoredOverride,
  diffFlags,
  emptyFlags,
} from "./flag-store.ts";

interface FlagRow {
  env: string;
  use_websocket: boolean | null;
  rollout_percent: number | null;
  user_groups: string[] | null;
  updated_at: string | null;
  updated_by: string | null;
}

/** Flags in PostgreSQL (shared by every instance of an environment). */
export function createPostgresFlagStore(options: { url: string; schema?: string }): FlagStore {
  const sql = postgres(options.url, {
    max: 2,
    onnotice: () => {},
    ...(options.schema ? { connection: { search_path: options.schema } } : {}),
    types: { numeric: { to: 1700, from: [1700], serialize: String, parse: Number } },
  });

  const getWith = async (tx: postgres.Sql | postgres.TransactionSql, env: EnvName): Promise<RuntimeFlags> => {
    const rows = await tx<
      FlagRow[]
    >`SELECT env, use_websocket, rollout_percent::float8 AS rollout_percent, user_groups, updated_at, updated_by FROM flags WHERE env = ${env}`;
    const r = rows[0];
    return r ? { ...r, env: r.env as EnvName } : emptyFlags(env);
  };

  const audit = (
    tx: postgres.TransactionSql,
    env: string,
    key: string,
    old: unknown,
    next: unknown,
    actor: string,
    at: string,
  ) =>
    tx`INSERT INTO flag_audit (env, key, old_value, new_value, actor, at)
       VALUES (${env}, ${key}, ${sql.json((old ?? null) as postgres.JSONValue)}, ${sql.json((next ?? null) as postgres.JSONValue)}, ${actor}, ${at})`;

  return {
    async migrate() {
      if (options.schema)
        await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS "${options.schema.replace(/[^A-Za-z0-9_]/g, "")}"`);
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(727272)`;
        await tx.unsafe(`
          CREATE TABLE IF NOT EXISTS flags (
            env TEXT PRIMARY KEY,
            use_websocket BOOLEAN,
            rollout_percent NUMERIC,
            user_groups JSONB,
            updated_at TEXT,
            updated_by TEXT
          );
          CREATE TABLE IF NOT EXISTS flag_overrides (
            channel_url TEXT PRIMARY KEY,
            provider TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
          );
          CREATE TABLE IF NOT EXISTS flag_audit (
            id BIGSERIAL PRIMARY KEY,
            env TEXT NOT NULL,
            key TEXT NOT NULL,
            old_value JSONB,
            new_value JSONB,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
          );
        `);
      });
    },
    async get(env) {
      return getWith(sql, env);
    },
    async set(env, patch, actor) {
      return sql.begin(async (tx) => {
        await tx`INSERT INTO flags (env) VALUES (${env}) ON CONFLICT (env) DO NOTHING`;
        await tx`SELECT 1 FROM flags WHERE env = ${env} FOR UPDATE`;
        const current = await getWith(tx, env);
        const changes = diffFlags(current, patch);
        if (changes.length === 0) return current;
        const at = new Date().toISOString();
        const next = { ...current, ...patch, updated_at: at, updated_by: actor };
        await tx`UPDATE flags SET use_websocket = ${next.use_websocket}, rollout_percent = ${next.rollout_percent},
                 user_groups = ${next.user_groups === null ? null : sql.json(next.user_groups)}, updated_at = ${at}, updated_by = ${actor}
                 WHERE env = ${env}`;
        for (const c of changes) await audit(tx, env, c.key, c.old, c.next, actor, at);
        return next;
      }) as Promise<RuntimeFlags>;
    },
    async listOverrides() {
      return sql<
        StoredOverride[]
      >`SELECT channel_url, provider, updated_by, updated_at FROM flag_overrides ORDER BY channel_url`;
    },
    async getOverride(channelUrl) {
      const rows = await sql<
        StoredOverride[]
      >`SELECT channel_url, provider, updated_by, updated_at FROM flag_overrides WHERE channel_url = ${channelUrl}`;
      return rows[0] ?? null;
    },
    async setOverride(env, channelUrl, provider: ProviderName, actor) {
      return sql.begin(async (tx) => {
        const old = await tx<
          StoredOverride[]
        >`SELECT provider FROM flag_overrides WHERE channel_url = ${channelUrl} FOR UPDATE`;
        const at = new Date().toISOString();
        await tx`INSERT INTO flag_overrides (channel_url, provider, updated_by, updated_at) VALUES (${channelUrl}, ${provider}, ${actor}, ${at})
                 ON CONFLICT (channel_url) DO UPDATE SET provider = EXCLUDED.provider, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`;
        if (old[0]?.provider !== provider)
          await audit(tx, env, `override:${channelUrl}`, old[0]?.provider ?? null, provider, actor, at);
        return { channel_url: channelUrl, provider, updated_by: actor, updated_at: at };
      }) as Promise<StoredOverride>;
    },
    async deleteOverride(env, channelUrl, actor) {
      return sql.begin(async (tx) => {
        const old = await tx<
          StoredOverride[]
        >`DELETE FROM flag_overrides WHERE channel_url = ${channelUrl} RETURNING provider`;
        if (!old[0]) return false;
        await audit(
          tx,
          env,
          `override:${channelUrl}`,
          old[0].provider,
          null,
          actor,
          new Date().toISOString(),
        );
        return true;
      }) as Promise<boolean>;
    },
    async audit(filter: AuditFilter) {
      const rows = await sql<Array<Omit<StoredAuditEntry, "id"> & { id: string }>>`
        SELECT id, env, key, old_value, new_value, actor, at FROM flag_audit
        WHERE (${filter.env ?? null}::text IS NULL OR env = ${filter.env ?? null})
          AND (${filter.actor ?? null}::text IS NULL OR actor = ${filter.actor ?? null})
          AND (${filter.key ?? null}::text IS NULL OR key = ${filter.key ?? null})
        ORDER BY id DESC LIMIT ${filter.limit}`;
      return rows.map((r) => ({ ...r, id: Number(r.id) }));
    },
    async close() {
      await sql.end({ timeout: 2 });
    },
  };
}
