import { randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import type { Bus, ChannelEvent, ControlEvent, Unsubscribe, UserEvent } from "../bus.ts";

export interface RedisBusOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** This instance's id; default a random UUID. */
  nodeId?: string;
  /**
   * Topic namespace: channel events go to `{prefix}:ch3:{channel_url}`, user events to `{prefix}:user:{user_id}`, control events to
   * `{prefix}:control`. Default `podchat`. Instances must share it to see each other.
   */
  prefix?: string;
  /** How long publish/subscribe wait for the very first connection. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** How long a publish may wait for Redis to answer. Default 2000 ms. */
  commandTimeoutMs?: number;
  /**
   * Told about a throwing handler, an unreadable envelope, or a Redis connection error.
   * Default: handler and envelope errors go to console.error; connection errors are left to
   * `healthy()`, as ioredis reports every failed reconnect attempt.
   */
  onError?: (error: unknown, source: "handler" | "envelope" | "connection") => void;
}

export interface RedisBusOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** This instance's id; default a random UUID. */
  nodeId?: string;
  /**
   * Topic namespace: channel events go to `{prefix}:ch3:{channel_url}`, user events to `{prefix}:user:{user_id}`, control events to
   * `{prefix}:control`. Default `podchat`. Instances must share it to see each other.
   */
  prefix?: string;
  /** How long publish/subscribe wait for the very first connection. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** How long a publish may wait for Redis to answer. Default 2000 ms. */
  commandTimeoutMs?: number;
  /**
   * Told about a throwing handler, an unreadable envelope, or a Redis connection error.
   * Default: handler and envelope errors go to console.error; connection errors are left to
   * `healthy()`, as ioredis reports every failed reconnect attempt.
   */
  onError?: (error: unknown, source: "handler" | "envelope" | "connection") => void;
}

export interface RedisBusOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** This instance's id; default a random UUID. */
  nodeId?: string;
  /**
   * Topic namespace: channel events go to `{prefix}:ch3:{channel_url}`, user events to `{prefix}:user:{user_id}`, control events to
   * `{prefix}:control`. Default `podchat`. Instances must share it to see each other.
   */
  prefix?: string;
  /** How long publish/subscribe wait for the very first connection. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** How long a publish may wait for Redis to answer. Default 2000 ms. */
  commandTimeoutMs?: number;
  /**
   * Told about a throwing handler, an unreadable envelope, or a Redis connection error.
   * Default: handler and envelope errors go to console.error; connection errors are left to
   * `healthy()`, as ioredis reports every failed reconnect attempt.
   */
  onError?: (error: unknown, source: "handler" | "envelope" | "connection") => void;
}

export interface RedisBusOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** This instance's id; default a random UUID. */
  nodeId?: string;
  /**
   * Topic namespace: channel events go to `{prefix}:ch3:{channel_url}`, user events to `{prefix}:user:{user_id}`, control events to
   * `{prefix}:control`. Default `podchat`. Instances must share it to see each other.
   */
  prefix?: string;
  /** How long publish/subscribe wait for the very first connection. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** How long a publish may wait for Redis to answer. Default 2000 ms. */
  commandTimeoutMs?: number;
  /**
   * Told about a throwing handler, an unreadable envelope, or a Redis connection error.
   * Default: handler and envelope errors go to console.error; connection errors are left to
   * `healthy()`, as ioredis reports every failed reconnect attempt.
   */
  onError?: (error: unknown, source: "handler" | "envelope" | "connection") => void;
}

export interface RedisBus extends Bus {
  readonly driver: "redis";
  onReconnect(cb: () => void): () => void;
  /** Resolves once both connections are up; rejects after `connectTimeoutMs`. */
  ready(): Promise<void>;
}

/** What goes over the wire: the publishing node and the event. */
interface Envelope {
  n: string;
  e: ChannelEvent | ControlEvent | UserEvent;
}

type Handler = (event: never) => void;

interface Topic {
  handlers: Set<Handler>;
  /** Settles when Redis confirmed the SUBSCRIBE (or we stopped waiting for it). */
  subscribed: Promise<void>;
}

const SUBSCRIBE_WAIT_MS = 5000;

function delay(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** Waits for `p` at most `ms`; true when `p` settled first. Never rejects. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  const d = delay(ms);
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      d.promise.then(() => false),
    ]);
  } finally {
    d.cancel();
  }
}

/**
 * Redis Pub/Sub fan-out between instances, on separate publisher and subscriber connections.
 *
 * Local handlers get an event synchronously on publish, exactly like the in-process bus; the
 * event is then published, and this node drops its own copy when Redis echoes it back. Events of
 * other nodes are delivered in the order Redis hands them over, which keeps each publisher's order.
 *
 * While Redis is down, `publish*` rejects at once (local handlers already have the event; other
 * nodes do not) and `healthy()` is false. ioredis reconnects by itself and re-subscribes; then the
 * `onReconnect` callbacks run, so callers can re-sync what they may have missed from the store.
 */
export function createRedisBus(options: RedisBusOptions): RedisBus {
  const nodeId = options.nodeId ?? randomUUID();
  const prefix = options.prefix ?? "podchat";
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const report =
    options.onError ??
    ((error: unknown, source: "handler" | "envelope" | "connection") => {
      if (source !== "connection") console.error(`[redis-bus] ${source} error`, error);
    });
  // `ch3`: 0.3 carries seq-log entries as wire frames (0.2's `ch` carried stored rows), so the two
  // versions never read each other's events during an upgrade; resume and gap fill cover the switch.
  const channelTopic = (channelUrl: string) => `${prefix}:ch3:${channelUrl}`;
  const userTopic = (userId: string) => `${prefix}:user:${userId}`;
  const controlTopic = `${prefix}:control`;

  const common: RedisOptions = {
    // Quick, capped retries: a chat node should be back soon after Redis is.
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    connectTimeout: connectTimeoutMs,
  };
  const pub = new Redis(options.url, {
    ...common,
    connectionName: `podchat-bus-pub-${nodeId}`,
    // Fail fast rather than queue while Redis is away; a publish in flight when the link drops
    // fails too instead of being resent (which could deliver it twice).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 2000,
  });
  const sub = new Redis(options.url, {
    ...common,
    connectionName: `podchat-bus-sub-${nodeId}`,
    autoResubscribe: true,
    // (Un)subscribes issued during an outage wait for the next connection instead of failing.
    maxRetriesPerRequest: null,
  });
  pub.on("error", (e) => report(e, "connection"));
  sub.on("error", (e) => report(e, "connection"));

  const topics = new Map<string, Topic>();
  const reconnectCallbacks = new Set<() => void>();
  let closed = false;

  let connectedOnce = false;
  const firstReady = (conn: Redis) =>
    new Promise<void>((resolve) => {
      if (conn.status === "ready") resolve();
      else conn.once("ready", () => resolve());
    });
  const bothReady = Promise.all([firstReady(pub), firstReady(sub)]).then(() => {
    connectedOnce = true;
  });

  /** Before the first connection, give it a moment; after that, never wait (fail fast). */
  async function initialConnection(): Promise<void> {
    if (!connectedOnce) await within(bothReady, connectTimeoutMs);
  }

  let subWasReady = false;
  sub.on("ready", () => {
    if (!subWasReady) {
      subWasReady = true;
      return;
    }
    // ioredis re-sent SUBSCRIBE for every topic just before emitting "ready"; the PONG comes
    // after their replies, so once it arrives the subscriptions are live again.
    sub.ping().then(
      () => {
        if (closed) return;
        for (const cb of [...reconnectCallbacks]) {
          try {
            cb();
          } catch (e) {
            report(e, "handler");
          }
        }
      },
      (e: unknown) => report(e, "connection"),
    );
  });

  function deliver(topic: string, event: ChannelEvent | ControlEvent | UserEvent): void {
    const t = topics.get(topic);
    if (!t) return;
    for (const h of [...t.handlers]) {
      try {
        (h as (e: ChannelEvent | ControlEvent | UserEvent) => void)(event);
      } catch (e) {
        report(e, "handler");
      }
    }
  }

  sub.on("message", (topic: string, payload: string) => {
    if (closed) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch (e) {
      report(e, "envelope");
      return;
    }
    if (typeof envelope !== "object" || envelope === null || typeof envelope.n !== "string") {
      report(new Error(`malformed envelope on ${topic}`), "envelope");
      return;
    }
    if (envelope.n === nodeId) return;
    deliver(topic, envelope.e);
  });

  /**
   * Waits for the subscriber's reply to `command`, but not past the connection dropping: an
   * unanswered (un)subscribe is re-sent by ioredis on reconnect, followed by onReconnect.
   */
  async function whileSubConnected(command: Promise<unknown>): Promise<void> {
    command.catch((e: unknown) => report(e, "connection"));
    if (sub.status !== "ready") return;
    let onClose = () => {};
    const dropped = new Promise<void>((resolve) => {
      onClose = resolve;
      sub.once("close", onClose);
    });
    try {
      await within(Promise.race([command, dropped]), SUBSCRIBE_WAIT_MS);
    } finally {
      sub.off("close", onClose);
    }
  }

  async function redisSubscribe(topic: string): Promise<void> {
    await initialConnection();
    await whileSubConnected(sub.subscribe(topic));
  }

  async function redisUnsubscribe(topic: string): Promise<void> {
    if (closed) return;
    await whileSubConnected(sub.unsubscribe(topic));
  }

  async function subscribe(topic: string, handler: Handler): Promise<Unsubscribe> {
    if (closed) throw new Error("redis bus is closed");
    let t = topics.get(topic);
    if (!t) {
      t = { handlers: new Set(), subscribed: redisSubscribe(topic) };
      topics.set(topic, t);
    }
    t.handlers.add(handler);
    await t.subscribed;
    const entry = t;
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      entry.handlers.delete(handler);
      // Only the entry still registered owns the Redis subscription.
      if (entry.handlers.size === 0 && topics.get(topic) === entry) {
        topics.delete(topic);
        await redisUnsubscribe(topic);
      }
    };
  }

  async function publish(topic: string, event: ChannelEvent | ControlEvent | UserEvent): Promise<void> {
    if (closed) throw new Error("redis bus is closed");
    deliver(topic, event);
    await initialConnection();
    const envelope: Envelope = { n: nodeId, e: event };
    try {
      await pub.publish(topic, JSON.stringify(envelope));
    } catch (e) {
      throw new Error(`redis bus: publish to ${topic} failed (Redis ${pub.status})`, { cause: e });
    }
  }

  async function shutdown(conn: Redis): Promise<void> {
    if (conn.status === "ready" && (await within(conn.quit(), 1000))) return;
    conn.disconnect();
  }

  return {
    driver: "redis",
    nodeId,
    publishChannel(channelUrl, event) {
      return publish(channelTopic(channelUrl), event);
    },
    subscribeChannel(channelUrl, handler) {
      return subscribe(channelTopic(channelUrl), handler as Handler);
    },
    publishUser(userId, event) {
      return publish(userTopic(userId), event);
    },
    subscribeUser(userId, handler) {
      return subscribe(userTopic(userId), handler as Handler);
    },
    publishControl(event) {
      return publish(controlTopic, event);
    },
    subscribeControl(handler) {
      return subscribe(controlTopic, handler as Handler);
    },
    onReconnect(cb) {
      reconnectCallbacks.add(cb);
      return () => {
        reconnectCallbacks.delete(cb);
      };
    },
    async ready() {
      if (!(await within(bothReady, connectTimeoutMs))) {
        throw new Error(`redis bus: no connection to Redis within ${connectTimeoutMs} ms`);
      }
    },
    async healthy() {
      if (closed || pub.status !== "ready" || sub.status !== "ready") return false;
      try {
        await pub.ping();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      topics.clear();
      reconnectCallbacks.clear();
      await Promise.all([shutdown(pub), shutdown(sub)]);
    },
  };
}
