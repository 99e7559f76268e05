import { ErrorCode, type EnvFlag, type FlagSource, type ProviderName } from "@podchat/protocol";
import type { Bus, Unsubscribe } from "../bus/bus.ts";
import { ChatError } from "../errors/chat-error.ts";
import type { ProviderSelector } from "../chat/chat-service.ts";
import type { Config, ConfigSources } from "../config/index.ts";
import { readYamlChatFlags } from "../config/index.ts";
import type { Logger } from "../observability/logger.ts";
import { type EnvName, type FlagPatch, type FlagStore, type RuntimeFlags, emptyFlags } from "./flag-store.ts";
import { inRollout } from "./rollout.ts";

const ENVIRONMENTS: EnvName[] = ["dev", "stg", "prod"];

export interface EffectiveFlag {
  use_websocket: boolean;
  source: FlagSource;
  rollout_percent: number;
  user_groups: string[];
}

export interface FlagResolverOptions {
  config: Config;
  sources: ConfigSources;
  store: FlagStore;
  bus: Bus;
  logger: Logger;
  /** Safety net beside the bus notification: re-read the flags this often. */
  pollMs?: number;
}

/**
 * Decides where new channels go. Precedence: per-channel override; else the environment's value —
 * `USE_WEBSOCKET_CHAT` pins it, else the value an admin set at runtime, else the yaml — applied to
 * the channels in the rollout percentage (stable hash of the url) and to every channel with a
 * member in the pilot user groups. Runtime changes reach every instance through the bus at once,
 * and through a 1 s re-read should a notification be lost.
 */
export class FlagResolver implements ProviderSelector {
  private runtime: RuntimeFlags;
  private readonly env: EnvName;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: Unsubscribe | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly o: FlagResolverOptions) {
    this.env = o.config.env;
    this.runtime = emptyFlags(this.env);
  }

  async start() {
    await this.reload();
    this.unsubscribe = await this.o.bus.subscribeControl((e) => {
      if (e.kind === "flags_changed" && e.env === this.env) void this.reload();
    });
    this.timer = setInterval(() => void this.reload(), this.o.pollMs ?? 1000);
    this.timer.unref();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.unsubscribe?.();
  }

  /** Called after every reload (tests, admin live view). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async reload() {
    try {
      const next = await this.o.store.get(this.env);
      const changed = JSON.stringify(next) !== JSON.stringify(this.runtime);
      this.runtime = next;
      if (changed) for (const l of this.listeners) l();
    } catch (err) {
      this.o.logger.warn({ err }, "could not re-read flags; keeping the last known values");
    }
  }

  effective(): EffectiveFlag {
    const { config, sources } = this.o;
    let use: boolean;
    let source: FlagSource;
    if (sources.useWebsocketPinned) {
      use = config.chat.use_websocket;
      source = "env";
    } else if (this.runtime.use_websocket !== null) {
      use = this.runtime.use_websocket;
      source = "runtime";
    } else {
      use = sources.yamlUseWebsocket;
      source = "yaml";
    }
    return {
      use_websocket: use,
      source,
      rollout_percent: this.runtime.rollout_percent ?? config.chat.rollout_percent,
      user_groups: this.runtime.user_groups ?? [],
    };
  }

  async providerForNewChannel(channelUrl: string, userIds: string[]): Promise<ProviderName> {
    const override = await this.o.store.getOverride(channelUrl);
    if (override) return override.provider;
    const f = this.effective();
    if (f.user_groups.length > 0 && userIds.some((u) => f.user_groups.includes(u))) return "websocket";
    return f.use_websocket && inRollout(channelUrl, f.rollout_percent) ? "websocket" : "sendbird";
  }

  /** New channels may go to `provider`: Sendbird while the flag is off or rolled out below 100 %. */
  mayChoose(provider: ProviderName): boolean {
    const f = this.effective();
    if (provider === "websocket")
      return (f.use_websocket && f.rollout_percent > 0) || f.user_groups.length > 0;
    return !f.use_websocket || f.rollout_percent < 100;
  }

  /** An admin change: refused for a pinned flag; audited; announced to every instance. */
  async update(env: EnvName, patch: FlagPatch, actor: string) {
    if (env === this.env && this.o.sources.useWebsocketPinned && patch.use_websocket !== undefined) {
      throw new ChatError("FLAG_PINNED", `chat.use_websocket is pinned by USE_WEBSOCKET_CHAT in ${env}`, {
        status: 409,
        retryable: false,
      });
    }
    const next = await this.o.store.set(env, patch, actor);
    await this.o.bus.publishControl({ kind: "flags_changed", env });
    if (env === this.env) await this.reload();
    return next;
  }

  async setOverride(channelUrl: string, provider: ProviderName, actor: string) {
    const o = await this.o.store.setOverride(this.env, channelUrl, provider, actor);
    await this.o.bus.publishControl({ kind: "flags_changed", env: this.env });
    return o;
  }

  async deleteOverride(channelUrl: string, actor: string) {
    const removed = await this.o.store.deleteOverride(this.env, channelUrl, actor);
    if (!removed) throw new ChatError(ErrorCode.NOT_FOUND, `no override for ${channelUrl}`);
    await this.o.bus.publishControl({ kind: "flags_changed", env: this.env });
  }

  /** Every environment's flag as the admin shows it. */
  async describeAll(configDir?: string): Promise<EnvFlag[]> {
    const out: EnvFlag[] = [];
    for (const env of ENVIRONMENTS) {
      const runtime = env === this.env ? this.runtime : await this.o.store.get(env);
      const yaml =
        env === this.env
          ? {
              use_websocket: this.o.sources.yamlUseWebsocket,
              rollout_percent: this.o.config.chat.rollout_percent,
            }
          : readYamlChatFlags(env, configDir);
      const pinned = env === this.env && this.o.sources.useWebsocketPinned;
      let value: boolean;
      let source: FlagSource;
      if (pinned) {
        value = this.o.config.chat.use_websocket;
        source = "env";
      } else if (runtime.use_websocket !== null) {
        value = runtime.use_websocket;
        source = "runtime";
      } else {
        value = yaml.use_websocket ?? false;
        source = "yaml";
      }
      out.push({
        env,
        use_websocket: value,
        source,
        pinned,
        runtime_value: runtime.use_websocket,
        yaml_value: yaml.use_websocket,
        rollout_percent: runtime.rollout_percent ?? yaml.rollout_percent ?? 100,
        user_groups: runtime.user_groups ?? [],
        current: env === this.env,
        updated_at: runtime.updated_at,
        updated_by: runtime.updated_by,
      });
    }
    return out;
  }
}
