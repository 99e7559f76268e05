import type { SeqLog } from "../../realtime/seq-log.ts";
import type { MessageStore } from "../../store/message-store.ts";
import { toSeqFrame } from "./wire.ts";

/** The rooms' seq log: podchat's store, each entry in its wire form. */
export function createStoreSeqLog(store: MessageStore): SeqLog {
  return {
    async lastSeq(channelUrl) {
      return (await store.getChannel(channelUrl))?.last_seq ?? 0;
    },
    async after(channelUrl, afterSeq, limit) {
      return (await store.listMessages(channelUrl, { afterSeq, limit })).map(toSeqFrame);
    },
  };
}
