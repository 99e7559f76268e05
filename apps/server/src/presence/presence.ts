/**
 * Who is online in each channel, across every instance of the deployment. The hub tells it about
 * each admitted and each closed socket; the answers decide when USER_JOINED and USER_LEFT are
 * announced, so a user with sockets on several instances is joined once and left once.
 */
export interface Presence {
  readonly driver: "memory" | "redis";
  /**
   * A socket of `userId` was admitted to `channelUrl` on this instance. True when it is the user's
   * first socket in the channel anywhere (announce USER_JOINED).
   */
  join(channelUrl: string, userId: string): Promise<boolean>;
  /**
   * A socket of `userId` in `channelUrl` on this instance closed. True when it was the user's last
   * socket in the channel anywhere (announce USER_LEFT).
   */
  leave(channelUrl: string, userId: string): Promise<boolean>;
  /** Users with at least one socket in the channel on any live instance, in no particular order. */
  online(channelUrl: string): Promise<string[]>;
  /**
   * Called for users who were online only through an instance that died without saying goodbye,
   * once that instance is considered dead (announce USER_LEFT). Returns a function removing `cb`.
   */
  onExpired(cb: (channelUrl: string, userId: string) => void): () => void;
  /** Forgets this instance's users everywhere and releases connections. */
  close(): Promise<void>;
}

/** Counts per channel and user, as each instance keeps them for its own sockets. */
export class LocalCounts {
  private readonly channels = new Map<string, Map<string, number>>();

  /** Adds `delta` and returns the new count. */
  add(channelUrl: string, userId: string, delta: number): number {
    let users = this.channels.get(channelUrl);
    if (!users) {
      users = new Map();
      this.channels.set(channelUrl, users);
    }
    const n = Math.max(0, (users.get(userId) ?? 0) + delta);
    if (n === 0) {
      users.delete(userId);
      if (users.size === 0) this.channels.delete(channelUrl);
    } else {
      users.set(userId, n);
    }
    return n;
  }

  get(channelUrl: string, userId: string): number {
    return this.channels.get(channelUrl)?.get(userId) ?? 0;
  }

  users(channelUrl: string): string[] {
    return [...(this.channels.get(channelUrl)?.keys() ?? [])];
  }

  /** Every (channel, user, count) held. */
  *entries(): Generator<[string, string, number]> {
    for (const [channelUrl, users] of this.channels) {
      for (const [userId, n] of users) yield [channelUrl, userId, n];
    }
  }

  clear() {
    this.channels.clear();
  }
}
