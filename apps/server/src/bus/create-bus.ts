import type { Config } from "../config/index.ts";
import type { Bus } from "./bus.ts";
import { createInProcessBus } from "./in-process/in-process-bus.ts";

/** The bus the config selects. */
export async function createBusFromConfig(config: Config): Promise<Bus> {
  if (config.bus.driver === "redis") {
    const { createRedisBus } = await import("./redis/redis-bus.ts");
    return createRedisBus({ url: config.bus.redis.url!, prefix: config.bus.redis.prefix });
  }
  return createInProcessBus();
}
