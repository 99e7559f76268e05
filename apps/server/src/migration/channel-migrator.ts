import { randomUUID } from "node:crypto";
import { ErrorCode, type MigrationJob } from "@podchat/protocol";
import type { Bus } from "../bus/bus.ts";
import { ChatError } from "../errors/chat-error.ts";
import type { ChatService } from "../chat/chat-service.ts";
import type { Logger } from "../observability/logger.ts";
import type { ChatProvider } from "../providers/chat-provider.ts";
import type { MessageStore } from "../store/message-store.ts";

const PAGE = 200;
/** Migrated messages keep their Sendbird id inside podchat's message_id: re-runs store nothing twice. */
const ID_PREFIX = "sendbird-";

export interface ChannelMigratorDeps {
  chat: ChatService;
  store: MessageStore;
  sendbird: ChatProvider | undefined;
  bus: Bus;
  logger: Logger;
}

/**
 * Moves channels from Sendbird to podchat's WebSocket chat: copies members and the whole history
 * (paged through the Sendbird API, original order and timestamps), then switches the channel.
 * Resumable — a re-run continues after the last copied message — and safe to run twice.
 */
export class ChannelMigrator {
  private readonly jobs = new Map<string, MigrationJob>();
  private readonly running = new Map<string, Promise<MigrationJob>>();

  constructor(private readonly d: ChannelMigratorDeps) {}

  get(id: string): MigrationJob | null {
    return this.jobs.get(id) ?? null;
  }

  list(): MigrationJob[] {
    return [...this.jobs.values()].sort((a, b) => b.started_at.localeCompare(a.started_at));
  }

  /** Starts (or joins) the migration of one channel; returns the job at once. */
  start(channelUrl: string, actor: string): MigrationJob {
    for (const job of this.jobs.values()) {
      if (job.channel_url === channelUrl && job.state === "running") return job;
    }
    const job: MigrationJob = {
      id: randomUUID(),
      channel_url: channelUrl,
      state: "running",
      copied_messages: 0,
      total_messages: null,
      error: null,
      started_at: new Date().toISOString(),
      finished_at: null,
    };
    this.jobs.set(job.id, job);
    const run = this.run(job, actor).finally(() => this.running.delete(channelUrl));
    this.running.set(channelUrl, run);
    return job;
  }

  /** Runs a migration to its end (tests, CLI). */
  async migrate(channelUrl: string, actor = "system"): Promise<MigrationJob> {
    const job = this.start(channelUrl, actor);
    return (await this.running.get(channelUrl)) ?? job;
  }

  /** Migrates, one after the other, every Sendbird channel matching `q` (at most `limit`). */
  async startBulk(filter: { q?: string; limit?: number }, actor: string): Promise<MigrationJob[]> {
    const sendbird = this.requireSendbird();
    const limit = filter.limit ?? 100;
    const urls: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await sendbird.listChannels({
        limit: Math.min(100, limit - urls.length),
        ...(filter.q ? { q: filter.q } : {}),
        ...(cursor ? { cursor } : {}),
      });
      for (const c of page.channels) urls.push(c.channel_url);
      cursor = page.next_cursor ?? undefined;
    } while (cursor && urls.length < limit);
    const jobs: MigrationJob[] = [];
    let chain = Promise.resolve();
    for (const url of urls) {
      const job: MigrationJob = {
        id: randomUUID(),
        channel_url: url,
        state: "running",
        copied_messages: 0,
        total_messages: null,
        error: null,
        started_at: new Date().toISOString(),
        finished_at: null,
      };
      this.jobs.set(job.id, job);
      jobs.push(job);
      // One channel at a time: the Sendbird API is rate-limited per application.
      chain = chain.then(() => this.run(job, actor).then(() => undefined));
    }
    return jobs;
  }

  private requireSendbird(): ChatProvider {
    if (!this.d.sendbird)
      throw new ChatError(ErrorCode.UNSUPPORTED, "the sendbird provider is not configured", { status: 503 });
    return this.d.sendbird;
  }

  private async run(job: MigrationJob, actor: string): Promise<MigrationJob> {
    const { store, logger } = this.d;
    const url = job.channel_url;
    try {
      const sendbird = this.requireSendbird();
      let row = await store.getChannel(url);
      if (!row) {
        if (!(await this.d.chat.adopt(url)))
          throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${url} does not exist`);
        row = await store.getChannel(url);
      }
      if (row?.provider === "websocket") return this.finish(job);
      const remote = await sendbird.getChannel(url);
      if (!remote) throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${url} is not on Sendbird`);
      await store.updateChannel(url, { name: remote.name, data: remote.data });
      const members = await sendbird.listMembers(url);
      if (members.length > 0) await store.addMembers(url, members);
      job.total_messages = remote.last_seq === 0 ? 0 : null;

      let cursor = await this.resumePoint(url);
      cursor = await this.copyFrom(job, sendbird, url, cursor);
      await store.updateChannel(url, { provider: "websocket" });
      // Anything sent on Sendbird while the switch happened.
      await this.copyFrom(job, sendbird, url, cursor);
      logger.info({ channel_url: url, copied: job.copied_messages, actor }, "channel migrated to websocket");
      await this.d.bus.publishControl({ kind: "channel_migrated", channel_url: url });
      return this.finish(job);
    } catch (e) {
      job.state = "failed";
      job.error = e instanceof Error ? e.message : String(e);
      job.finished_at = new Date().toISOString();
      logger.warn({ err: e, channel_url: url }, "channel migration failed; run it again to resume");
      return job;
    }
  }

  private finish(job: MigrationJob): MigrationJob {
    job.state = "done";
    job.total_messages = job.copied_messages;
    job.finished_at = new Date().toISOString();
    return job;
  }

  /** The Sendbird id of the newest message already copied (0 when none). */
  private async resumePoint(url: string): Promise<number> {
    const [last] = await this.d.store.listMessages(url, {
      beforeSeq: Number.MAX_SAFE_INTEGER,
      limit: 1,
      messagesOnly: true,
    });
    if (!last?.message_id.startsWith(ID_PREFIX)) return 0;
    const id = Number(last.message_id.slice(ID_PREFIX.length));
    return Number.isSafeInteger(id) ? id : 0;
  }

  private async copyFrom(
    job: MigrationJob,
    sendbird: ChatProvider,
    url: string,
    after: number,
  ): Promise<number> {
    let cursor = after;
    for (;;) {
      const page = await sendbird.listMessages(url, { after_seq: cursor, limit: PAGE });
      for (const m of page.messages) {
        const r = await this.d.store.appendMessage({
          channel_url: url,
          type: m.type,
          user_id: m.user_id === null || m.user_id === undefined ? null : String(m.user_id),
          message: m.message,
          custom_type: m.custom_type ?? null,
          data: m.data ?? null,
          file: m.file ?? null,
          created_at: m.timestamp,
          message_id: `${ID_PREFIX}${m.message_id}`,
        });
        if (!r.duplicate) job.copied_messages++;
        cursor = m.seq;
      }
      if (!page.has_more || page.messages.length === 0) return cursor;
    }
  }
}
