import { createEventLog } from "./event-log.ts";
import { Migrator } from "kysely";
import {
  type AppendResult,
  type ChangeRecorder,
  type MessageStore,
  StoreError,
  type StoredMessage,
} from "../message-store.ts";
import * as audit from "./audit.ts";
import * as channels from "./channels.ts";
import type { StoreContext } from "./context.ts";
import type { StoreDialect } from "./dialect.ts";
import * as files from "./files.ts";
import * as inbox from "./inbox.ts";
import * as members from "./members.ts";
import * as messages from "./messages.ts";
import { storeMigrations } from "./migrations.ts";
import { createOutbox } from "./outbox.ts";
import { createPushStore } from "./push.ts";
import * as moderation from "./moderation.ts";
import * as reads from "./reads.ts";
import * as pins from "./pins.ts";
import * as revocations from "./revocations.ts";
import * as search from "./search.ts";
import { createCodec, encodeMessage } from "./rows.ts";

/**
 * The MessageStore, written once over kysely. The dialect brings the connection, the
 * capabilities the queries consult and the append hot path (group commit on SQLite, one
 * statement per append on PostgreSQL).
 */
export function createKyselyStore(dialect: StoreDialect): MessageStore {
  const ctx: StoreContext = {
    db: dialect.db,
    caps: dialect.capabilities,
    codec: createCodec(dialect.capabilities),
    ...(dialect.readNow ? { readNow: dialect.readNow } : {}),
    ...(dialect.readNamed ? { readNamed: dialect.readNamed } : {}),
    changes: { recorder: null as ChangeRecorder | null },
  };
  const webhookOutbox = createOutbox(ctx);
  const eventLog = createEventLog(ctx);
  let closed = false;

  /** Every failure leaves as a StoreError; anything unexpected is retryable STORE_UNAVAILABLE. */
  async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (closed) throw new StoreError("STORE_UNAVAILABLE", "store is closed");
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError("STORE_UNAVAILABLE", `${ctx.caps.driver}: ${what} failed`, { cause: e });
    }
  }

  // Push devices and mutes leave failures as StoreErrors too (503 / 400 at the edge).
  const rawPush = createPushStore(ctx);
  const push = Object.fromEntries(
    Object.entries(rawPush).map(([k, fn]) => [
      k,
      (...args: unknown[]) =>
        guard(`push.${k}`, () => (fn as (...a: unknown[]) => Promise<unknown>)(...args)),
    ]),
  ) as unknown as typeof rawPush;

  return {
    driver: ctx.caps.driver,
    migrate: () =>
      guard("migrate", async () => {
        const schema = await dialect.migrationSchema();
        const migrator = new Migrator({
          db: ctx.db,
          provider: { getMigrations: async () => storeMigrations(ctx.caps) },
          // Numbers are reserved per feature (0007 push, 0010 the events feed, …) and may land in
          // any order: a database that ran a later one still gets an earlier one added after it.
          allowUnorderedMigrations: true,
          ...(schema ? { migrationTableSchema: schema } : {}),
        });
        const { error } = await migrator.migrateToLatest();
        if (error) throw error;
      }),
    createChannel: (input) => guard("createChannel", () => channels.createChannel(ctx, input)),
    getChannel: (url) => guard("getChannel", () => channels.getChannel(ctx, url)),
    countChannels: () => guard("countChannels", () => channels.countChannels(ctx)),
    listChannels: (opts) => guard("listChannels", () => channels.listChannels(ctx, opts)),
    updateChannel: (url, patch) => guard("updateChannel", () => channels.updateChannel(ctx, url, patch)),
    deleteChannel: (url) => guard("deleteChannel", () => channels.deleteChannel(ctx, url)),
    addMembers: (url, userIds) => guard("addMembers", () => members.addMembers(ctx, url, userIds)),
    removeMembers: (url, userIds) => guard("removeMembers", () => members.removeMembers(ctx, url, userIds)),
    listMembers: (url) => guard("listMembers", () => members.listMembers(ctx, url)),
    isMember: (url, userId) => guard("isMember", () => members.isMember(ctx, url, userId)),
    userChannelUrls: (userId) => guard("userChannelUrls", () => members.userChannelUrls(ctx, userId)),
    appendMessage(input): Promise<AppendResult> {
      if (closed) return Promise.reject(new StoreError("STORE_UNAVAILABLE", "store is closed"));
      let encoded: ReturnType<typeof encodeMessage>;
      try {
        encoded = encodeMessage(input, ctx.codec);
      } catch (e) {
        return Promise.reject(e);
      }
      const recorder = ctx.changes.recorder;
      // History copied with its original time (a migration) was sent before: not a new message.
      const record =
        input.created_at === undefined && recorder?.wants("message.sent")
          ? (message: StoredMessage) => recorder.entries({ type: "message.sent", message })
          : undefined;
      const appended = dialect.appender.append(encoded, record).catch((e: unknown) => {
        if (e instanceof StoreError) throw e;
        throw new StoreError("STORE_UNAVAILABLE", `${ctx.caps.driver}: appendMessage failed`, { cause: e });
      });
      if (record)
        void appended.then(
          (r) => !r.duplicate && recorder?.recorded?.(),
          () => {},
        );
      return appended;
    },
    listMessages: (url, range) => guard("listMessages", () => messages.listMessages(ctx, url, range)),
    getMessage: (url, seq) => guard("getMessage", () => messages.getMessage(ctx, url, seq)),
    editMessage: (input) => guard("editMessage", () => messages.editMessage(ctx, input)),
    deleteMessage: (input) => guard("deleteMessage", () => messages.deleteMessage(ctx, input)),
    markRead: (url, userId, seq) => guard("markRead", () => reads.markRead(ctx, url, userId, seq)),
    readMark: (url, userId) => guard("readMark", () => reads.readMark(ctx, url, userId)),
    readState: (url) => guard("readState", () => reads.readState(ctx, url)),
    totalUnread: (userId, options) => guard("totalUnread", () => reads.totalUnread(ctx, userId, options)),
    listUserChannels: (userId, opts) =>
      guard("listUserChannels", () => inbox.listUserChannels(ctx, userId, opts)),
    getModeration: (url) => guard("getModeration", () => moderation.getModeration(ctx, url)),
    restrict: (url, kind, userIds, until) =>
      guard("restrict", () => moderation.restrict(ctx, url, kind, userIds, until)),
    unrestrict: (url, kind, userId) =>
      guard("unrestrict", () => moderation.unrestrict(ctx, url, kind, userId)),
    setFrozen: (url, frozen) => guard("setFrozen", () => moderation.setFrozen(ctx, url, frozen)),
    addOperators: (url, userIds) => guard("addOperators", () => moderation.addOperators(ctx, url, userIds)),
    removeOperators: (url, userIds) =>
      guard("removeOperators", () => moderation.removeOperators(ctx, url, userIds)),
    saveFile: (f) => guard("saveFile", () => files.saveFile(ctx, f)),
    getFile: (id) => guard("getFile", () => files.getFile(ctx, id)),
    revokeTokens: (userId, at) => guard("revokeTokens", () => revocations.revokeTokens(ctx, userId, at)),
    listTokenRevocations: (since) =>
      guard("listTokenRevocations", () => revocations.listTokenRevocations(ctx, since)),
    searchMessages: (url, o) => guard("searchMessages", () => search.searchMessages(ctx, url, o)),
    searchUserMessages: (userId, o) =>
      guard("searchUserMessages", () => search.searchUserMessages(ctx, userId, o)),
    pinMessage: (url, seq, by) => guard("pinMessage", () => pins.pinMessage(ctx, url, seq, by)),
    unpinMessage: (url, seq, by) => guard("unpinMessage", () => pins.unpinMessage(ctx, url, seq, by ?? null)),
    listPins: (url) => guard("listPins", () => pins.listPins(ctx, url)),
    appendAudit: (e) => guard("appendAudit", () => audit.appendAudit(ctx, e)),
    listAudit: (f) => guard("listAudit", () => audit.listAudit(ctx, f)),
    pruneAudit: (before) => guard("pruneAudit", () => audit.pruneAudit(ctx, before)),
    recordChanges(recorder) {
      ctx.changes.recorder = recorder;
    },
    webhookOutbox,
    push,
    eventLog,
    flush: () => dialect.appender.flush(),
    healthy: () => (closed ? Promise.resolve(false) : dialect.healthy()),
    async close() {
      if (closed) return;
      closed = true;
      await dialect.close();
    },
  };
}
