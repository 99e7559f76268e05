import { randomUUID } from "node:crypto";
import type { Bus, ChannelEvent, ControlEvent, Unsubscribe, UserEvent } from "../bus.ts";

/** Handlers per topic; a topic without handlers is dropped. */
function topics<E>() {
  const byKey = new Map<string, Set<(e: E) => void>>();
  return {
    publish(key: string, event: E) {
      const handlers = byKey.get(key);
      if (handlers) for (const h of [...handlers]) h(event);
    },
    subscribe(key: string, handler: (e: E) => void): Unsubscribe {
      let set = byKey.get(key);
      if (!set) {
        set = new Set();
        byKey.set(key, set);
      }
      set.add(handler);
      return async () => {
        const s = byKey.get(key);
        if (!s) return;
        s.delete(handler);
        if (s.size === 0) byKey.delete(key);
      };
    },
    clear: () => byKey.clear(),
  };
}

/** Single-instance fan-out: handlers are called synchronously, in publish order. */
export function createInProcessBus(): Bus {
  const channels = topics<ChannelEvent>();
  const users = topics<UserEvent>();
  const control = new Set<(e: ControlEvent) => void>();
  return {
    driver: "memory",
    nodeId: randomUUID(),
    async publishChannel(channelUrl, event) {
      channels.publish(channelUrl, event);
    },
    async subscribeChannel(channelUrl, handler) {
      return channels.subscribe(channelUrl, handler);
    },
    async publishUser(userId, event) {
      users.publish(userId, event);
    },
    async subscribeUser(userId, handler) {
      return users.subscribe(userId, handler);
    },
    async publishControl(event) {
      for (const h of [...control]) h(event);
    },
    async subscribeControl(handler): Promise<Unsubscribe> {
      control.add(handler);
      return async () => {
        control.delete(handler);
      };
    },
    async healthy() {
      return true;
    },
    async close() {
      channels.clear();
      users.clear();
      control.clear();
    },
  };
}
