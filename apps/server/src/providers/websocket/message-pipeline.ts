import type { Bus } from "../../bus/bus.ts";
import type { Metrics } from "../../observability/metrics.ts";
import type {
  AppendResult,
  ChangeResult,
  DeleteInput,
  EditInput,
  MessageStore,
  NewMessage,
  StoredMessage,
} from "../../store/message-store.ts";
import { toSeqFrame } from "./wire.ts";

/**
 * The durable message path: store (assigns seq, durable before it resolves) → fan-out on the bus.
 * A duplicate (repeated req_id) is published again too: if the first attempt died between the
 * store and the bus, this is what finally delivers it; rooms drop seqs they already sent.
 */
export class MessagePipeline {
  /** Called once per newly stored message (instance statistics). */
  onStored: (() => void) | null = null;
  /**
   * @since 0.5 Called after commit with each newly stored message (not a duplicate, not history
   * copied with its original time): push notifications.
   */
  onCommitted: ((message: StoredMessage) => void) | null = null;
  /** Called when the fan-out of a stored message failed (the bus is down). */
  onPublishError: ((err: unknown) => void) | null = null;
  /** @since 0.2 Called, with the message as it was, once a message that carried a file is a tombstone. */
  onFileMessageRemoved: ((before: StoredMessage) => Promise<void>) | null = null;

  constructor(
    private readonly store: MessageStore,
    private readonly bus: Bus,
    private readonly metrics: Metrics,
  ) {}

  async send(input: NewMessage): Promise<AppendResult> {
    const end = this.metrics.storeLatency.startTimer();
    const result = await this.store.appendMessage(input);
    end();
    if (!result.duplicate) {
      this.metrics.messagesIn.inc();
      this.onStored?.();
    }
    await this.publish(result.message);
    if (!result.duplicate && input.created_at === undefined) this.onCommitted?.(result.message);
    return result;
  }

  /** Edit: target and MESSAGE_UPDATED entry in one store transaction, then the entry like a message. */
  async edit(input: EditInput): Promise<ChangeResult> {
    const result = await this.store.editMessage(input);
    await this.publish(result.entry);
    return result;
  }

  async remove(input: DeleteInput): Promise<ChangeResult> {
    const result = await this.store.deleteMessage(input);
    await this.publish(result.entry);
    if (this.onFileMessageRemoved && result.before.file) await this.onFileMessageRemoved(result.before);
    return result;
  }

  private async publish(entry: StoredMessage) {
    try {
      await this.bus.publishChannel(entry.channel_url, { kind: "message", entry: toSeqFrame(entry) });
    } catch (err) {
      // Stored is what the sender is promised. Local sockets already got it; other instances fill
      // the hole from the store (next message, resync after the bus reconnects, or resume).
      this.onPublishError?.(err);
    }
  }
}
