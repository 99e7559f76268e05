import type { Bus } from "../../bus/bus.ts";
import type { Metrics } from "../../observability/metrics.ts";
import type { AppendResult, MessageStore, NewMessage } from "../../store/message-store.ts";

/**
 * The durable message path: store (assigns seq, durable before it resolves) → fan-out on the bus.
 * A duplicate (repeated req_id) is published again too: if the first attempt died between the
 * store and the bus, this is what finally delivers it; rooms drop seqs they already sent.
 */
export class MessagePipeline {
  /** Called once per newly stored message (instance statistics). */
  onStored: (() => void) | null = null;
  /** Called when the fan-out of a stored message failed (the bus is down). */
  onPublishError: ((err: unknown) => void) | null = null;

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
    try {
      await this.bus.publishChannel(input.channel_url, { kind: "message", message: result.message });
    } catch (err) {
      // Stored is what the sender is promised. Local sockets already got it; other instances fill
      // the hole from the store (next message, resync after the bus reconnects, or resume).
      this.onPublishError?.(err);
    }
    return result;
  }
}
