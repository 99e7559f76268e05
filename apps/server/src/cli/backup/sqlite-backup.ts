import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { CliError } from "../cli-error.ts";
import { COUNTABLE_TYPES } from "../../store/message-store.ts";

/** What a podchat SQLite database holds, as far as backup and restore care. */
export interface DatabaseSummary {
  channels: number;
  messages: number;
  schemaVersion: number;
  bytes: number;
}

/** The tables and columns a podchat database has (every store version since 0.1). */
const REQUIRED: Record<string, string[]> = {
  channels: ["channel_url", "last_seq"],
  members: ["channel_url", "user_id"],
  messages: ["channel_url", "seq", "message_id"],
};

/**
 * Opens `path` read-only and checks it is an intact podchat database: SQLite's own
 * `PRAGMA integrity_check`, then the podchat tables. Throws a CliError saying what is wrong.
 */
function inspectPodchatDatabase(path: string): DatabaseSummary {
  if (!existsSync(path)) throw new CliError(`no such file: ${path}`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new CliError(`${path} cannot be opened as SQLite: ${(e as Error).message}`);
  }
  try {
    let problems: string[];
    try {
      problems = db
        .prepare<[], { integrity_check: string }>("PRAGMA integrity_check")
        .all()
        .map((r) => r.integrity_check);
    } catch (e) {
      // SQLITE_NOTADB ("file is not a database") and SQLITE_CORRUPT land here.
      throw new CliError(`${path} is not an intact SQLite database: ${(e as Error).message}`);
    }
    if (problems.join() !== "ok") {
      throw new CliError(`${path} is corrupt: integrity_check says ${problems.slice(0, 3).join("; ")}`);
    }
    const one = (sql: string) => (db.prepare<[], { n: number | null }>(sql).get()?.n ?? 0) as number;
    const hasTable = (name: string) =>
      one(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '${name}'`) > 0;
    // 0.3 on: kysely's bookkeeping, migrations named "NNNN_what"; before: 0.2's own migrator.
    let schemaVersion: number;
    if (hasTable("kysely_migration")) {
      schemaVersion = one("SELECT MAX(CAST(substr(name, 1, 4) AS INTEGER)) AS n FROM kysely_migration");
    } else if (hasTable("schema_migrations")) {
      schemaVersion = one("SELECT MAX(version) AS n FROM schema_migrations");
    } else {
      throw new CliError(`${path} is not a podchat database: no kysely_migration or schema_migrations table`);
    }
    for (const [table, columns] of Object.entries(REQUIRED)) {
      const have = new Set(
        db
          .prepare<[string], { name: string }>("SELECT name FROM pragma_table_info(?)")
          .all(table)
          .map((r) => r.name),
      );
      const missing = columns.filter((c) => !have.has(c));
      if (have.size === 0 || missing.length > 0) {
        throw new CliError(
          `${path} is not a podchat database: ${have.size === 0 ? `no ${table} table` : `${table} lacks ${missing.join(", ")}`}`,
        );
      }
    }
    return {
      channels: one("SELECT COUNT(*) AS n FROM channels"),
      messages: one("SELECT COUNT(*) AS n FROM messages"),
      schemaVersion,
      bytes: statSync(path).size,
    };
  } finally {
    db.close();
  }
}

/**
 * True when another connection has the database open. The podchat server keeps its SQLite
 * connections in WAL mode, and every WAL connection holds a shared lock for as long as it is open;
 * leaving WAL mode needs exclusive access, so SQLite answers SQLITE_BUSY at once (timeout 0) while
 * any other process (a server, the CLI of a backup) has the file open. When nobody has, the
 * switch succeeds, which is harmless: the file is about to be overwritten.
 */
function isDatabaseInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  const db = new Database(path, { timeout: 0, fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
    return false;
  } catch (e) {
    if ((e as { code?: string }).code === "SQLITE_BUSY") return true;
    throw e;
  } finally {
    db.close();
  }
}

/**
 * The search index (migration 0008) is keyed by the messages' rowids, which VACUUM may renumber
 * (the table has no INTEGER PRIMARY KEY): the copy's index is rebuilt from its own rows (@since 0.5).
 */
function rebuildSearchIndex(file: string) {
  const db = new Database(file, { fileMustExist: true });
  try {
    const has = db.prepare("select 1 from sqlite_master where name = 'messages_fts'").get();
    if (!has) return;
    // As migration 0008 fills it: live messages only (not the log's entries, not tombstones).
    db.transaction(() => {
      db.prepare("insert into messages_fts (messages_fts) values ('delete-all')").run();
      db.prepare(
        `insert into messages_fts (rowid, message) select rowid, message from messages
         where type in (${COUNTABLE_TYPES.map((t) => `'${t}'`).join(", ")}) and not deleted`,
      ).run();
    })();
  } finally {
    db.close();
  }
}

/**
 * Online backup of a live database: `VACUUM INTO` reads one consistent snapshot (a single read
 * transaction; in WAL mode writers go on meanwhile) into a temporary file beside the target, which
 * is checked and then renamed, so `file` is either absent or a complete, verified backup.
 */
export function backupSqlite(
  source: string,
  file: string,
  options: { overwrite?: boolean } = {},
): DatabaseSummary {
  const target = resolve(file);
  if (!existsSync(source))
    throw new CliError(`no database at ${source} (store.sqlite.path); nothing to back up`);
  if (existsSync(target) && !options.overwrite)
    throw new CliError(`${target} exists; remove it or pass --overwrite`);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.partial-${process.pid}`;
  rmSync(tmp, { force: true });
  // Read-write: a read-only connection cannot create the WAL index when no server has the file open.
  const db = new Database(source, { fileMustExist: true, timeout: 10_000 });
  try {
    db.prepare("VACUUM INTO ?").run(tmp);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new CliError(`backup of ${source} failed: ${(e as Error).message}`);
  } finally {
    db.close();
  }
  try {
    rebuildSearchIndex(tmp);
    const summary = inspectPodchatDatabase(tmp);
    renameSync(tmp, target);
    return { ...summary, bytes: statSync(target).size };
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Restores `file` (a backup) as the database at `target`. Refuses a corrupt or non-podchat file,
 * and a target another process has open unless `force` (then the running server sees the restored
 * data through SQLite's own locking; restart it anyway, its in-memory state predates the restore).
 * Copies with SQLite's backup API in a single step, so the target is never half-written.
 */
export async function restoreSqlite(
  file: string,
  target: string,
  options: { force?: boolean } = {},
): Promise<DatabaseSummary> {
  const source = resolve(file);
  inspectPodchatDatabase(source); // throws on a corrupt or non-podchat file
  if (!options.force && isDatabaseInUse(target)) {
    throw new CliError(
      `${target} is in use (a podchat server or another process has it open); stop the server first, or pass --force`,
    );
  }
  mkdirSync(dirname(resolve(target)), { recursive: true });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target, { progress: ({ totalPages }) => Math.max(totalPages, 100) });
  } catch (e) {
    throw new CliError(`restore into ${target} failed: ${(e as Error).message}`);
  } finally {
    db.close();
  }
  return { ...inspectPodchatDatabase(target), bytes: statSync(target).size };
}
