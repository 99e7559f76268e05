import {
  copyFileSync,
  existsSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
  closeSync,
} from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type Frame, TestSocket, createChannel, startServer, type TestServer, token } from "../harness.ts";
import { runCli, tempDir } from "./run-cli.ts";

const fast = { limits: { messages_per_second: 100_000, message_burst: 100_000 } };

const open: TestServer[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close().catch(() => {});
});
async function server(dbPath?: string) {
  const t = await startServer({ overrides: fast, ...(dbPath ? { dbPath } : {}) });
  open.push(t);
  return t;
}

interface Acked {
  channel: string;
  seq: number;
  reqId: string;
  message: string;
  at: number;
}

/**
 * One member socket per channel sending MESG frames back to back (up to `window` unacknowledged),
 * recording each ACK. `stop()` ends the sending and waits for the outstanding ACKs.
 */
async function writers(t: TestServer, channels: string[], window = 16) {
  const acked: Acked[] = [];
  let running = true;
  const loops = await Promise.all(
    channels.map(async (channel) => {
      const s = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws/${channel}?token=${await token("1")}`);
      await s.type("CONNECTED");
      let n = 0;
      let inFlight = 0;
      const texts = new Map<string, string>();
      let wake: (() => void) | undefined;
      s.ws.on("message", (data) => {
        const f = JSON.parse(data.toString()) as Frame;
        if (f.type !== "ACK" || typeof f.req_id !== "string") return;
        acked.push({
          channel,
          seq: f.seq as number,
          reqId: f.req_id,
          message: texts.get(f.req_id)!,
          at: Date.now(),
        });
        inFlight--;
        wake?.();
      });
      const done = (async () => {
        while (running) {
          while (inFlight < window && running) {
            const reqId = `${channel}-${++n}`;
            const message = `message ${n} of ${channel}`;
            texts.set(reqId, message);
            s.send({ type: "MESG", message, req_id: reqId });
            inFlight++;
          }
          await new Promise<void>((r) => {
            wake = r;
          });
        }
        while (inFlight > 0) await new Promise((r) => setTimeout(r, 10));
        s.close();
      })();
      // Wrapped: returning the promise itself would make Promise.all wait for the end of sending.
      return { done };
    }),
  );
  return {
    acked,
    async stop() {
      running = false;
      await Promise.all(loops.map((l) => l.done));
    },
  };
}

/** Per channel: the seqs in the file are exactly 1..last_seq. */
function seqGaps(path: string): { channel: string; lastSeq: number; count: number; max: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare<[], { channel: string; lastSeq: number; count: number; max: number }>(
        `SELECT c.channel_url AS channel, c.last_seq AS lastSeq,
                COUNT(m.seq) AS count, COALESCE(MAX(m.seq), 0) AS max
           FROM channels c LEFT JOIN messages m ON m.channel_url = c.channel_url
          GROUP BY c.channel_url ORDER BY c.channel_url`,
      )
      .all();
  } finally {
    db.close();
  }
}

describe("podchat backup / restore (SQLite)", () => {
  it("backs up while messages are written; the restored server has every message acknowledged before", async () => {
    const t = await server();
    const channels = ["bk-a", "bk-b", "bk-c", "bk-d"];
    for (const c of channels) await createChannel(t, c, ["1", "2"]);
    const w = await writers(t, channels);
    while (w.acked.length < 2000) await new Promise((r) => setTimeout(r, 20));

    const before = [...w.acked];
    const startedAt = Date.now();
    const file = join(tempDir(), "podchat.backup");
    const backup = await runCli(["backup", file], { SQLITE_PATH: t.dbPath });
    const endedAt = Date.now();
    const duringBackup = w.acked.filter((a) => a.at > startedAt && a.at < endedAt).length;
    await w.stop();
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(
      /^podchat backup: .* → .*: 4 channels, \d+ messages, schema v\d+, \d+ bytes, integrity ok/,
    );
    // The writers really went on while the backup ran (it is online, not a pause).
    expect(duringBackup).toBeGreaterThan(0);

    // The backup on its own: one consistent snapshot, so every channel's seqs are 1..last_seq.
    const inFile = seqGaps(file);
    expect(inFile.map((r) => r.channel)).toEqual(channels);
    for (const r of inFile) {
      expect(r.count, r.channel).toBe(r.max);
      expect(r.lastSeq, r.channel).toBe(r.max);
    }

    // Restore into a fresh place, start a fresh server on it.
    const restoredPath = join(tempDir(), "restored.sqlite");
    const restore = await runCli(["restore", file], { SQLITE_PATH: restoredPath });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/^podchat restore: .* → .*: 4 channels, \d+ messages/);
    const t2 = await server(restoredPath);
    const db = new Database(restoredPath, { readonly: true });
    const find = db.prepare<[string, string], { seq: number; message: string }>(
      "SELECT seq, message FROM messages WHERE channel_url = ? AND req_id = ?",
    );
    const missing = before.filter((a) => {
      const row = find.get(a.channel, a.reqId);
      return !row || row.seq !== a.seq || row.message !== a.message;
    });
    db.close();
    expect(missing).toEqual([]);
    expect(before.length).toBeGreaterThanOrEqual(2000);

    // The restored server serves them and continues each channel's seq without a gap.
    for (const c of channels) {
      const last = inFile.find((r) => r.channel === c)!.lastSeq;
      const res = await t2.api(`/api/v1/chat/channels/${c}/messages`, {
        method: "POST",
        json: { user_id: "2", message: "after the restore" },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      expect(((await res.json()) as { seq: number }).seq).toBe(last + 1);
    }
    const lastBefore = before.filter((a) => a.channel === "bk-a").at(-1)!;
    const page = (await (
      await t2.api(`/api/v1/chat/channels/bk-a/messages?after_seq=${lastBefore.seq - 1}&limit=1`)
    ).json()) as { messages: { seq: number; message: string }[] };
    expect(page.messages[0]).toMatchObject({ seq: lastBefore.seq, message: lastBefore.message });
    // The search index was rebuilt in the backup (VACUUM may renumber rowids): it finds the
    // restored messages and the new one, and finds them by their own text.
    const found = (await (
      await t2.api(`/api/v1/chat/channels/bk-a/messages/search?q=${encodeURIComponent(lastBefore.message)}`)
    ).json()) as { messages: { seq: number; message: string }[] };
    expect(found.messages.map((m) => m.seq)).toContain(lastBefore.seq);
    const terms = lastBefore.message.split(" ");
    for (const m of found.messages) for (const term of terms) expect(m.message).toContain(term);
    const after = (await (
      await t2.api("/api/v1/chat/channels/bk-a/messages/search?q=after%20the%20restore")
    ).json()) as { messages: unknown[] };
    expect(after.messages).toHaveLength(1);
  });

  it("refuses a non-SQLite file, a SQLite file that is not podchat's, and a corrupt backup", async () => {
    const dir = tempDir();
    const target = join(dir, "target.sqlite");
    const junk = join(dir, "junk.bin");
    writeFileSync(junk, "this is not a database ".repeat(500));
    const r1 = await runCli(["restore", junk], { SQLITE_PATH: target });
    expect(r1.code).toBe(1);
    expect(r1.stderr.trim()).toMatch(
      /^podchat restore: .*junk\.bin is not an intact SQLite database: file is not a database$/,
    );

    const other = join(dir, "other.sqlite");
    const o = new Database(other);
    o.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hi');");
    o.close();
    const r2 = await runCli(["restore", other], { SQLITE_PATH: target });
    expect(r2.code).toBe(1);
    expect(r2.stderr.trim()).toMatch(
      /other\.sqlite is not a podchat database: no kysely_migration or schema_migrations table$/,
    );

    // A real backup with some of its pages overwritten.
    const t = await server();
    await createChannel(t, "cx", ["1"]);
    for (let i = 0; i < 300; i++)
      await t.api("/api/v1/chat/channels/cx/messages", {
        method: "POST",
        json: { user_id: "1", message: `filler ${i} ${"x".repeat(200)}` },
      });
    const good = join(dir, "good.backup");
    expect((await runCli(["backup", good], { SQLITE_PATH: t.dbPath })).code).toBe(0);
    const bad = join(dir, "bad.backup");
    copyFileSync(good, bad);
    const size = readFileSync(bad).length;
    const fd = openSync(bad, "r+");
    // Garbage over pages 3.. of the file, keeping the header (page 1) intact.
    for (let off = 2 * 4096; off < size - 4096; off += 4096 * 3)
      writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, off);
    closeSync(fd);
    const r3 = await runCli(["restore", bad], { SQLITE_PATH: target });
    expect(r3.code).toBe(1);
    expect(r3.stderr.trim()).toMatch(
      /bad\.backup (is corrupt: integrity_check says|is not an intact SQLite database)/,
    );
    expect(existsSync(target)).toBe(false); // nothing was written
  });

  it("refuses to restore over a database a running server holds, unless --force", async () => {
    const dir = tempDir();
    const source = await server();
    await createChannel(source, "from-backup", ["1"]);
    const file = join(dir, "b.backup");
    expect((await runCli(["backup", file], { SQLITE_PATH: source.dbPath })).code).toBe(0);

    const live = await server();
    await createChannel(live, "live-only", ["1"]);
    const refused = await runCli(["restore", file], { SQLITE_PATH: live.dbPath });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `podchat restore: ${live.dbPath} is in use (a podchat server or another process has it open); stop the server first, or pass --force`,
    );
    expect((await live.api("/api/v1/chat/channels/live-only")).status).toBe(200);

    const forced = await runCli(["restore", file, "--force"], { SQLITE_PATH: live.dbPath });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/forced: restart the server now/);
    // SQLite's backup API wrote through the server's own locks: the server reads the restored data.
    expect((await live.api("/api/v1/chat/channels/from-backup")).status).toBe(200);
    expect((await live.api("/api/v1/chat/channels/live-only")).status).toBe(404);

    // Once the server is gone, a plain restore goes through.
    await live.close();
    open.splice(open.indexOf(live), 1);
    const plain = await runCli(["restore", file], { SQLITE_PATH: live.dbPath });
    expect(plain.code, plain.stderr).toBe(0);
  });

  it("backup refuses to overwrite a file, and says when there is no database", async () => {
    const t = await server();
    const file = join(tempDir(), "exists.backup");
    writeFileSync(file, "keep me");
    const r = await runCli(["backup", file], { SQLITE_PATH: t.dbPath });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`podchat backup: ${file} exists; remove it or pass --overwrite`);
    expect(readFileSync(file, "utf8")).toBe("keep me");
    expect((await runCli(["backup", file, "--overwrite"], { SQLITE_PATH: t.dbPath })).code).toBe(0);
    const none = await runCli(["backup", join(tempDir(), "x.backup")], {
      SQLITE_PATH: join(tempDir(), "none.sqlite"),
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no database at .*none\.sqlite/);
  });

  it("prints the pg_dump / pg_restore recipe for a PostgreSQL store (exit 3: nothing was copied)", async () => {
    const env = {
      DATABASE_URL: "postgres://podchat:s3cret@db.internal:5432/podchat",
      DATABASE_SCHEMA: "chat",
    };
    const b = await runCli(["backup", "out.dump"], env);
    expect(b.code).toBe(3);
    expect(b.stderr).toContain(
      'pg_dump --format=custom --no-owner --schema=chat --file=out.dump "postgres://podchat:***@db.internal:5432/podchat"',
    );
    expect(b.stderr).not.toContain("s3cret");
    const r = await runCli(["restore", "out.dump"], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Stop every podchat instance/);
    expect(r.stderr).toContain(
      "pg_restore --clean --if-exists --no-owner --schema=chat --single-transaction",
    );
  });
});
