import type { LogEntry } from "./types.ts";

/** What the sequencer needs from its channel. */
export interface SequencerDeps {
  /** Hands a log entry (message, edit, deletion) to the app; once per seq, in ascending order. */
  deliver(message: LogEntry): void;
  /** Fetches up to `limit` stored log entries with seq above `afterSeq`, ascending. */
  fetchAfter(afterSeq: number, limit: number): Promise<readonly LogEntry[]>;
  /** A range is missing and is being backfilled. */
  onGap(fromSeq: number, toSeq: number): void;
  /** A range could not be recovered: the server no longer has it. */
  onLost(fromSeq: number, toSeq: number): void;
  /** Waits before retrying a failed fetch; resolves false when the sequencer should stop. */
  pause(failures: number, error: unknown): Promise<boolean>;
}

const pageMax = 200;

/**
 * Turns replayed, live and backfilled log entries (messages, edits, deletions: everything with a
 * seq) into one exactly-once, in-order stream: entries at or below the last delivered seq are
 * dropped, entries ahead of it are held back while the hole is fetched through history.
 */
export class Sequencer {
  /** Highest seq delivered; undefined until the first CONNECTED says where the channel stands. */
  last: number | undefined;
  readonly #held = new Map<number, LogEntry>();
  /** Highest seq known to exist that must be delivered before anything held above it. */
  #target = 0;
  #filling = false;
  #stopped = false;

  readonly #deps: SequencerDeps;

  constructor(deps: SequencerDeps) {
    this.#deps = deps;
  }

  /** Sets the starting point when nothing was delivered yet (the first CONNECTED's `last_seq`). */
  start(lastSeq: number): void {
    if (this.last === undefined) this.last = lastSeq;
  }

  /** A message from the socket or from history. */
  push(m: LogEntry): void {
    if (this.last === undefined) {
      this.#deliver(m);
      return;
    }
    if (m.seq <= this.last) return;
    if (m.seq === this.last + 1) {
      this.#deliver(m);
      this.#drain();
      return;
    }
    this.#held.set(m.seq, m);
    this.#require(this.last + 1, m.seq - 1);
  }

  /** The server reports it did not replay `fromSeq..toSeq`. */
  gap(fromSeq: number, toSeq: number): void {
    this.#require(fromSeq, toSeq);
  }

  get holding(): number {
    return this.#held.size;
  }

  /** Stops backfilling (the app disconnected); a later push or gap resumes it. */
  stop(): void {
    this.#stopped = true;
  }

  #require(fromSeq: number, toSeq: number): void {
    if (this.last === undefined || toSeq <= this.last) return;
    if (toSeq > this.#target) {
      // Report only the part of the range that is new and not already held.
      let hi = toSeq;
      while (hi > this.#target && this.#held.has(hi)) hi--;
      let lo = Math.max(fromSeq, this.last + 1, this.#target + 1);
      while (lo <= hi && this.#held.has(lo)) lo++;
      if (lo <= hi) this.#deps.onGap(lo, hi);
      this.#target = toSeq;
    }
    this.#stopped = false;
    void this.#fill();
  }

  #deliver(m: LogEntry): void {
    this.last = m.seq;
    this.#deps.deliver(m);
  }

  #drain(): void {
    if (this.last === undefined) return;
    for (const seq of this.#held.keys()) if (seq <= this.last) this.#held.delete(seq);
    let next = this.#held.get(this.last + 1);
    while (next) {
      this.#held.delete(next.seq);
      this.#deliver(next);
      next = this.#held.get(this.last + 1);
    }
  }

  async #fill(): Promise<void> {
    if (this.#filling) return;
    this.#filling = true;
    let failures = 0;
    try {
      while (!this.#stopped && this.last !== undefined && this.#target > this.last) {
        const from = this.last;
        let page: readonly LogEntry[];
        try {
          page = await this.#deps.fetchAfter(from, Math.min(pageMax, this.#target - from));
          failures = 0;
        } catch (err) {
          if (!(await this.#deps.pause(failures++, err))) return;
          continue;
        }
        for (const m of [...page].sort((a, b) => a.seq - b.seq)) this.push(m);
        this.#drain();
        if (this.last === from) {
          // The store answered but without the next seq: it is gone; say so and move past it.
          let to = this.#target;
          for (const seq of this.#held.keys()) if (seq - 1 < to) to = seq - 1;
          this.#deps.onLost(from + 1, to);
          this.last = to;
          this.#drain();
        }
      }
    } finally {
      this.#filling = false;
    }
  }
}
