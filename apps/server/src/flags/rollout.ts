/**
 * The rollout bucket of a channel: a stable number in [0, 100) from an FNV-1a hash of its url, so
 * the same channel always lands on the same side and shares follow the percentage.
 */
export function rolloutBucket(channelUrl: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < channelUrl.length; i++) {
    h ^= channelUrl.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche (murmur3 fmix32) so similar urls ("pod_1", "pod_2") spread evenly.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return ((h >>> 0) % 10_000) / 100;
}

export function inRollout(channelUrl: string, percent: number): boolean {
  return rolloutBucket(channelUrl) < percent;
}
