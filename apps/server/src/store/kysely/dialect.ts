import type { Kysely, QueryExecutorProvider, Transaction } from "kysely";
import type { AppendResult, MessageStore, NewMessage, OutboxEntry, StoredMessage } from "../message-store.ts";
import type { StoreSchema } from "./schema.ts";

export type Db = Kysely<StoreSchema> | Transaction<StoreSchema>;

export type ReadNamed = (
  name: string,
  sql: string,
  params: readonly unknown[],
) => Promise<Record<string, unknown>[]>;

/** Column types the migrations use; each database spells them its own way. */
export interface ColumnTypes {
  /** Keys and sort columns: bytewise order on both (PostgreSQL: COLLATE "C"). */
  key: string;
  json: string;
  bigint: string;
  bool: string;
  /** @since 0.4 An auto-incrementing integer primary key, the whole column definition (ordered ids). */
  serialKey: string;
}

/**
 * What differs between the databases, as data rather than `if (sqlite)` in the queries
 * (kysely's `supportsReturning` style). Everything else is one kysely query for both.
 */
export interface StoreCapabilities {
  readonly driver: MessageStore["driver"];
  readonly types: ColumnTypes;
  /** `SELECT … FOR UPDATE/SHARE` exist. Without them (SQLite) every write transaction is BEGIN IMMEDIATE, which serialises writers. */
  readonly rowLocks: boolean;
  /**
   * Text and JSON may hold NUL (U+0000). PostgreSQL cannot store it: there such text is refused
   * with INVALID_DATA (the protocol lets it through today; see docs/decisions.md).
   */
  readonly textKeepsNul: boolean;
  /** JSON columns come back parsed (jsonb) rather than as text. */
  readonly jsonParsed: boolean;
  /** Tables of two key columns may be stored clustered on their primary key (SQLite WITHOUT ROWID). */
  readonly withoutRowid: boolean;
  /** The 0.2 schema declared ON DELETE CASCADE references (PostgreSQL only); deletes never rely on them. */
  readonly foreignKeys: boolean;
  /** @since 0.5 How messages are searched: an FTS5 trigram table (SQLite), pg_trgm GIN (PostgreSQL). */
  readonly textSearch: "fts5" | "pg_trgm";
  /** Whether a table exists in the store's schema (used to recognise a database made by 0.2's migrator). */
  tableExists(db: QueryExecutorProvider, name: string): Promise<boolean>;
}

/** A message ready to append: the stored form (seq 0 until given one) and its JSON columns as text. */
export interface EncodedMessage {
  input: NewMessage;
  message: StoredMessage;
  dataJson: string | null;
  fileJson: string | null;
}

/**
 * The append hot path, one per database: it allocates the gap-free seq, inserts the message, and
 * keeps the channel's activity and its members' unread counters, all in one transaction.
 */
export interface Appender {
  /**
   * `record` (@since 0.4), when given, is called with the stored message inside the append's
   * transaction (not for a duplicate); the outbox rows it returns are inserted in it too.
   */
  append(message: EncodedMessage, record?: (stored: StoredMessage) => OutboxEntry[]): Promise<AppendResult>;
  /** Resolves once every append accepted so far is durable. */
  flush(): Promise<void>;
}

/** A database the kysely store runs on. */
export interface StoreDialect {
  readonly db: Kysely<StoreSchema>;
  readonly capabilities: StoreCapabilities;
  /** PostgreSQL: the schema holding the tables (migration bookkeeping goes there too). */
  migrationSchema(): Promise<string | undefined>;
  readonly appender: Appender;
  /** A synchronous read when the connection is free (SQLite); absent where reads are I/O. */
  readonly readNow?: (sql: string, params: readonly unknown[]) => Record<string, unknown>[] | undefined;
  /** A read as a named (server-side prepared) statement (PostgreSQL): parsed and planned once per connection. */
  readonly readNamed?: ReadNamed;
  healthy(): Promise<boolean>;
  /** Flushes the appender and closes the connections. */
  close(): Promise<void>;
}
