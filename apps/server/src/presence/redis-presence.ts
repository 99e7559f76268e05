import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { LocalCounts, type Presence } from "./presence.ts";

export interface RedisPresenceOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** This instance's id (use the bus's `nodeId`); default a random UUID. */
  nodeId?: string;
  /** Key namespace, shared by the instances of one deployment. Default `podchat`. */
  prefix?: string;
  /** How long an instance counts as alive after its last heartbeat. Default 10,000 ms. */
  ttlMs?: number;
  /** Heartbeat (and dead-instance sweep) interval. Default 3,000 ms; must be well below `ttlMs`. */
  heartbeatMs?: number;
  /** How long the first commands wait for the very first connection. Default 5,000 ms. */
  connectTimeoutMs?: number;
  /** How long a command may wait for Redis to answer. Default 2,000 ms. */
  commandTimeoutMs?: number;
  /** Told about failed commands (the answer then falls back to this instance's own view). */
  onError?: (error: unknown, what: string) => void;
}

export interface RedisPresence extends Presence {
  readonly driver: "redis";
  /** Resolves once connected and registered; rejects after `connectTimeoutMs`. */
  ready(): Promise<void>;
  /** Runs one heartbeat and sweep now (tests; the timer does it every `heartbeatMs`). */
  heartbeat(): Promise<void>;
  /**
   * Test hook: stops heartbeats and drops the connection without removing anything, as a process
   * killed with SIGKILL would.
   */
  crash(): void;
}

// Key layout, under `{prefix}:presence` (channel urls never contain ':'):
//   :nodes                      SET  instances that registered
//   :alive:{node}               STR  present while the instance is alive (PX ttl, heartbeat)
//   :node:{node}:channels       SET  channels where the instance has users
//   :ch:{channel}:nodes         SET  instances with users in the channel
//   :ch:{channel}:n:{node}      HASH user → number of that instance's sockets
// Every instance writes only its own hashes, with absolute counts from its memory, so a write can
// be repeated after an outage. A user is online while some live instance's hash holds it.

/** Writes this node's count for a user (0 removes it); returns 1 when another live node has the user. */
const SET_SCRIPT = `
local base, node, ch, user, count = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local chNodes = base .. ':ch:' .. ch .. ':nodes'
local mine = base .. ':ch:' .. ch .. ':n:' .. node
local myChannels = base .. ':node:' .. node .. ':channels'
if count > 0 then
  redis.call('HSET', mine, user, count)
  redis.call('SADD', chNodes, node)
  redis.call('SADD', myChannels, ch)
else
  redis.call('HDEL', mine, user)
  if redis.call('EXISTS', mine) == 0 then
    redis.call('SREM', chNodes, node)
    redis.call('SREM', myChannels, ch)
  end
end
for _, other in ipairs(redis.call('SMEMBERS', chNodes)) do
  if other ~= node and redis.call('EXISTS', base .. ':alive:' .. other) == 1
    and redis.call('HEXISTS', base .. ':ch:' .. ch .. ':n:' .. other, user) == 1 then
    return 1
  end
end
return 0`;

const ONLINE_SCRIPT = `
local base, ch = ARGV[1], ARGV[2]
local out, seen = {}, {}
for _, n in ipairs(redis.call('SMEMBERS', base .. ':ch:' .. ch .. ':nodes')) do
  if redis.call('EXISTS', base .. ':alive:' .. n) == 1 then
    for _, u in ipairs(redis.call('HKEYS', base .. ':ch:' .. ch .. ':n:' .. n)) do
      if not seen[u] then
        seen[u] = true
        out[#out + 1] = u
      end
    end
  end
end
return out`;

/** Removes everything a node wrote. */
const RESET_SCRIPT = `
local base, node = ARGV[1], ARGV[2]
local chans = base .. ':node:' .. node .. ':channels'
for _, ch in ipairs(redis.call('SMEMBERS', chans)) do
  redis.call('DEL', base .. ':ch:' .. ch .. ':n:' .. node)
  redis.call('SREM', base .. ':ch:' .. ch .. ':nodes', node)
end
redis.call('DEL', chans)
return 1`;

/**
 * Refreshes this node's liveness, then removes every node whose liveness expired. Returns
 * {known, gone}: known = 0 when this node was not registered (Redis lost its data, or this node
 * was swept after a long pause: it must write its state again); gone = channel, user, channel,
 * user … for users whose last socket was on a removed node. The script is atomic, so exactly one
 * sweeper reports each dead node's users.
 */
const HEARTBEAT_SCRIPT = `
local base, node, ttl = ARGV[1], ARGV[2], ARGV[3]
local nodes = base .. ':nodes'
redis.call('SET', base .. ':alive:' .. node, '1', 'PX', ttl)
local known = redis.call('SISMEMBER', nodes, node)
redis.call('SADD', nodes, node)
local gone = {}
for _, dead in ipairs(redis.call('SMEMBERS', nodes)) do
  if dead ~= node and redis.call('EXISTS', base .. ':alive:' .. dead) == 0 then
    redis.call('SREM', nodes, dead)
    local chans = base .. ':node:' .. dead .. ':channels'
    for _, ch in ipairs(redis.call('SMEMBERS', chans)) do
      local key = base .. ':ch:' .. ch .. ':n:' .. dead
      local chNodes = base .. ':ch:' .. ch .. ':nodes'
      local users = redis.call('HKEYS', key)
      redis.call('DEL', key)
      redis.call('SREM', chNodes, dead)
      local others = redis.call('SMEMBERS', chNodes)
      for _, u in ipairs(users) do
        local elsewhere = false
        for _, o in ipairs(others) do
          if redis.call('EXISTS', base .. ':alive:' .. o) == 1
            and redis.call('HEXISTS', base .. ':ch:' .. ch .. ':n:' .. o, u) == 1 then
            elsewhere = true
            break
          end
        end
        if not elsewhere then
          gone[#gone + 1] = ch
          gone[#gone + 1] = u
        end
      end
    end
    redis.call('DEL', chans)
  end
end
return {known, gone}`;

interface PresenceCommands {
  presenceSet(base: string, node: string, ch: string, user: string, count: number): Promise<number>;
  presenceOnline(base: string, ch: string): Promise<string[]>;
  presenceReset(base: string, node: string): Promise<number>;
  presenceHeartbeat(base: string, node: string, ttlMs: number): Promise<[number, string[]]>;
}

type ScriptedRedis = Redis & PresenceCommands;
type ScriptedPipeline = ReturnType<Redis["multi"]> & {
  [K in keyof PresenceCommands]: (...args: Parameters<PresenceCommands[K]>) => ScriptedPipeline;
};

/**
 * Presence shared through Redis. Each instance keeps its own counts in memory (the truth for its
 * sockets) and mirrors them into Redis; `join`/`leave` answer "first/last anywhere" from one
 * atomic script, so two instances racing on the same user agree. An instance that dies stops
 * refreshing its liveness key; after `ttlMs` its users no longer count as online, and the next
 * heartbeat of a surviving instance removes them and reports those who are now gone everywhere
 * through `onExpired`.
 *
 * While Redis is unreachable, answers come from this instance's own counts (a user on two
 * instances may then be announced twice) and the state is written again once Redis is back.
 */
export function createRedisPresence(options: RedisPresenceOptions): RedisPresence {
  const node = options.nodeId ?? randomUUID();
  const base = `${options.prefix ?? "podchat"}:presence`;
  const ttlMs = options.ttlMs ?? 10_000;
  const heartbeatMs = options.heartbeatMs ?? 3_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const report = options.onError ?? (() => {});

  const redis = new Redis(options.url, {
    connectionName: `podchat-presence-${node}`,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    connectTimeout: connectTimeoutMs,
    // Fail fast while Redis is away: the answer falls back to local counts, and the whole state
    // is written again on reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 2000,
  }) as ScriptedRedis;
  redis.on("error", () => {});
  redis.defineCommand("presenceSet", { numberOfKeys: 0, lua: SET_SCRIPT });
  redis.defineCommand("presenceOnline", { numberOfKeys: 0, lua: ONLINE_SCRIPT });
  redis.defineCommand("presenceReset", { numberOfKeys: 0, lua: RESET_SCRIPT });
  redis.defineCommand("presenceHeartbeat", { numberOfKeys: 0, lua: HEARTBEAT_SCRIPT });

  const counts = new LocalCounts();
  const expiredCallbacks = new Set<(channelUrl: string, userId: string) => void>();
  let closed = false;
  /** Redis may not hold this node's state (a failed write, a reconnect): write it all again. */
  let dirty = false;
  let everReady = false;
  let firstHeartbeat: Promise<void> | null = null;

  const readyOnce = new Promise<void>((resolve) => redis.once("ready", () => resolve()));
  redis.on("ready", () => {
    if (everReady) dirty = true;
    everReady = true;
    const beat = heartbeat();
    firstHeartbeat ??= beat;
  });

  const timer = setInterval(() => void heartbeat(), heartbeatMs);
  timer.unref();

  async function connected(): Promise<boolean> {
    if (closed) return false;
    if (!everReady) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([readyOnce, new Promise((r) => (t = setTimeout(r, connectTimeoutMs)))]);
      clearTimeout(t);
    }
    return redis.status === "ready";
  }

  let beating: Promise<void> | null = null;
  function heartbeat(): Promise<void> {
    beating ??= beatOnce().finally(() => {
      beating = null;
    });
    return beating;
  }

  async function beatOnce(): Promise<void> {
    if (closed || redis.status !== "ready") return;
    try {
      const [known, gone] = await redis.presenceHeartbeat(base, node, ttlMs);
      if (known === 0 || dirty) await resync();
      for (let i = 0; i + 1 < gone.length; i += 2) {
        for (const cb of [...expiredCallbacks]) {
          try {
            cb(gone[i]!, gone[i + 1]!);
          } catch (e) {
            report(e, "onExpired callback");
          }
        }
      }
    } catch (e) {
      report(e, "heartbeat");
    }
  }

  /** Replaces whatever Redis holds for this node with the local counts, atomically. */
  async function resync(): Promise<void> {
    dirty = false;
    const m = redis.multi() as ScriptedPipeline;
    m.presenceReset(base, node);
    for (const [ch, user, n] of counts.entries()) m.presenceSet(base, node, ch, user, n);
    try {
      const results = await m.exec();
      if (results?.some(([err]) => err)) throw results.find(([err]) => err)![0];
    } catch (e) {
      dirty = true;
      throw e;
    }
  }

  /** Writes the new count; true when another live instance also has the user. */
  async function write(channelUrl: string, userId: string, n: number, what: string): Promise<boolean> {
    if (!(await connected())) {
      if (!closed) dirty = true;
      return false;
    }
    try {
      return (await redis.presenceSet(base, node, channelUrl, userId, n)) === 1;
    } catch (e) {
      dirty = true;
      report(e, what);
      return false;
    }
  }

  return {
    driver: "redis",
    async join(channelUrl, userId) {
      const n = counts.add(channelUrl, userId, +1);
      const elsewhere = await write(channelUrl, userId, n, "join");
      return n === 1 && !elsewhere;
    },
    async leave(channelUrl, userId) {
      if (counts.get(channelUrl, userId) === 0) return false;
      const n = counts.add(channelUrl, userId, -1);
      const elsewhere = await write(channelUrl, userId, n, "leave");
      return n === 0 && !elsewhere;
    },
    async online(channelUrl) {
      if (await connected()) {
        try {
          const remote = await redis.presenceOnline(base, channelUrl);
          // Our own users count even when Redis has not caught up with them yet.
          return [...new Set([...remote, ...counts.users(channelUrl)])];
        } catch (e) {
          report(e, "online");
        }
      }
      return counts.users(channelUrl);
    },
    onExpired(cb) {
      expiredCallbacks.add(cb);
      return () => {
        expiredCallbacks.delete(cb);
      };
    },
    async ready() {
      if (!(await connected())) {
        throw new Error(`redis presence: no connection to Redis within ${connectTimeoutMs} ms`);
      }
      await firstHeartbeat;
    },
    heartbeat,
    crash() {
      closed = true;
      clearInterval(timer);
      redis.disconnect();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      expiredCallbacks.clear();
      counts.clear();
      if (redis.status === "ready") {
        try {
          const m = redis.multi() as ScriptedPipeline;
          m.presenceReset(base, node);
          m.del(`${base}:alive:${node}`);
          m.srem(`${base}:nodes`, node);
          await m.exec();
        } catch (e) {
          report(e, "close");
        }
        await Promise.race([redis.quit().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())]);
      }
      redis.disconnect();
    },
  };
}
