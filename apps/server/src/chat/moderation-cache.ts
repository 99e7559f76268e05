import type { Bus, Unsubscribe } from "../bus/bus.ts";
import type { ModerationView } from "./moderation-policy.ts";

interface Entry {
  value: ModerationView | null;
  loading: Promise<ModerationView> | null;
  /** Bumped by every moderation event, so a read racing a change does not cache stale state. */
  version: number;
  subscribed: Promise<Unsubscribe>;
}

/**
 * Moderation state per channel for the send rules, so a send costs no store round trip. Each
 * cached channel is subscribed on the bus and dropped on its moderation events (from any
 * instance); the least recently used channels beyond `max` are forgotten.
 */
export class ModerationCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly bus: Bus,
    private readonly load: (channelUrl: string) => Promise<ModerationView>,
    private readonly max = 10_000,
  ) {}

  async get(channelUrl: string): Promise<ModerationView> {
    let e = this.entries.get(channelUrl);
    if (e) {
      // Most recently used last.
      this.entries.delete(channelUrl);
      this.entries.set(channelUrl, e);
    } else {
      e = this.open(channelUrl);
    }
    if (e.value) return e.value;
    if (e.loading) return e.loading;
    const entry = e;
    // Set before any await, so concurrent reads after an invalidation share one load; the read
    // starts only once the subscription stands, so no change slips between it and the cache.
    const load = entry.subscribed.then(
      async () => {
        const version = entry.version;
        const m = await this.load(channelUrl);
        if (entry.version === version && this.entries.get(channelUrl) === entry) entry.value = m;
        return m;
      },
      () => {
        // The bus is down: answer from the store, cache nothing.
        if (this.entries.get(channelUrl) === entry) this.entries.delete(channelUrl);
        return this.load(channelUrl);
      },
    );
    entry.loading = load;
    const clear = () => {
      if (entry.loading === load) entry.loading = null;
    };
    load.then(clear, clear);
    return load;
  }

  private open(channelUrl: string): Entry {
    const entry: Entry = { value: null, loading: null, version: 0, subscribed: null as never };
    entry.subscribed = this.bus.subscribeChannel(channelUrl, (ev) => {
      if (ev.kind !== "moderation" && !(ev.kind === "kick" && ev.user_ids === "all")) return;
      entry.value = null;
      entry.loading = null;
      entry.version++;
    });
    this.entries.set(channelUrl, entry);
    if (this.entries.size > this.max) {
      const [oldUrl, old] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldUrl);
      void old.subscribed.then((off) => off()).catch(() => {});
    }
    return entry;
  }

  async close() {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(all.map((e) => e.subscribed.then((off) => off())));
  }
}
