import { type Expression, type SqlBool, sql } from "kysely";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import {
  COUNTABLE_TYPES,
  type SearchOptions,
  type SearchPage,
  SHORT_TERM_WINDOW,
  StoreError,
} from "../message-store.ts";
import { requireChannel, type StoreContext } from "./context.ts";
import { MESSAGE_COLUMNS } from "./rows.ts";

/** Trigrams index substrings of 3 characters or more; shorter terms are matched with LIKE only. */
const TRIGRAM = 3;
const MAX_TERMS = 8;

/** The query's distinct terms (whitespace-separated), lower-cased, at most MAX_TERMS. */
function searchTerms(query: string): string[] {
  // The protocol refuses control characters; NUL would fail on PostgreSQL, so refuse it on both.
  if (query.includes("\u0000")) throw new StoreError("INVALID_DATA", "the search query contains NUL");
  const terms = [
    ...new Set(
      query
        .toLowerCase()
        .split(/\s+/u)
        .filter((t) => t.length > 0),
    ),
  ];
  if (terms.length === 0) throw new StoreError("INVALID_DATA", "the search query has no term");
  if (terms.length > MAX_TERMS) throw new StoreError("INVALID_DATA", `at most ${MAX_TERMS} search terms`);
  return terms;
}

const likePattern = (t: string) => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
/** A term as an FTS5 string (a phrase of one term: the trigram tokenizer matches it as a substring). */
const ftsString = (t: string) => `"${t.replace(/"/g, '""')}"`;

/**
 * The filter "holds every term". Every term is also checked on the row itself (LIKE / ILIKE), so
 * the index only narrows: a result always holds the text, whatever the index (see decisions.md).
 */
function matches(ctx: StoreContext, terms: string[], alias: string): Expression<SqlBool> {
  const col = sql.ref(`${alias}.message`);
  const likes = terms.map((t) =>
    ctx.caps.textSearch === "pg_trgm"
      ? sql<SqlBool>`${col} ilike ${likePattern(t)}`
      : sql<SqlBool>`${col} like ${likePattern(t)} escape '\\'`,
  );
  const long = terms.filter((t) => [...t].length >= TRIGRAM);
  if (ctx.caps.textSearch === "fts5" && long.length > 0) {
    // FTS5's external-content table shares the messages' rowids (migration 0008).
    const match = long.map(ftsString).join(" ");
    likes.unshift(
      sql<SqlBool>`${sql.ref(`${alias}.rowid`)} in (select rowid from messages_fts where messages_fts match ${match})`,
    );
  }
  return sql<SqlBool>`(${sql.join(likes, sql` and `)})`;
}

const onlyShort = (terms: string[]) => terms.every((t) => [...t].length < TRIGRAM);

const live = (alias: string) =>
  sql<SqlBool>`${sql.ref(`${alias}.type`)} in (${sql.join(COUNTABLE_TYPES.map((t) => sql.lit(t)))}) and not ${sql.ref(`${alias}.deleted`)}`;

const badCursor = () => new StoreError("INVALID_DATA", "invalid cursor");

export async function searchMessages(
  ctx: StoreContext,
  url: string,
  options: SearchOptions,
): Promise<SearchPage> {
  const terms = searchTerms(options.query);
  const channel = await requireChannel(ctx, ctx.db, url);
  let before = Number.MAX_SAFE_INTEGER;
  if (options.cursor !== undefined) {
    const key = decodeCursor(options.cursor);
    before = key !== null && /^[1-9][0-9]{0,15}$/.test(key) ? Number(key) : Number.NaN;
    if (!Number.isSafeInteger(before)) throw badCursor();
  }
  const floor = onlyShort(terms) ? channel.last_seq - SHORT_TERM_WINDOW : 0;
  const rows = await ctx.db
    .selectFrom("messages as m")
    .select(MESSAGE_COLUMNS.map((c) => `m.${c}` as const))
    .where("m.channel_url", "=", url)
    .where("m.seq", "<", before)
    .$if(floor > 0, (q) => q.where("m.seq", ">", floor))
    .where(live("m"))
    .where(matches(ctx, terms, "m"))
    .orderBy("m.seq", "desc")
    .limit(options.limit + 1)
    .execute();
  const more = rows.length > options.limit;
  const messages = rows.slice(0, options.limit).map(ctx.codec.message);
  const last = messages.at(-1);
  return { messages, nextCursor: more && last ? encodeCursor(String(last.seq)) : null };
}

export async function searchUserMessages(
  ctx: StoreContext,
  userId: string,
  options: SearchOptions,
): Promise<SearchPage> {
  const terms = searchTerms(options.query);
  let after: [string, string, number] | null = null;
  if (options.cursor !== undefined) {
    const key = decodeCursor(options.cursor);
    try {
      after = key === null ? null : (JSON.parse(key) as [string, string, number]);
    } catch {
      after = null;
    }
    if (
      !Array.isArray(after) ||
      typeof after[0] !== "string" ||
      typeof after[1] !== "string" ||
      !Number.isSafeInteger(after[2])
    )
      throw badCursor();
  }
  const short = onlyShort(terms);
  const rows = await ctx.db
    .selectFrom("messages as m")
    .innerJoin("members as u", (j) =>
      j.onRef("u.channel_url", "=", "m.channel_url").on("u.user_id", "=", userId),
    )
    .$if(short, (q) =>
      q
        .innerJoin("channels as c", "c.channel_url", "m.channel_url")
        .where(sql<SqlBool>`m.seq > c.last_seq - ${SHORT_TERM_WINDOW}`),
    )
    .select(MESSAGE_COLUMNS.map((c) => `m.${c}` as const))
    .where(live("m"))
    .where(matches(ctx, terms, "m"))
    .$if(after !== null, (q) => {
      const [at, ch, seq] = after as [string, string, number];
      return q.where((eb) =>
        eb.or([
          eb("m.created_at", "<", at),
          eb.and([eb("m.created_at", "=", at), eb("m.channel_url", "<", ch)]),
          eb.and([eb("m.created_at", "=", at), eb("m.channel_url", "=", ch), eb("m.seq", "<", seq)]),
        ]),
      );
    })
    .orderBy("m.created_at", "desc")
    .orderBy("m.channel_url", "desc")
    .orderBy("m.seq", "desc")
    .limit(options.limit + 1)
    .execute();
  const more = rows.length > options.limit;
  const messages = rows.slice(0, options.limit).map(ctx.codec.message);
  const last = messages.at(-1);
  return {
    messages,
    nextCursor:
      more && last ? encodeCursor(JSON.stringify([last.created_at, last.channel_url, last.seq])) : null,
  };
}
