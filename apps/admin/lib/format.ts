import type { EnvFlag, WireUserId } from "@podchat/protocol";

/** `93784` → `1d 2h 3m`; under a minute → `42s`. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return [d ? `${d}d` : "", d || h ? `${h}h` : "", `${m}m`].filter(Boolean).join(" ");
}

/** Messages per second with one decimal below 10, whole numbers above. */
export function formatRate(perSecond: number): string {
  return perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond).toString();
}

/** Where an environment's flag value comes from, in words. */
export function flagSourceLabel(flag: Pick<EnvFlag, "source" | "pinned">): string {
  if (flag.pinned || flag.source === "env") return "env-pinned (USE_WEBSOCKET_CHAT)";
  return flag.source === "runtime" ? "runtime (admin)" : "yaml";
}

export function providerLabel(useWebsocket: boolean): "websocket" | "sendbird" {
  return useWebsocket ? "websocket" : "sendbird";
}

/** An audit value as a short string: JSON for anything but strings. */
export function formatAuditValue(value: unknown): string {
  if (value === undefined || value === null) return "(unset)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `2024-01-01T00:00:00.000Z` → `2024-01-01 00:00:00` (UTC, stable between server and browser). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace("T", " ").slice(0, 19);
}

export function sameUser(a: WireUserId | null | undefined, b: WireUserId | null | undefined): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
}
