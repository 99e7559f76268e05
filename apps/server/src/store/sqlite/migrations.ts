/** Versioned schema; each entry runs once, in order, inside a transaction. Never edit a shipped one. */
export const sqliteMigrations: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE channels (
        channel_url TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        custom_type TEXT,
        data TEXT NOT NULL DEFAULT '{}',
        provider TEXT NOT NULL DEFAULT 'websocket',
        created_at TEXT NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        member_count INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE members (
        channel_url TEXT NOT NULL,
        user_id TEXT NOT NULL,
        joined_at TEXT NOT NULL,
        PRIMARY KEY (channel_url, user_id)
      ) WITHOUT ROWID;
      CREATE TABLE messages (
        channel_url TEXT NOT NULL,
        seq INTEGER NOT NULL,
        message_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        user_id TEXT,
        message TEXT NOT NULL,
        custom_type TEXT,
        data TEXT,
        file TEXT,
        req_id TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (channel_url, seq)
      );
      CREATE UNIQUE INDEX messages_req_id ON messages (channel_url, user_id, req_id) WHERE req_id IS NOT NULL;
    `,
  },
  {
    // @since 0.2: edits/deletes in the seq log, read marks, moderation, uploaded files.
    version: 2,
    sql: `
      ALTER TABLE messages ADD COLUMN edited_at TEXT;
      ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE messages ADD COLUMN target_seq INTEGER;
      ALTER TABLE messages ADD COLUMN target_message_id TEXT;
      ALTER TABLE channels ADD COLUMN frozen INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE read_marks (
        channel_url TEXT NOT NULL,
        user_id TEXT NOT NULL,
        last_read_seq INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (channel_url, user_id)
      ) WITHOUT ROWID;
      CREATE TABLE operators (
        channel_url TEXT NOT NULL,
        user_id TEXT NOT NULL,
        PRIMARY KEY (channel_url, user_id)
      ) WITHOUT ROWID;
      CREATE TABLE restrictions (
        channel_url TEXT NOT NULL,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        until TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (channel_url, kind, user_id)
      ) WITHOUT ROWID;
      CREATE TABLE files (
        file_id TEXT PRIMARY KEY,
        channel_url TEXT NOT NULL,
        user_id TEXT,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
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
