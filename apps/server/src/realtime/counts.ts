/** Adds `delta` to a per-key count, dropping keys that reach zero (so maps do not grow forever). */
export function bump(map: Map<string, number>, key: string, delta: number) {
  const n = (map.get(key) ?? 0) + delta;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
