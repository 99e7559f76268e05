import type { Connection, Deliverable, Subscription } from "./connection.ts";
import { type EncodedFrame, encodeTextFrame } from "./ws-frame.ts";

/**
 * The sockets of one channel on this instance (subscriptions, and user connections watching it for
 * their inbox), and the order of its messages. Messages may reach
 * the room out of order or twice (several publishers, bus replays): the room emits each seq once,
 * in order, and asks `fillGap` for what is missing when a hole does not close by itself.
 */
export class ChannelRoom {
  readonly subs = new Set<Subscription>();
  /** User connections of members that get this channel's inbox events (@since 0.3). */
  readonly watchers = new Set<Connection>();
  /** Highest seq emitted to the sockets. */
  lastSeq = 0;
  /** Admissions in progress plus subscriptions and watchers; the room is disposed at zero. */
  refs = 0;
  ready: Promise<void> | null = null;
  private isReady = false;
  private early: Deliverable[] = [];
  private pending = new Map<number, Deliverable>();
  private gapTimer: NodeJS.Timeout | null = null;
  /** Open subscriptions per user, for presence. */
  readonly users = new Map<string, number>();

  constructor(
    readonly channelUrl: string,
    private readonly fillGap: (room: ChannelRoom, upToSeq: number) => void,
    private readonly gapWaitMs: number,
    private readonly onEmit: (recipients: number) => void,
  ) {}

  /** Starts ordering from `lastSeq` (the store's newest seq when the room subscribed). */
  markReady(lastSeq: number) {
    this.lastSeq = lastSeq;
    this.isReady = true;
    const early = this.early;
    this.early = [];
    for (const d of early) this.deliver(d);
  }

  deliver(d: Deliverable) {
    if (!this.isReady) {
      this.early.push(d);
      return;
    }
    if (d.seq <= this.lastSeq) return;
    if (d.seq > this.lastSeq + 1) {
      this.pending.set(d.seq, d);
      this.armGapTimer();
      return;
    }
    this.emit(d);
    let next = this.pending.get(this.lastSeq + 1);
    while (next) {
      this.pending.delete(next.seq);
      this.emit(next);
      next = this.pending.get(this.lastSeq + 1);
    }
    if (this.pending.size === 0) this.clearGapTimer();
  }

  /**
   * Sends a frame that is not part of the seq order (presence, receipts, moderation) to every
   * subscription — framed once, like messages: a connection ramp sends one USER_JOINED per member
   * to every member.
   */
  broadcast(frame: string, except?: (s: Subscription) => boolean) {
    if (this.subs.size === 0) return;
    const encoded = encodeTextFrame(frame);
    for (const s of this.subs) if (!except?.(s)) s.conn.sendEncoded(encoded);
  }

  /** Sends an inbox frame to the watchers that are not subscribed (they get the channel's own frames). */
  tellWatchers(frame: string | (() => string)) {
    let encoded: EncodedFrame | null = null;
    for (const c of this.watchers) {
      if (c.subs.has(this.channelUrl)) continue;
      encoded ??= encodeTextFrame(typeof frame === "string" ? frame : frame());
      c.sendEncoded(encoded);
    }
  }

  highestPending(): number {
    let max = this.lastSeq;
    for (const s of this.pending.keys()) if (s > max) max = s;
    return max;
  }

  dispose() {
    this.clearGapTimer();
    this.pending.clear();
    this.early = [];
  }

  private emit(d: Deliverable) {
    this.lastSeq = d.seq;
    let n = 0;
    for (const s of this.subs) if (s.deliver(d)) n++;
    if (this.watchers.size > 0)
      this.tellWatchers(
        () => `{"type":"INBOX_MESSAGE","channel_url":${JSON.stringify(this.channelUrl)},"entry":${d.json}}`,
      );
    this.onEmit(n);
  }

  private armGapTimer() {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (this.pending.size > 0) this.fillGap(this, this.highestPending());
    }, this.gapWaitMs);
    this.gapTimer.unref();
  }

  private clearGapTimer() {
    if (this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    }
  }
}
