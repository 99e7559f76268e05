import type { Bus } from "../bus/bus.ts";
import type { Config } from "../config/index.ts";
import { createInProcessPresence } from "./in-process-presence.ts";
import type { Presence } from "./presence.ts";

/** The presence that goes with the bus the config selects: Redis for several instances. */
export async function createPresenceFromConfig(
  config: Config,
  bus: Bus,
  onError?: (error: unknown, what: string) => void,
): Promise<Presence> {
  if (config.bus.driver === "redis") {
    const { createRedisPresence } = await import("./redis-presence.ts");
    return createRedisPresence({
      url: config.bus.redis.url!,
      nodeId: bus.nodeId,
      prefix: config.bus.redis.prefix,
      ...(onError ? { onError } : {}),
    });
  }
  return createInProcessPresence();
}
