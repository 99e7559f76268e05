export { createPresenceFromConfig } from "./create-presence.ts";
export { createInProcessPresence } from "./in-process-presence.ts";
export type { Presence } from "./presence.ts";
export { createRedisPresence, type RedisPresence, type RedisPresenceOptions } from "./redis-presence.ts";
