import { randomUUID } from "node:crypto";
import type { Bus, ChannelEvent, ControlEvent, Unsubscribe } from "../bus.ts";

/** Single-instance fan-out: handlers are called synchronously, in publish order. */
export function createInProcessBus(): Bus {
  const channels = new Map<string, Set<(e: ChannelEvent) => void>>();
  const control = new Set<(e: ControlEvent) => void>();
  return {
    driver: "memory",
    nodeId: randomUUID(),
    async publishChannel(channelUrl, event) {
      const handlers = channels.get(channelUrl);
      if (!handlers) return;
      for (const h of [...handlers]) h(event);
    },
    async subscribeChannel(channelUrl, handler): Promise<Unsubscribe> {
      let set = channels.get(channelUrl);
      if (!set) {
        set = new Set();
        channels.set(channelUrl, set);
      }
      set.add(handler);
      return async () => {
        const s = channels.get(channelUrl);
        if (!s) return;
        s.delete(handler);
        if (s.size === 0) channels.delete(channelUrl);
      };
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
      control.clear();
    },
  };
}
