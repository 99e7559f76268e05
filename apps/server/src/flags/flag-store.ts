import type { ProviderName } from "@podchat/protocol";

export type EnvName = "dev" | "stg" | "prod";

/** Values an admin set at runtime for one environment; null = not set (fall back to yaml). */
export interface RuntimeFlags {
  env: EnvName;
  use_websocket: boolean | null;
  rollout_percent: number | null;
  user_groups: string[] | null;
  updated_at: string | null;
  updated_by: string | null;
}

export interface FlagPatch {
  use_websocket?: boolean;
  rollout_percent?: number;
  user_groups?: string[];
}

export interface StoredOverride {
  channel_url: string;
  provider: ProviderName;
  updated_by: string;
  updated_at: string;
}

export interface StoredAuditEntry {
  id: number;
  env: string;
  key: string;
  old_value: unknown;
  new_value: unknown;
  actor: string;
  at: string;
}

export interface AuditFilter {
  env?: string;
  actor?: string;
  key?: string;
  limit: number;
}

/**
 * Runtime feature flags per environment, per-channel overrides, and their audit trail (who, when,
 * old → new). Every change and its audit entries are written in one transaction.
 */
export interface FlagStore {
  migrate(): Promise<void>;
  get(env: EnvName): Promise<RuntimeFlags>;
  set(env: EnvName, patch: FlagPatch, actor: string): Promise<RuntimeFlags>;
  listOverrides(): Promise<StoredOverride[]>;
  getOverride(channelUrl: string): Promise<StoredOverride | null>;
  setOverride(
    env: EnvName,
    channelUrl: string,
    provider: ProviderName,
    actor: string,
  ): Promise<StoredOverride>;
  /** False when there was none. */
  deleteOverride(env: EnvName, channelUrl: string, actor: string): Promise<boolean>;
  audit(filter: AuditFilter): Promise<StoredAuditEntry[]>;
  close(): Promise<void>;
}

export const emptyFlags = (env: EnvName): RuntimeFlags => ({
  env,
  use_websocket: null,
  rollout_percent: null,
  user_groups: null,
  updated_at: null,
  updated_by: null,
});

/** The audit entries a patch produces against the current values (unchanged keys produce none). */
export function diffFlags(
  current: RuntimeFlags,
  patch: FlagPatch,
): Array<{ key: keyof FlagPatch; old: unknown; next: unknown }> {
  const out: Array<{ key: keyof FlagPatch; old: unknown; next: unknown }> = [];
  for (const key of ["use_websocket", "rollout_percent", "user_groups"] as const) {
    const next = patch[key];
    if (next === undefined) continue;
    if (JSON.stringify(current[key]) !== JSON.stringify(next)) out.push({ key, old: current[key], next });
  }
  return out;
}
