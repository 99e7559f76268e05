import Database from "better-sqlite3";
import type { ProviderName } from "@podchat/protocol";
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
  use_websocket: number | null;
  rollout_percent: number | null;
  user_groups: string | null;
  updated_at: string | null;
  updated_by: string | null;
}

const toFlags = (r: FlagRow): RuntimeFlags => ({
  env: r.env as EnvName,
  use_websocket: r.use_websocket === null ? null : r.use_websocket === 1,
  rollout_percent: r.rollout_percent,
  user_groups: r.user_groups === null ? null : (JSON.parse(r.user_groups) as string[]),
  updated_at: r.updated_at,
  updated_by: r.updated_by,
});

/** Flags in the same SQLite file as the messages (its own connection and tables). */
export function createSqliteFlagStore(options: { path: string }): FlagStore {
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");

  const audit = (env: string, key: string, old: unknown, next: unknown, actor: string, at: string) =>
    db
      .prepare("INSERT INTO flag_audit (env, key, old_value, new_value, actor, at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(env, key, JSON.stringify(old ?? null), JSON.stringify(next ?? null), actor, at);

  const getSync = (env: EnvName): RuntimeFlags => {
    const row = db.prepare<[string], FlagRow>("SELECT * FROM flags WHERE env = ?").get(env);
    return row ? toFlags(row) : emptyFlags(env);
  };

  return {
    async migrate() {
      db.exec(`
        CREATE TABLE IF NOT EXISTS flags (
          env TEXT PRIMARY KEY,
          use_websocket INTEGER,
          rollout_percent REAL,
          user_groups TEXT,
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
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          env TEXT NOT NULL,
          key TEXT NOT NULL,
          old_value TEXT,
          new_value TEXT,
          actor TEXT NOT NULL,
          at TEXT NOT NULL
        );
      `);
    },
    async get(env) {
      return getSync(env);
    },
    async set(env, patch, actor) {
      return db
        .transaction(() => {
          const current = getSync(env);
          const changes = diffFlags(current, patch);
          if (changes.length === 0) return current;
          const at = new Date().toISOString();
          const next = { ...current, ...patch, updated_at: at, updated_by: actor };
          db.prepare(
            `INSERT INTO flags (env, use_websocket, rollout_percent, user_groups, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(env) DO UPDATE SET use_websocket = excluded.use_websocket, rollout_percent = excluded.rollout_percent,
           user_groups = excluded.user_groups, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          ).run(
            env,
            next.use_websocket === null ? null : next.use_websocket ? 1 : 0,
            next.rollout_percent,
            next.user_groups === null ? null : JSON.stringify(next.user_groups),
            at,
            actor,
          );
          for (const c of changes) audit(env, c.key, c.old, c.next, actor, at);
          return next;
        })
        .immediate();
    },
    async listOverrides() {
      return db.prepare<[], StoredOverride>("SELECT * FROM flag_overrides ORDER BY channel_url").all();
    },
    async getOverride(channelUrl) {
      return (
        db
          .prepare<[string], StoredOverride>("SELECT * FROM flag_overrides WHERE channel_url = ?")
          .get(channelUrl) ?? null
      );
    },
    async setOverride(env, channelUrl, provider: ProviderName, actor) {
      return db
        .transaction(() => {
          const old = db
            .prepare<[string], StoredOverride>("SELECT * FROM flag_overrides WHERE channel_url = ?")
            .get(channelUrl);
          const at = new Date().toISOString();
          db.prepare(
            `INSERT INTO flag_overrides (channel_url, provider, updated_by, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(channel_url) DO UPDATE SET provider = excluded.provider, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
          ).run(channelUrl, provider, actor, at);
          if (old?.provider !== provider)
            audit(env, `override:${channelUrl}`, old?.provider ?? null, provider, actor, at);
          return { channel_url: channelUrl, provider, updated_by: actor, updated_at: at };
        })
        .immediate();
    },
    async deleteOverride(env, channelUrl, actor) {
      return db
        .transaction(() => {
          const old = db
            .prepare<[string], StoredOverride>("SELECT * FROM flag_overrides WHERE channel_url = ?")
            .get(channelUrl);
          if (!old) return false;
          db.prepare("DELETE FROM flag_overrides WHERE channel_url = ?").run(channelUrl);
          audit(env, `override:${channelUrl}`, old.provider, null, actor, new Date().toISOString());
          return true;
        })
        .immediate();
    },
    async audit(filter: AuditFilter) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.env) {
        where.push("env = ?");
        params.push(filter.env);
      }
      if (filter.actor) {
        where.push("actor = ?");
        params.push(filter.actor);
      }
      if (filter.key) {
        where.push("key = ?");
        params.push(filter.key);
      }
      const rows = db
        .prepare<
          unknown[],
          {
            id: number;
            env: string;
            key: string;
            old_value: string;
            new_value: string;
            actor: string;
            at: string;
          }
        >(
          `SELECT * FROM flag_audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`,
        )
        .all(...params, filter.limit);
      return rows.map(
        (r): StoredAuditEntry => ({
          ...r,
          old_value: JSON.parse(r.old_value),
          new_value: JSON.parse(r.new_value),
        }),
      );
    },
    async close() {
      db.close();
    },
  };
}
