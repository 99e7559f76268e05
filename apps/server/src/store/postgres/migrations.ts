/**
 * Versioned PostgreSQL schema; each entry runs once, in order, inside the migration transaction.
 * Never edit a shipped one: add a new version.
 *
 * Timestamps are TEXT holding the ISO-8601 string the caller gave (or the store made), so they
 * round-trip byte for byte like on SQLite. Keys use the "C" collation so channel paging orders
 * bytewise, the same as SQLite, whatever the database's locale.
 */
export const postgresMigrations: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE channels (
        channel_url TEXT COLLATE "C" PRIMARY KEY,
        name TEXT NOT NULL,
        custom_type TEXT,
        data JSONB NOT NULL DEFAULT '{}'::jsonb,
        provider TEXT NOT NULL DEFAULT 'websocket',
        created_at TEXT NOT NULL,
        last_seq BIGINT NOT NULL DEFAULT 0,
        member_count INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE members (
        channel_url TEXT COLLATE "C" NOT NULL REFERENCES channels (channel_url) ON DELETE CASCADE,
        user_id TEXT COLLATE "C" NOT NULL,
        joined_at TEXT NOT NULL,
        PRIMARY KEY (channel_url, user_id)
      );
      CREATE TABLE messages (
        channel_url TEXT COLLATE "C" NOT NULL REFERENCES channels (channel_url) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        message_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        user_id TEXT,
        message TEXT NOT NULL,
        custom_type TEXT,
        data JSONB,
        file JSONB,
        req_id TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (channel_url, seq)
      );
      -- COALESCE so that a req_id repeated by a user-less (system) sender is caught too: NULLs
      -- are distinct in a plain unique index, and NULLS NOT DISTINCT needs PostgreSQL 15.
      CREATE UNIQUE INDEX messages_req_id ON messages (channel_url, (COALESCE(user_id, '')), req_id)
        WHERE req_id IS NOT NULL;
    `,
  },
  {
    // @since 0.2: edits/deletes in the seq log, read marks, moderation, uploaded files.
    version: 2,
    sql: `
      ALTER TABLE messages ADD COLUMN edited_at TEXT;
      ALTER TABLE messages ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE;
      ALTER TABLE messages ADD COLUMN target_seq BIGINT;
      ALTER TABLE messages ADD COLUMN target_message_id TEXT;
      ALTER TABLE channels ADD COLUMN frozen BOOLEAN NOT NULL DEFAULT FALSE;
      CREATE TABLE read_marks (
        channel_url TEXT COLLATE "C" NOT NULL REFERENCES channels (channel_url) ON DELETE CASCADE,
        user_id TEXT COLLATE "C" NOT NULL,
        last_read_seq BIGINT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (channel_url, user_id)
      );
      CREATE TABLE operators (
        channel_url TEXT COLLATE "C" NOT NULL REFERENCES channels (channel_url) ON DELETE CASCADE,
        user_id TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (channel_url, user_id)
      );
      CREATE TABLE restrictions (
        channel_url TEXT COLLATE "C" NOT NULL REFERENCES channels (channel_url) ON DELETE CASCADE,
        user_id TEXT COLLATE "C" NOT NULL,
        kind TEXT NOT NULL,
        until TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (channel_url, kind, user_id)
      );
      CREATE TABLE files (
        file_id TEXT PRIMARY KEY,
        channel_url TEXT COLLATE "C" NOT NULL REFERENCES channels (channel_url) ON DELETE CASCADE,
        user_id TEXT,
        name TEXT NOT NULL,
        size BIGINT NOT NULL,
        mime_type TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        storage_key TEXT NOT NULL,
        thumbnail_key TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX files_channel ON files (channel_url);
    `,
  },
];
