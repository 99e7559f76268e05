import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { FileInfo, MessageType, ProviderName } from "@podchat/protocol";
import {
  type AppendResult,
  type ChangeResult,
  type ChannelPatch,
  type DeleteInput,
  type EditInput,
  type ReadMark,
  type StoredFile,
  type StoredModeration,
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
import { sqliteMigrations } from "./migrations.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { interimListUserChannels, interimTotalUnread } from "../interim-inbox.ts";

export interface SqliteStoreOptions {
  /** File path, or ":memory:". */
  path: string;
  /**
   * `normal` (default): in WAL mode a commit survives a crash of the process (kill -9); a power
   * loss may drop the last transactions. `full`: fsync on every commit, survives power loss too.
   */
  synchronous?: "normal" | "full";
}

interface ChannelRow {
  channel_url: string;
  name: string;
  custom_type: string | null;
  data: string;
  provider: string;
  created_at: string;
  last_seq: number;
  member_count: number;
}

interface MessageRow {
  message_id: string;
  channel_url: string;
  seq: number;
  type: string;
  user_id: string | null;
  message: string;
  custom_type: string | null;
  data: string | null;
  file: string | null;
  req_id: string | null;
  created_at: string;
  edited_at: string | null;
  deleted: number;
  target_seq: number | null;
  target_message_id: string | null;
}

const MESSAGE_TYPES = "('MESG','FILE','IMAGE','ADMM')";

interface PendingAppend {
  input: NewMessage;
  /** data and file serialised before the batch, so one bad message cannot fail the others. */
  dataJson: string | null;
  fileJson: string | null;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

function toChannel(r: ChannelRow): StoredChannel {
  return {
    channel_url: r.channel_url,
    name: r.name,
    custom_type: r.custom_type,
    data: JSON.parse(r.data) as Record<string, unknown>,
    provider: r.provider as ProviderName,
    created_at: r.created_at,
    last_seq: r.last_seq,
    member_count: r.member_count,
    last_activity_at: r.created_at,
  };
}

function toMessage(r: MessageRow): StoredMessage {
  return {
    message_id: r.message_id,
    channel_url: r.channel_url,
    seq: r.seq,
    type: r.type as MessageType,
    user_id: r.user_id,
    message: r.message,
    custom_type: r.custom_type,
    data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>),
    file: r.file === null ? null : (JSON.parse(r.file) as FileInfo),
    req_id: r.req_id,
    created_at: r.created_at,
    edited_at: r.edited_at ?? null,
    deleted: r.deleted === 1,
    target_seq: r.target_seq ?? null,
    target_message_id: r.target_message_id ?? null,
  };
}

/**
 * SQLite store (better-sqlite3, WAL). Appends are group-committed: every append made in the same
 * event-loop turn is written in one transaction, then all of them resolve.
 */
export function createSqliteStore(options: SqliteStoreOptions): MessageStore {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");

  let stmts: ReturnType<typeof prepare> | undefined;
  const s = () => {
    if (!stmts) throw new StoreError("STORE_UNAVAILABLE", "store not migrated");
    return stmts;
  };

  function prepare() {
    return {
      getChannel: db.prepare<[string], ChannelRow>("SELECT * FROM channels WHERE channel_url = ?"),
      insertChannel: db.prepare(
        "INSERT INTO channels (channel_url, name, custom_type, data, provider, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      insertMember: db.prepare(
        "INSERT OR IGNORE INTO members (channel_url, user_id, joined_at) VALUES (?, ?, ?)",
      ),
      deleteMember: db.prepare("DELETE FROM members WHERE channel_url = ? AND user_id = ?"),
      countMembers: db.prepare(
        "UPDATE channels SET member_count = (SELECT COUNT(*) FROM members WHERE channel_url = ?) WHERE channel_url = ?",
      ),
      listMembers: db.prepare<[string], { user_id: string }>(
        "SELECT user_id FROM members WHERE channel_url = ? ORDER BY joined_at, user_id",
      ),
      isMember: db.prepare<[string, string], { one: number }>(
        "SELECT 1 AS one FROM members WHERE channel_url = ? AND user_id = ?",
      ),
      deleteChannel: db.prepare("DELETE FROM channels WHERE channel_url = ?"),
      deleteMessages: db.prepare("DELETE FROM messages WHERE channel_url = ?"),
      deleteMembers: db.prepare("DELETE FROM members WHERE channel_url = ?"),
      bumpSeq: db.prepare<[string], { last_seq: number }>(
        "UPDATE channels SET last_seq = last_seq + 1 WHERE channel_url = ? RETURNING last_seq",
      ),
      findByReq: db.prepare<[string, string, string], MessageRow>(
        "SELECT * FROM messages WHERE channel_url = ? AND user_id IS ? AND req_id = ?",
      ),
      findById: db.prepare<[string], MessageRow>("SELECT * FROM messages WHERE message_id = ?"),
      insertMessage: db.prepare(
        `INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, custom_type, data, file, req_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      after: db.prepare<[string, number, number], MessageRow>(
        "SELECT * FROM messages WHERE channel_url = ? AND seq > ? ORDER BY seq ASC LIMIT ?",
      ),
      before: db.prepare<[string, number, number], MessageRow>(
        "SELECT * FROM messages WHERE channel_url = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
      ),
      afterMsgs: db.prepare<[string, number, number], MessageRow>(
        `SELECT * FROM messages WHERE channel_url = ? AND seq > ? AND type IN ${MESSAGE_TYPES} ORDER BY seq ASC LIMIT ?`,
      ),
      beforeMsgs: db.prepare<[string, number, number], MessageRow>(
        `SELECT * FROM messages WHERE channel_url = ? AND seq < ? AND type IN ${MESSAGE_TYPES} ORDER BY seq DESC LIMIT ?`,
      ),
      getMessage: db.prepare<[string, number], MessageRow>(
        `SELECT * FROM messages WHERE channel_url = ? AND seq = ? AND type IN ${MESSAGE_TYPES}`,
      ),
      editTarget: db.prepare(
        "UPDATE messages SET message = ?, data = ?, edited_at = ? WHERE channel_url = ? AND seq = ?",
      ),
      deleteTarget: db.prepare(
        "UPDATE messages SET message = '', data = NULL, file = NULL, deleted = 1 WHERE channel_url = ? AND seq = ?",
      ),
      insertEntry: db.prepare(
        `INSERT INTO messages (channel_url, seq, message_id, type, user_id, message, data, created_at, target_seq, target_message_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      getMark: db.prepare<[string, string], { last_read_seq: number }>(
        "SELECT last_read_seq FROM read_marks WHERE channel_url = ? AND user_id = ?",
      ),
      upsertMark: db.prepare(
        `INSERT INTO read_marks (channel_url, user_id, last_read_seq, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (channel_url, user_id) DO UPDATE SET last_read_seq = MAX(last_read_seq, excluded.last_read_seq), updated_at = excluded.updated_at`,
      ),
      unreadCount: db.prepare<[string, number, string], { n: number }>(
        `SELECT COUNT(*) AS n FROM messages WHERE channel_url = ? AND seq > ? AND type IN ${MESSAGE_TYPES}
         AND deleted = 0 AND (user_id IS NULL OR user_id <> ?)`,
      ),
      readState: db.prepare<[string], { user_id: string; last_read_seq: number | null }>(
        `SELECT m.user_id, r.last_read_seq FROM members m
         LEFT JOIN read_marks r ON r.channel_url = m.channel_url AND r.user_id = m.user_id
         WHERE m.channel_url = ? ORDER BY m.joined_at, m.user_id`,
      ),
      operators: db.prepare<[string], { user_id: string }>(
        "SELECT user_id FROM operators WHERE channel_url = ? ORDER BY user_id",
      ),
      restrictions: db.prepare<[string, string], { user_id: string; kind: string; until: string | null }>(
        "SELECT user_id, kind, until FROM restrictions WHERE channel_url = ? AND (until IS NULL OR until > ?) ORDER BY user_id",
      ),
      upsertRestriction: db.prepare(
        `INSERT INTO restrictions (channel_url, user_id, kind, until, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (channel_url, kind, user_id) DO UPDATE SET until = excluded.until, created_at = excluded.created_at`,
      ),
      deleteRestriction: db.prepare(
        "DELETE FROM restrictions WHERE channel_url = ? AND kind = ? AND user_id = ?",
      ),
      setFrozen: db.prepare("UPDATE channels SET frozen = ? WHERE channel_url = ?"),
      frozen: db.prepare<[string], { frozen: number }>("SELECT frozen FROM channels WHERE channel_url = ?"),
      addOperator: db.prepare("INSERT OR IGNORE INTO operators (channel_url, user_id) VALUES (?, ?)"),
      removeOperator: db.prepare("DELETE FROM operators WHERE channel_url = ? AND user_id = ?"),
      insertFile: db.prepare(
        `INSERT INTO files (file_id, channel_url, user_id, name, size, mime_type, width, height, storage_key, thumbnail_key, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      getFile: db.prepare<[string], StoredFile>("SELECT * FROM files WHERE file_id = ?"),
      deleteChannelExtras: [
        "DELETE FROM read_marks WHERE channel_url = ?",
        "DELETE FROM operators WHERE channel_url = ?",
        "DELETE FROM restrictions WHERE channel_url = ?",
        "DELETE FROM files WHERE channel_url = ?",
      ].map((q) => db.prepare(q)),
    };
  }

  let queue: PendingAppend[] = [];
  let scheduled = false;
  let flushWaiters: Array<() => void> = [];
  let closed = false;

  function appendOne({ input, dataJson, fileJson }: PendingAppend): AppendResult {
    const st = s();
    const userId = input.user_id ?? null;
    if (input.req_id) {
      const existing = st.findByReq.get(input.channel_url, userId as string, input.req_id);
      if (existing) return { message: toMessage(existing), duplicate: true };
    }
    if (input.message_id) {
      const existing = st.findById.get(input.message_id);
      if (existing) return { message: toMessage(existing), duplicate: true };
    }
    const bumped = st.bumpSeq.get(input.channel_url);
    if (!bumped) throw new StoreError("CHANNEL_NOT_FOUND", `channel ${input.channel_url} does not exist`);
    const msg = newStoredMessage(input, bumped.last_seq);
    st.insertMessage.run(
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
    return { message: msg, duplicate: false };
  }

  function flushQueue() {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length > 0) {
      const outcomes: Array<{ ok: true; r: AppendResult } | { ok: false; e: unknown }> = [];
      try {
        db.transaction(() => {
          for (const p of batch) {
            try {
              outcomes.push({ ok: true, r: appendOne(p) });
            } catch (e) {
              if (!(e instanceof StoreError)) throw e;
              outcomes.push({ ok: false, e });
            }
          }
        }).immediate();
      } catch (e) {
        const err = new StoreError("STORE_UNAVAILABLE", "could not write messages", { cause: e });
        for (const p of batch) p.reject(err);
        outcomes.length = 0;
      }
      outcomes.forEach((o, i) => {
        const p = batch[i]!;
        if (o.ok) p.resolve(o.r);
        else p.reject(o.e);
      });
    }
    const waiters = flushWaiters;
    flushWaiters = [];
    for (const w of waiters) w();
  }

  function withStore<T>(fn: () => T): T {
    if (closed) throw new StoreError("STORE_UNAVAILABLE", "store is closed");
    try {
      return fn();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError("STORE_UNAVAILABLE", "store operation failed", { cause: e });
    }
  }

  /** Edit or delete: check the target, change it, append the log entry — one transaction. */
  function change(input: EditInput | DeleteInput, kind: "MESSAGE_UPDATED" | "MESSAGE_DELETED"): ChangeResult {
    const st = s();
    return db
      .transaction((): ChangeResult => {
        requireChannel(input.channel_url);
        const row = st.getMessage.get(input.channel_url, input.target_seq);
        if (!row || row.deleted === 1) {
          throw new StoreError("MESSAGE_NOT_FOUND", `no message with seq ${input.target_seq}`);
        }
        if (input.require_author !== undefined && row.user_id !== input.require_author) {
          throw new StoreError("NOT_AUTHOR", "only the author may change this message");
        }
        const now = new Date().toISOString();
        const edit = kind === "MESSAGE_UPDATED" ? (input as EditInput) : null;
        let dataJson: string | null = null;
        if (edit) {
          const data = edit.data !== undefined ? edit.data : row.data === null ? null : JSON.parse(row.data);
          try {
            dataJson = data === null ? null : JSON.stringify(data);
          } catch (e) {
            throw new StoreError("INVALID_DATA", "the data cannot be serialised", { cause: e });
          }
          st.editTarget.run(edit.message, dataJson, now, input.channel_url, input.target_seq);
        } else {
          st.deleteTarget.run(input.channel_url, input.target_seq);
        }
        const bumped = st.bumpSeq.get(input.channel_url)!;
        const entry: StoredMessage = {
          message_id: randomUUID(),
          channel_url: input.channel_url,
          seq: bumped.last_seq,
          type: kind,
          user_id: input.user_id,
          message: edit ? edit.message : "",
          custom_type: null,
          data: dataJson === null ? null : (JSON.parse(dataJson) as Record<string, unknown>),
          file: null,
          req_id: null,
          created_at: now,
          edited_at: null,
          deleted: false,
          target_seq: input.target_seq,
          target_message_id: row.message_id,
        };
        st.insertEntry.run(
          entry.channel_url,
          entry.seq,
          entry.message_id,
          kind,
          entry.user_id,
          entry.message,
          dataJson,
          now,
          entry.target_seq,
          entry.target_message_id,
        );
        return {
          target: toMessage(st.getMessage.get(input.channel_url, input.target_seq)!),
          before: toMessage(row),
          entry,
        };
      })
      .immediate();
  }

  function mark(url: string, userId: string): ReadMark {
    const st = s();
    const c = requireChannel(url);
    const last = st.getMark.get(url, userId)?.last_read_seq ?? 0;
    return {
      channel_url: url,
      user_id: userId,
      last_read_seq: last,
      last_seq: c.last_seq,
      unread_count: st.unreadCount.get(url, last, userId)?.n ?? 0,
    };
  }

  function requireChannel(url: string): StoredChannel {
    const row = s().getChannel.get(url);
    if (!row) throw new StoreError("CHANNEL_NOT_FOUND", `channel ${url} does not exist`);
    return toChannel(row);
  }

  return {
    driver: "sqlite",
    async migrate() {
      db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
      );
      const applied = new Set(
        db
          .prepare<[], { version: number }>("SELECT version FROM schema_migrations")
          .all()
          .map((r) => r.version),
      );
      for (const m of sqliteMigrations) {
        if (applied.has(m.version)) continue;
        db.transaction(() => {
          db.exec(m.sql);
          db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)").run(
            m.version,
            new Date().toISOString(),
          );
        })();
      }
      stmts = prepare();
    },
    async createChannel(input: NewChannel) {
      return withStore(() => {
        const st = s();
        return db.transaction(() => {
          if (st.getChannel.get(input.channel_url)) {
            throw new StoreError("CHANNEL_EXISTS", `channel ${input.channel_url} already exists`);
          }
          const createdAt = input.created_at ?? new Date().toISOString();
          st.insertChannel.run(
            input.channel_url,
            input.name,
            input.custom_type ?? null,
            JSON.stringify(input.data ?? {}),
            input.provider,
            createdAt,
          );
          for (const u of input.user_ids) st.insertMember.run(input.channel_url, u, createdAt);
          st.countMembers.run(input.channel_url, input.channel_url);
          return requireChannel(input.channel_url);
        })();
      });
    },
    async getChannel(url) {
      return withStore(() => {
        const row = s().getChannel.get(url);
        return row ? toChannel(row) : null;
      });
    },
    async countChannels() {
      return withStore(() => {
        const counts = { websocket: 0, sendbird: 0 };
        const rows = db
          .prepare<[], { provider: ProviderName; n: number }>(
            "SELECT provider, COUNT(*) AS n FROM channels GROUP BY provider",
          )
          .all();
        for (const r of rows) counts[r.provider] = r.n;
        return counts;
      });
    },
    async listChannels(opts: ListChannelsOptions) {
      return withStore(() => {
        const where: string[] = [];
        const params: unknown[] = [];
        const after = opts.cursor ? decodeCursor(opts.cursor) : null;
        if (after !== null) {
          where.push("channel_url > ?");
          params.push(after);
        }
        if (opts.q) {
          where.push("(instr(lower(channel_url), lower(?)) > 0 OR instr(lower(name), lower(?)) > 0)");
          params.push(opts.q, opts.q);
        }
        if (opts.provider) {
          where.push("provider = ?");
          params.push(opts.provider);
        }
        const sql = `SELECT * FROM channels ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY channel_url ASC LIMIT ?`;
        const rows = db.prepare<unknown[], ChannelRow>(sql).all(...params, opts.limit + 1);
        const more = rows.length > opts.limit;
        const page = rows.slice(0, opts.limit).map(toChannel);
        const last = page[page.length - 1];
        return { channels: page, nextCursor: more && last ? encodeCursor(last.channel_url) : null };
      });
    },
    async updateChannel(url, patch: ChannelPatch) {
      return withStore(() => {
        const current = requireChannel(url);
        const next = {
          name: patch.name ?? current.name,
          custom_type: patch.custom_type !== undefined ? patch.custom_type : current.custom_type,
          data: patch.data ?? current.data,
          provider: patch.provider ?? current.provider,
        };
        db.prepare(
          "UPDATE channels SET name = ?, custom_type = ?, data = ?, provider = ? WHERE channel_url = ?",
        ).run(next.name, next.custom_type, JSON.stringify(next.data), next.provider, url);
        return requireChannel(url);
      });
    },
    async deleteChannel(url) {
      return withStore(() => {
        const st = s();
        return db.transaction(() => {
          st.deleteMessages.run(url);
          st.deleteMembers.run(url);
          for (const d of st.deleteChannelExtras) d.run(url);
          return st.deleteChannel.run(url).changes > 0;
        })();
      });
    },
    async addMembers(url, userIds) {
      return withStore(() => {
        const st = s();
        return db.transaction(() => {
          requireChannel(url);
          const now = new Date().toISOString();
          for (const u of userIds) st.insertMember.run(url, u, now);
          st.countMembers.run(url, url);
          return requireChannel(url);
        })();
      });
    },
    async removeMembers(url, userIds) {
      return withStore(() => {
        const st = s();
        return db.transaction(() => {
          requireChannel(url);
          for (const u of userIds) st.deleteMember.run(url, u);
          st.countMembers.run(url, url);
          return requireChannel(url);
        })();
      });
    },
    async listMembers(url) {
      return withStore(() => {
        requireChannel(url);
        return s()
          .listMembers.all(url)
          .map((r) => r.user_id);
      });
    },
    async isMember(url, userId) {
      return withStore(() => s().isMember.get(url, userId) !== undefined);
    },
    appendMessage(input) {
      if (closed) return Promise.reject(new StoreError("STORE_UNAVAILABLE", "store is closed"));
      let dataJson: string | null;
      let fileJson: string | null;
      try {
        dataJson = input.data ? JSON.stringify(input.data) : null;
        fileJson = input.file ? JSON.stringify(input.file) : null;
      } catch (e) {
        return Promise.reject(
          new StoreError("INVALID_DATA", "the message cannot be serialised", { cause: e }),
        );
      }
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ input, dataJson, fileJson, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flushQueue);
        }
      });
    },
    async listMessages(url, range: MessageRange) {
      return withStore(() => {
        const st = s();
        if (range.beforeSeq !== undefined) {
          const q = range.messagesOnly ? st.beforeMsgs : st.before;
          return q.all(url, range.beforeSeq, range.limit).reverse().map(toMessage);
        }
        const q = range.messagesOnly ? st.afterMsgs : st.after;
        return q.all(url, range.afterSeq ?? 0, range.limit).map(toMessage);
      });
    },
    async getMessage(url, seq) {
      return withStore(() => {
        const row = s().getMessage.get(url, seq);
        return row ? toMessage(row) : null;
      });
    },
    async editMessage(input) {
      return withStore(() => change(input, "MESSAGE_UPDATED"));
    },
    async deleteMessage(input) {
      return withStore(() => change(input, "MESSAGE_DELETED"));
    },
    async markRead(url, userId, seq) {
      return withStore(() =>
        db.transaction(() => {
          const c = requireChannel(url);
          s().upsertMark.run(url, userId, Math.min(seq, c.last_seq), new Date().toISOString());
          return mark(url, userId);
        })(),
      );
    },
    async userChannelUrls(userId) {
      return withStore(() =>
        db
          .prepare<[string], { channel_url: string }>(
            "SELECT channel_url FROM members WHERE user_id = ? ORDER BY channel_url",
          )
          .all(userId)
          .map((r) => r.channel_url),
      );
    },
    async totalUnread(userId) {
      return interimTotalUnread(this, await this.userChannelUrls(userId), userId);
    },
    async listUserChannels(userId, o) {
      return interimListUserChannels(this, await this.userChannelUrls(userId), userId, o);
    },
    async readMark(url, userId) {
      return withStore(() => mark(url, userId));
    },
    async readState(url) {
      return withStore(() => {
        requireChannel(url);
        return s()
          .readState.all(url)
          .map((r) => ({ user_id: r.user_id, last_read_seq: r.last_read_seq ?? 0 }));
      });
    },
    async getModeration(url): Promise<StoredModeration> {
      return withStore(() => {
        const st = s();
        const f = st.frozen.get(url);
        if (!f) throw new StoreError("CHANNEL_NOT_FOUND", `channel ${url} does not exist`);
        const rs = st.restrictions.all(url, new Date().toISOString());
        return {
          frozen: f.frozen === 1,
          operators: st.operators.all(url).map((r) => r.user_id),
          banned: rs.filter((r) => r.kind === "ban").map((r) => ({ user_id: r.user_id, until: r.until })),
          muted: rs.filter((r) => r.kind === "mute").map((r) => ({ user_id: r.user_id, until: r.until })),
        };
      });
    },
    async restrict(url, kind, userIds, until) {
      withStore(() =>
        db.transaction(() => {
          requireChannel(url);
          const now = new Date().toISOString();
          for (const u of userIds) s().upsertRestriction.run(url, u, kind, until, now);
        })(),
      );
    },
    async unrestrict(url, kind, userId) {
      withStore(() => {
        requireChannel(url);
        s().deleteRestriction.run(url, kind, userId);
      });
    },
    async setFrozen(url, frozen) {
      withStore(() => {
        if (s().setFrozen.run(frozen ? 1 : 0, url).changes === 0) requireChannel(url);
      });
    },
    async addOperators(url, userIds) {
      withStore(() =>
        db.transaction(() => {
          requireChannel(url);
          for (const u of userIds) s().addOperator.run(url, u);
        })(),
      );
    },
    async removeOperators(url, userIds) {
      withStore(() =>
        db.transaction(() => {
          requireChannel(url);
          for (const u of userIds) s().removeOperator.run(url, u);
        })(),
      );
    },
    async saveFile(f) {
      withStore(() => {
        requireChannel(f.channel_url);
        s().insertFile.run(
          f.file_id,
          f.channel_url,
          f.user_id,
          f.name,
          f.size,
          f.mime_type,
          f.width,
          f.height,
          f.storage_key,
          f.thumbnail_key,
          f.created_at,
        );
      });
    },
    async getFile(id) {
      return withStore(() => s().getFile.get(id) ?? null);
    },
    flush() {
      if (!scheduled) return Promise.resolve();
      return new Promise<void>((resolve) => flushWaiters.push(resolve));
    },
    async healthy() {
      if (closed) return false;
      try {
        db.prepare("SELECT 1").get();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      if (scheduled) flushQueue();
      closed = true;
      db.close();
    },
  };
}
