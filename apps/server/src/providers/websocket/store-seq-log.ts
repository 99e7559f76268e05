import type { MessageStore } from "../../store/message-store.ts";
import { toSeqFrame } from "./wire.ts";

/** The rooms' seq log (realtime/seq-log.ts): podchat's store, each entry in its wire form. */
export function createStoreSeqLog(store: MessageStore) {
  return {
    async lastSeq(channelUrl: string) {
      return (await store.getChannel(channelUrl))?.last_seq ?? 0;
    },
    async after(channelUrl: string, afterSeq: number, limit: number) {
      return (await store.listMessages(channelUrl, { afterSeq, limit })).map(toSeqFrame);
    },
  };
}
