import type { AckFrame, ErrorFrame, FileInfo } from "@podchat/protocol";
import { ClientErrorCode, PodchatError } from "./errors.ts";
import type { OutboxItem, OutboxStatus, SendResult } from "./types.ts";

/** A client frame the server answers with ACK, before its `req_id` is added. */
export interface OutboxFrame {
  type: OutboxItem["type"];
  message?: string;
  custom_type?: string;
  data?: Record<string, unknown>;
  file?: FileInfo;
  target_seq?: number;
}

interface Entry {
  item: OutboxItem;
  frame: string;
  /** Do not put on the wire before this wall-clock time (rate limit hint, retry backoff). */
  notBefore: number;
  retries: number;
  resolve: (r: SendResult) => void;
  reject: (e: PodchatError) => void;
}

/** Per-frame error codes worth resending after a while; every other code fails the send. */
const retryableCodes = new Set([
  "RATE_LIMITED",
  "STORE_UNAVAILABLE",
  "INTERNAL",
  "DRAINING",
  "PROVIDER_ERROR",
]);

/** A `req_id` unique enough for idempotent resend; `randomUUID` is missing outside secure contexts. */
function newReqId(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  // Math.random only where there is no Web Crypto at all (e.g. React Native without a polyfill).
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.random() * 256;
  return Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join("");
}

/**
 * Sends awaiting acknowledgement, in send order. Pending (queued) and sent (in flight) entries are
 * kept apart so a reconnect resends exactly what was not acknowledged, with the same `req_id`.
 */
export class Outbox {
  #entries: Entry[] = [];
  readonly #limit: number;
  readonly #onChange: (snapshot: readonly OutboxItem[]) => void;
  readonly #retryDelay: (retries: number) => number;

  constructor(
    limit: number,
    onChange: (snapshot: readonly OutboxItem[]) => void,
    retryDelay: (retries: number) => number,
  ) {
    this.#limit = limit;
    this.#onChange = onChange;
    this.#retryDelay = retryDelay;
  }

  get snapshot(): readonly OutboxItem[] {
    return this.#entries.map((e) => e.item);
  }

  count(status: OutboxStatus): number {
    return this.#entries.reduce((n, e) => n + (e.item.status === status ? 1 : 0), 0);
  }

  /**
   * Queues a frame that the server acknowledges (a send, an edit or a deletion); rejects at once
   * when the queue is full or the text cannot be sent. `undefined` fields are left off the wire.
   */
  add(frame: OutboxFrame): Promise<SendResult> {
    const { type, message = "" } = frame;
    if ((type === "MESG" || type === "EDIT") && message.length === 0) {
      return Promise.reject(new PodchatError("INVALID_FRAME", "message text must not be empty"));
    }
    if (this.count("pending") + this.count("sent") >= this.#limit) {
      return Promise.reject(
        new PodchatError(ClientErrorCode.QUEUE_FULL, `send queue is full (${this.#limit} unacknowledged)`),
      );
    }
    const reqId = newReqId();
    return new Promise<SendResult>((resolve, reject) => {
      this.#entries.push({
        item: {
          reqId,
          type,
          message,
          customType: frame.custom_type,
          data: frame.data,
          file: frame.file,
          targetSeq: frame.target_seq,
          status: "pending",
          attempts: 0,
          createdAt: Date.now(),
        },
        frame: JSON.stringify({ ...frame, req_id: reqId }),
        notBefore: 0,
        retries: 0,
        resolve,
        reject,
      });
      this.#changed();
    });
  }

  /**
   * Puts due pending entries on the wire, in order, stopping at the first one that must wait so
   * that messages are stored in the order they were sent. Returns ms until the next one is due.
   */
  flush(write: (frame: string, reqId: string) => void): number | undefined {
    const now = Date.now();
    let changed = false;
    let wait: number | undefined;
    for (const e of this.#entries) {
      if (e.item.status !== "pending") continue;
      if (e.notBefore > now) {
        wait = e.notBefore - now;
        break;
      }
      write(e.frame, e.item.reqId);
      e.item = { ...e.item, status: "sent", attempts: e.item.attempts + 1 };
      changed = true;
    }
    if (changed) this.#changed();
    return wait;
  }

  /** The connection was lost: what was on the wire goes back to the queue. */
  requeue(): void {
    let changed = false;
    for (const e of this.#entries) {
      if (e.item.status !== "sent") continue;
      e.item = { ...e.item, status: "pending" };
      changed = true;
    }
    if (changed) this.#changed();
  }

  ack(frame: AckFrame): void {
    const e = this.#find(frame.req_id);
    if (!e || e.item.status === "acked" || e.item.status === "failed") return;
    e.item = { ...e.item, status: "acked", seq: frame.seq, messageId: frame.message_id };
    e.resolve({
      reqId: frame.req_id,
      messageId: frame.message_id,
      seq: frame.seq,
      timestamp: frame.timestamp,
      duplicate: frame.duplicate === true,
    });
    this.#changed();
  }

  /** A per-send ERROR: retry later when the code allows it, else fail the send. Returns true when retried. */
  error(frame: ErrorFrame & { req_id: string }): boolean {
    const e = this.#find(frame.req_id);
    if (!e || e.item.status === "acked" || e.item.status === "failed") return false;
    if (retryableCodes.has(frame.code)) {
      e.notBefore = Date.now() + (frame.retry_after_ms ?? this.#retryDelay(e.retries));
      e.retries++;
      e.item = { ...e.item, status: "pending" };
      this.#changed();
      return true;
    }
    this.#fail(
      e,
      new PodchatError(frame.code, frame.message, {
        reqId: frame.req_id,
        retryAfterMs: frame.retry_after_ms,
      }),
    );
    this.#changed();
    return false;
  }

  /** Fails every unacknowledged send (the channel can never deliver them). */
  failAll(err: PodchatError): void {
    let changed = false;
    for (const e of this.#entries) {
      if (e.item.status !== "pending" && e.item.status !== "sent") continue;
      this.#fail(e, err);
      changed = true;
    }
    if (changed) this.#changed();
  }

  /** Drops acknowledged entries whose message has been delivered (seq at or below `seq`). */
  delivered(seq: number): void {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => !(e.item.status === "acked" && (e.item.seq ?? 0) <= seq));
    if (this.#entries.length !== before) this.#changed();
  }

  /** Removes an entry; a send still waiting is rejected with `DISCARDED`. */
  discard(reqId: string): boolean {
    const e = this.#find(reqId);
    if (!e) return false;
    if (e.item.status === "pending" || e.item.status === "sent") {
      e.reject(new PodchatError(ClientErrorCode.DISCARDED, "send discarded", { reqId }));
    }
    this.#entries = this.#entries.filter((x) => x !== e);
    this.#changed();
    return true;
  }

  #fail(e: Entry, err: PodchatError): void {
    e.item = { ...e.item, status: "failed", error: err };
    e.reject(err);
  }

  #find(reqId: string): Entry | undefined {
    return this.#entries.find((e) => e.item.reqId === reqId);
  }

  #changed(): void {
    this.#onChange(this.snapshot);
  }
}
