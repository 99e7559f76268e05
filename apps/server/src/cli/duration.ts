const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90" or "90s", "15m", "1h", "7d" → seconds; throws on anything else. */
export function parseDuration(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (use e.g. 3600, 90s, 15m, 1h, 7d)`);
  const seconds = Number(m[1]) * units[m[2] || "s"]!;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new Error(`"${text}" is not a positive duration`);
  return seconds;
}
