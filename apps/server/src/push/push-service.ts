import { createHash } from "node:crypto";
import type { PushDeviceKind } from "@podchat/protocol";
import type { Config } from "../config/index.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Presence } from "../presence/presence.ts";
import { userPresenceKey } from "../presence/user-presence.ts";
import type { MessageStore, StoredMessage } from "../store/message-store.ts";
import type { StoredPushDevice } from "../store/push-store.ts";
import type { PushOutcome, PushProvider } from "./push-provider.ts";
import { renderPush } from "./templates.ts";

export interface PushServiceDeps {
  settings: Config["push"];
  store: MessageStore;
  presence: Presence;
  providers: PushProvider[];
  logger: Logger;
  metrics?: Metrics;
}

const PUSHED_TYPES = new Set(["MESG", "FILE", "IMAGE"]);

/** Messages of one channel waiting for one member's push. */
interface Batch {
  userId: string;
  channelUrl: string;
  count: number;
  latest: StoredMessage | null;
  timer: NodeJS.Timeout | null;
  /** No push for this (member, channel) before this time (the collapse window). */
  quietUntil: number;
}

/**
 * Push notifications for members with no live socket. Told about each newly stored message
 * after its commit (MessagePipeline), on the instance that stored it. Per member and channel:
 * the first message waits `grace_ms` (a client reconnecting meanwhile gets no push), then the
 * member is checked (any socket anywhere, mutes) and one push goes to each of their devices;
 * messages in the next `collapse_window_ms` are held and sent as one collapsed push at its end.
 * At most once: the schedule lives in memory, so a crash before a push is due loses it (docs/push.md).
 */
export class PushService {
  private readonly batches = new Map<string, Batch>();
  private readonly providers = new Map<PushDeviceKind, PushProvider>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private waiting: Array<() => void> = [];
  private running = 0;
  private stopped = false;
  /** Counters for tests and metrics. */
  readonly stats = { sent: 0, failed: 0, removed: 0, skipped_online: 0, skipped_muted: 0 };

  constructor(private readonly d: PushServiceDeps) {
    for (const p of d.providers) this.providers.set(p.kind, p);
  }

  get enabled(): boolean {
    return this.d.settings.enabled && this.providers.size > 0 && !this.stopped;
  }

  /** A message was committed (not a duplicate, not imported history). Never throws. */
  messageStored(m: StoredMessage): void {
    if (!this.enabled || !PUSHED_TYPES.has(m.type) || m.user_id === null) return;
    const op = this.schedule(m).catch((err) =>
      this.d.logger.warn({ err, channel_url: m.channel_url }, "push: scheduling failed"),
    );
    this.track(op);
  }

  private async schedule(m: StoredMessage) {
    // One indexed query: only members with a device cost anything further.
    const withDevices = await this.d.store.push.membersWithDevices(m.channel_url, m.user_id!);
    const now = Date.now();
    for (const userId of withDevices) {
      const key = `${userId}\u0000${m.channel_url}`;
      let b = this.batches.get(key);
      if (!b) {
        b = { userId, channelUrl: m.channel_url, count: 0, latest: null, timer: null, quietUntil: 0 };
        this.batches.set(key, b);
      }
      b.count++;
      if (!b.latest || m.seq > b.latest.seq) b.latest = m;
      if (b.timer) continue;
      const wait = Math.max(this.d.settings.grace_ms, b.quietUntil - now);
      b.timer = setTimeout(() => this.track(this.flush(key, b)), wait);
      b.timer.unref?.();
    }
  }

  private async flush(key: string, b: Batch) {
    b.timer = null;
    const { count, latest } = b;
    b.count = 0;
    b.latest = null;
    if (this.stopped || !latest || count === 0) return this.batches.delete(key);
    try {
      if (await this.isOnline(b.userId, b.channelUrl)) {
        // They are here and see it: no push, and the next message starts afresh.
        this.stats.skipped_online++;
        this.d.metrics?.pushes.inc({ outcome: "online", kind: "none" });
        return this.batches.delete(key);
      }
      if (await this.isMuted(b.userId, b.channelUrl)) {
        this.stats.skipped_muted++;
        this.d.metrics?.pushes.inc({ outcome: "muted", kind: "none" });
        return this.batches.delete(key);
      }
      const channel = await this.d.store.getChannel(b.channelUrl);
      const devices = await this.d.store.push.listDevices(b.userId);
      if (!channel || devices.length === 0) return this.batches.delete(key);
      const payload = renderPush(this.d.settings.templates, channel, latest, count);
      const collapseKey = createHash("sha256").update(b.channelUrl).digest("base64url").slice(0, 32);
      b.quietUntil = Date.now() + this.d.settings.collapse_window_ms;
      this.forgetAfterWindow(key, b);
      await Promise.all(
        devices.map((device) => this.deliver(device, { payload, collapseKey, ttlS: this.d.settings.ttl_s })),
      );
    } catch (err) {
      this.d.logger.warn({ err, channel_url: b.channelUrl }, "push: sending failed");
    }
  }

  /** The batch is dropped once its window ends with nothing held, so memory follows activity. */
  private forgetAfterWindow(key: string, b: Batch) {
    const t = setTimeout(() => {
      if (this.batches.get(key) === b && !b.timer && b.count === 0) this.batches.delete(key);
    }, this.d.settings.collapse_window_ms + 10);
    t.unref?.();
  }

  private async isOnline(userId: string, channelUrl: string): Promise<boolean> {
    const [inChannel, userConn] = await Promise.all([
      this.d.presence.online(channelUrl),
      this.d.presence.online(userPresenceKey(userId)),
    ]);
    return inChannel.includes(userId) || userConn.length > 0;
  }

  private async isMuted(userId: string, channelUrl: string): Promise<boolean> {
    const mutes = await this.d.store.push.listMutes(userId, new Date().toISOString());
    return mutes.some((x) => x.channel_url === null || x.channel_url === channelUrl);
  }

  private async deliver(device: StoredPushDevice, n: Parameters<PushProvider["send"]>[1]) {
    const provider = this.providers.get(device.kind);
    if (!provider) return;
    await this.slot();
    let outcome: PushOutcome;
    try {
      const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.d.settings.timeout_ms)]);
      outcome = await provider.send(device, n, signal);
    } finally {
      this.release();
    }
    const count = (o: string) => this.d.metrics?.pushes.inc({ outcome: o, kind: device.kind });
    if (outcome.ok) {
      this.stats.sent++;
      count("sent");
      return;
    }
    this.stats.failed++;
    count(outcome.gone ? "gone" : "failed");
    if (outcome.gone) {
      this.stats.removed += await this.d.store.push.removeDeviceById(device.id);
      this.d.logger.info(
        { user_id: device.user_id, kind: device.kind, status: outcome.status },
        "push: the service says the device is gone; registration removed",
      );
    } else {
      this.d.logger.warn(
        { user_id: device.user_id, kind: device.kind, status: outcome.status, error: outcome.error },
        "push: a push failed (not retried)",
      );
    }
  }

  private slot(): Promise<void> {
    if (this.running < this.d.settings.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private track(op: Promise<unknown>) {
    const p = op.then(() => {});
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves once every push under way has finished (tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Drops what is scheduled (at most once), aborts requests in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const b of this.batches.values()) if (b.timer) clearTimeout(b.timer);
    this.batches.clear();
    this.abort.abort(new Error("server shutting down"));
    await this.settled();
    await Promise.all([...this.providers.values()].map((p) => p.close?.()));
  }
}
