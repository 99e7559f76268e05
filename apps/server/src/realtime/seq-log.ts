import type { SeqLogEntry } from "@podchat/protocol";
import type { Deliverable } from "./connection.ts";
import { encodeTextFrame } from "./ws-frame.ts";

/**
 * Where rooms read a channel's seq log (replay on resume, gap fill): the durable store, behind a
 * port so the realtime layer knows sockets and fan-out only.
 */
export interface SeqLog {
  /** The channel's newest seq (0 when it has none or does not exist). */
  lastSeq(channelUrl: string): Promise<number>;
  /** Entries with seq > afterSeq, oldest first, at most `limit`. */
  after(channelUrl: string, afterSeq: number, limit: number): Promise<SeqLogEntry[]>;
}

export function toDeliverable(entry: SeqLogEntry): Deliverable {
  const json = JSON.stringify(entry);
  return { seq: entry.seq, json, frame: encodeTextFrame(json) };
}
