import type { InstanceInfo } from "@podchat/protocol";
import type { Bus, Unsubscribe } from "../bus/bus.ts";

export interface LocalStats {
  connections: number;
  channels: number;
  messagesIn: number;
}

/**
 * What every instance of the deployment is doing. Each instance announces itself on the bus every
 * second; entries older than a few seconds are dropped (a dead instance leaves the table).
 */
export class InstanceRegistry {
  private readonly peers = new Map<string, InstanceInfo>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: Unsubscribe | null = null;
  private readonly startedAt = new Date();
  private lastCount = 0;
  private lastAt = performance.now();
  private rate = 0;

  constructor(
    private readonly bus: Bus,
    private readonly env: string,
    private readonly version: string,
    private readonly stats: () => LocalStats,
    private readonly intervalMs = 1000,
  ) {}

  async start() {
    this.lastCount = this.stats().messagesIn;
    this.unsubscribe = await this.bus.subscribeControl((e) => {
      if (e.kind === "instance_stats" && typeof e.info === "object" && e.info !== null) {
        const info = e.info as InstanceInfo;
        if (info.node_id !== this.bus.nodeId) this.peers.set(info.node_id, info);
      }
    });
    this.timer = setInterval(() => {
      this.sample();
      void this.bus.publishControl({ kind: "instance_stats", info: this.self() }).catch(() => {});
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    await this.unsubscribe?.();
  }

  private sample() {
    const now = performance.now();
    const count = this.stats().messagesIn;
    this.rate = ((count - this.lastCount) * 1000) / Math.max(1, now - this.lastAt);
    this.lastCount = count;
    this.lastAt = now;
  }

  self(): InstanceInfo {
    const s = this.stats();
    return {
      node_id: this.bus.nodeId,
      env: this.env,
      version: this.version,
      started_at: this.startedAt.toISOString(),
      uptime_s: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      connections: s.connections,
      channels: s.channels,
      messages_per_s: Math.round(this.rate * 10) / 10,
      seen_at: new Date().toISOString(),
    };
  }

  /** This instance first, then the peers heard from within the last 5 intervals. */
  all(): InstanceInfo[] {
    const cutoff = Date.now() - this.intervalMs * 5;
    for (const [id, info] of this.peers) if (Date.parse(info.seen_at) < cutoff) this.peers.delete(id);
    return [this.self(), ...[...this.peers.values()].sort((a, b) => a.node_id.localeCompare(b.node_id))];
  }
}
