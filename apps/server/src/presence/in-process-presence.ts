import { LocalCounts, type Presence } from "./presence.ts";

/** Presence for a single instance (the in-process bus): every socket is local. */
export function createInProcessPresence(): Presence {
  const counts = new LocalCounts();
  return {
    driver: "memory",
    async join(channelUrl, userId) {
      return counts.add(channelUrl, userId, +1) === 1;
    },
    async leave(channelUrl, userId) {
      if (counts.get(channelUrl, userId) === 0) return false;
      return counts.add(channelUrl, userId, -1) === 0;
    },
    async online(channelUrl) {
      return counts.users(channelUrl);
    },
    // A single instance cannot outlive itself: nothing ever expires.
    onExpired() {
      return () => {};
    },
    async close() {
      counts.clear();
    },
  };
}
