import { type Pin, wireUserId } from "@podchat/protocol";
import type { Bus } from "../../bus/bus.ts";
import type { MessageStore, StoredPin } from "../../store/message-store.ts";
import type { ChatProvider } from "../chat-provider.ts";
import { toMessageFrame } from "./wire.ts";

function toPin(p: StoredPin): Pin {
  return {
    channel_url: p.channel_url,
    seq: p.seq,
    pinned_by: p.pinned_by === null ? null : wireUserId(p.pinned_by),
    pinned_at: p.pinned_at,
    message: toMessageFrame(p.message),
  };
}

/** podchat's own search and pins (@since 0.5): the store's, with a live event per pin change. */
export function websocketPinsAndSearch(
  store: MessageStore,
  bus: Bus,
): Pick<ChatProvider, "searchMessages" | "pinMessage" | "unpinMessage" | "listPins"> {
  /** Best effort, like the provider's other events: the change is stored either way. */
  const announce = (channelUrl: string, pinned: boolean, p: StoredPin, userId: string | null) =>
    bus
      .publishChannel(channelUrl, {
        kind: "pin",
        pinned,
        seq: p.seq,
        message_id: p.message.message_id,
        user_id: userId,
        timestamp: new Date().toISOString(),
      })
      .catch(() => {});
  return {
    async searchMessages(channelUrl, query) {
      const page = await store.searchMessages(channelUrl, {
        query: query.q,
        limit: query.limit,
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      });
      return { messages: page.messages.map(toMessageFrame), next_cursor: page.nextCursor };
    },
    async pinMessage(channelUrl, seq, by) {
      const r = await store.pinMessage(channelUrl, seq, by.userId ?? null);
      if (r.created) await announce(channelUrl, true, r.pin, by.userId ?? null);
      return { pin: toPin(r.pin), created: r.created };
    },
    async unpinMessage(channelUrl, seq, by) {
      const p = await store.unpinMessage(channelUrl, seq, by.userId ?? null);
      if (p) await announce(channelUrl, false, p, by.userId ?? null);
      return p ? toPin(p) : null;
    },
    async listPins(channelUrl) {
      return { channel_url: channelUrl, pins: (await store.listPins(channelUrl)).map(toPin) };
    },
  };
}
