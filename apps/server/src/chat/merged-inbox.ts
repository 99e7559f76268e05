import {
  ErrorCode,
  type InboxChannel,
  type InboxQuery,
  type InboxResponse,
  type InboxSourceError,
  type ProviderName,
} from "@podchat/protocol";
import { ChatError } from "../errors/chat-error.ts";
import type { ChatProvider, RemoteInboxQuery } from "../providers/chat-provider.ts";
import { toInboxChannel } from "../providers/websocket/wire.ts";
import { decodeCursor, encodeCursor } from "../store/cursor.ts";
import type { MessageStore } from "../store/message-store.ts";

/** Sendbird's page cap; also the page size asked for, so few calls walk a user's channels. */
const REMOTE_PAGE = 100;
/** 20 pages = 2,000 channels, the most group channels one Sendbird user may join. */
const REMOTE_MAX_PAGES = 20;

type Key = { lastActivityAt: string; channelUrl: string };

interface Filters {
  customType?: string;
  namePrefix?: string;
  unreadOnly?: boolean;
}

export interface MergedInboxDeps {
  store: MessageStore;
  /** The provider whose channels podchat's store lists (websocket). */
  local: ProviderName;
  /** A provider asked for its own share of each inbox (Sendbird); absent = the store alone. */
  remote: (ChatProvider & Required<Pick<ChatProvider, "listUserChannels">>) | undefined;
  /** Whether the user may have channels on the remote, so it is worth asking (config `sendbird.inbox`). */
  mayHaveRemote: (userId: string) => Promise<boolean>;
  /**
   * How long one answer waits for the remote, retries included (config `sendbird.inbox_timeout_ms`);
   * past it the answer is partial. Default 5 s.
   */
  remoteBudgetMs?: number;
}

/** The unread badge over every source, and which sources failed. */
export interface MergedTotal {
  total: number;
  errors: InboxSourceError[];
}

/**
 * A user's inbox over podchat's store and a remote provider (Sendbird): one list, newest activity
 * first, ties by channel_url (both descending, the store's order), keyset-paged on
 * (last_activity_at, channel_url) so a page boundary means the same on both sides.
 *
 * - The store answers its own channels (`local`); the remote lists the user's channels there. A
 *   channel both know (being or having been migrated) is shown once, from the provider podchat routes
 *   it to — its record's `provider`, which a migration switches — so remote rows whose record says
 *   `local` are dropped, and the store's routing rows of remote channels are not listed.
 * - The remote is walked from its first page each time (its page tokens cannot start at a key) and
 *   only as far as the page needs, relying on its newest-first order (see docs/sendbird.md).
 * - When the remote fails, the store's channels come back alone with `partial: true` and `errors`.
 */
export class MergedInbox {
  constructor(private readonly d: MergedInboxDeps) {}

  async list(userId: string, query: InboxQuery): Promise<InboxResponse> {
    const { store, local } = this.d;
    const remote = (await this.d.mayHaveRemote(userId)) ? this.d.remote : undefined;
    const limit = query.limit ?? 20;
    const after = query.cursor ? parseCursor(query.cursor) : undefined;
    const filters: Filters = {
      ...(query.custom_type !== undefined ? { customType: query.custom_type } : {}),
      ...(query.name_prefix !== undefined ? { namePrefix: query.name_prefix } : {}),
      ...(query.unread_only === true || query.unread_only === "true" ? { unreadOnly: true } : {}),
    };
    const askRemote =
      remote !== undefined && (query.provider === undefined || query.provider === remote.name);
    // Without the remote the store lists everything it routes, as before (Sendbird routing rows too).
    const storeProvider = askRemote ? (query.provider ?? local) : query.provider;
    const askStore = !(askRemote && query.provider === remote?.name);

    const plainFirstPage = after === undefined && Object.keys(filters).length === 0;
    const storePage = askStore
      ? store.listUserChannels(userId, {
          limit,
          ...(after ? { after } : {}),
          ...filters,
          ...(storeProvider ? { provider: storeProvider } : {}),
        })
      : Promise.resolve({ rows: [], nextCursor: null });
    const remoteWalk = askRemote
      ? this.budget(this.remoteRows(userId, limit, after, filters)).then(ok, failed)
      : undefined;
    // A plain first page usually sees all the remote channels: their unread is summed from it below.
    const remoteTotal =
      remote && !(askRemote && plainFirstPage)
        ? this.budget(this.remoteUnread(userId)).then(ok, failed)
        : undefined;
    const [page, walked, localTotal, counted] = await Promise.all([
      storePage,
      remoteWalk,
      store.totalUnread(userId, remote ? { provider: local } : {}),
      remoteTotal,
    ]);

    const errors: InboxSourceError[] = [];
    let remoteRows: InboxChannel[] = [];
    let total = localTotal;
    if (walked?.ok) remoteRows = walked.value.rows;
    if (walked && !walked.ok && remote) errors.push(sourceError(remote.name, walked.error));
    if (counted?.ok) total += counted.value;
    else if (counted && remote && errors.length === 0) errors.push(sourceError(remote.name, counted.error));
    else if (!counted && walked?.ok) {
      total += walked.value.complete
        ? sum(walked.value.rows)
        : await this.budget(this.remoteUnread(userId)).then(
            (n) => n,
            (e: unknown) => {
              if (remote) errors.push(sourceError(remote.name, e));
              return 0;
            },
          );
    }

    const merged = [...page.rows.map(toInboxChannel), ...remoteRows].sort(newestFirst);
    const channels = merged.slice(0, limit);
    const more = merged.length > limit || page.nextCursor !== null;
    const last = channels.at(-1);
    return {
      channels,
      next_cursor: more && last ? encodeKey(keyOf(last)) : null,
      total_unread: total,
      ...(errors.length > 0 ? { partial: true, errors } : {}),
    };
  }

  /** Unread over the store's channels and the remote's (those routed to it). */
  async totalUnread(userId: string): Promise<MergedTotal> {
    const { store, local } = this.d;
    const remote = (await this.d.mayHaveRemote(userId)) ? this.d.remote : undefined;
    if (!remote) return { total: await store.totalUnread(userId), errors: [] };
    const [localTotal, counted] = await Promise.all([
      store.totalUnread(userId, { provider: local }),
      this.budget(this.remoteUnread(userId)).then(ok, failed),
    ]);
    if (counted.ok) return { total: localTotal + counted.value, errors: [] };
    return { total: localTotal, errors: [sourceError(remote.name, counted.error)] };
  }

  /**
   * The remote's rows that belong on the page after `after`: walks its pages newest first, keeps
   * rows older than `after` that pass the filters and are routed to the remote, and stops once more
   * than `limit` are kept and the walk has passed the oldest of them (so rows of equal time are
   * all seen). `complete`: every page was read.
   */
  private async remoteRows(
    userId: string,
    limit: number,
    after: Key | undefined,
    filters: Filters,
  ): Promise<{ rows: InboxChannel[]; complete: boolean }> {
    const kept: InboxChannel[] = [];
    let token: string | undefined;
    for (let pages = 0; pages < REMOTE_MAX_PAGES; pages++) {
      const page = await this.remotePage(userId, {
        ...filters,
        limit: REMOTE_PAGE,
        ...(token ? { token } : {}),
      });
      const candidates = page.channels.filter(
        (c) => (!after || isOlder(keyOf(c), after)) && passes(c, filters),
      );
      kept.push(...(await this.routedToRemote(candidates)));
      if (!page.next) return { rows: kept, complete: true };
      if (kept.length > limit) {
        kept.sort(newestFirst);
        const oldestNeeded = kept[limit]?.last_activity_at ?? "";
        const lastSeen = page.channels.at(-1)?.last_activity_at;
        if (lastSeen !== undefined && lastSeen < oldestNeeded) return { rows: kept, complete: false };
      }
      token = page.next;
    }
    return { rows: kept, complete: false };
  }

  /** Fails with PROVIDER_ERROR when the remote takes longer than the budget (its call goes on, unheard). */
  private budget<T>(work: Promise<T>): Promise<T> {
    const ms = this.d.remoteBudgetMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ChatError(ErrorCode.PROVIDER_ERROR, `${this.d.remote?.name} did not answer within ${ms} ms`, {
              status: 504,
            }),
          ),
        ms,
      );
      timer.unref();
    });
    work.catch(() => {}); // a late failure is not an unhandled rejection
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  /** The user's unread on the remote: its channels with unread messages, those routed to it. */
  private async remoteUnread(userId: string): Promise<number> {
    let total = 0;
    let token: string | undefined;
    for (let pages = 0; pages < REMOTE_MAX_PAGES; pages++) {
      const page = await this.remotePage(userId, {
        limit: REMOTE_PAGE,
        unreadOnly: true,
        ...(token ? { token } : {}),
      });
      total += sum(await this.routedToRemote(page.channels));
      if (!page.next) break;
      token = page.next;
    }
    return total;
  }

  private remotePage(userId: string, q: RemoteInboxQuery) {
    const remote = this.d.remote;
    if (!remote) return Promise.resolve({ channels: [], next: null });
    return remote.listUserChannels(userId, q);
  }

  /** Drops rows of channels podchat routes elsewhere (migrated); unknown channels stay (legacy). */
  private async routedToRemote(rows: InboxChannel[]): Promise<InboxChannel[]> {
    const records = await Promise.all(rows.map((r) => this.d.store.getChannel(r.channel_url)));
    return rows.filter((_, i) => {
      const record = records[i];
      return !record || record.provider === this.d.remote?.name;
    });
  }
}

function passes(c: InboxChannel, f: Filters): boolean {
  return (
    (f.customType === undefined || c.custom_type === f.customType) &&
    (f.namePrefix === undefined || c.name.startsWith(f.namePrefix)) &&
    (!f.unreadOnly || c.unread_count > 0)
  );
}

function keyOf(c: InboxChannel): Key {
  return { lastActivityAt: c.last_activity_at, channelUrl: c.channel_url };
}

function isOlder(a: Key, b: Key): boolean {
  return (
    a.lastActivityAt < b.lastActivityAt ||
    (a.lastActivityAt === b.lastActivityAt && a.channelUrl < b.channelUrl)
  );
}

function newestFirst(a: InboxChannel, b: InboxChannel): number {
  const x = keyOf(a);
  const y = keyOf(b);
  return isOlder(x, y) ? 1 : isOlder(y, x) ? -1 : 0;
}

function sum(rows: InboxChannel[]): number {
  return rows.reduce((n, r) => n + r.unread_count, 0);
}

/** The store's cursor format (base64url of `[last_activity_at, channel_url]`), so older cursors keep working. */
function encodeKey(k: Key): string {
  return encodeCursor(JSON.stringify([k.lastActivityAt, k.channelUrl]));
}

function parseCursor(cursor: string): Key {
  const raw = decodeCursor(cursor);
  try {
    const v: unknown = raw === null ? null : JSON.parse(raw);
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string")
      return { lastActivityAt: v[0], channelUrl: v[1] };
  } catch {}
  throw new ChatError(ErrorCode.VALIDATION_FAILED, "invalid inbox cursor", { field: "cursor" });
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };
const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const failed = (error: unknown): Outcome<never> => ({ ok: false, error });

function sourceError(provider: ProviderName, error: unknown): InboxSourceError {
  if (error instanceof ChatError) return { provider, code: String(error.code), message: error.message };
  return {
    provider,
    code: ErrorCode.PROVIDER_ERROR,
    message: error instanceof Error ? error.message : String(error),
  };
}
