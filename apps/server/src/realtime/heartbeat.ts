import type { Connection } from "./connection.ts";
import { writePing } from "./ws-frame.ts";

/** The heartbeat pings one slice of the sockets every `heartbeatMs / SLICES`. */
const SLICES = 10;

/**
 * Pings every socket once per `heartbeatMs` and closes those silent since their last ping. The
 * pings are spread over the interval in slices: pinging 10,000 sockets at once held the event
 * loop ~100 ms (the bench's p99).
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private slice = 0;
  private nextSlice = 0;

  constructor(
    private readonly heartbeatMs: number,
    private readonly sockets: () => Iterable<Connection>,
  ) {}

  /** Puts a newly attached socket in the next slice. */
  assign(c: Connection) {
    c.heartbeatSlice = this.nextSlice;
    this.nextSlice = (this.nextSlice + 1) % SLICES;
  }

  start() {
    this.timer = setInterval(() => this.tick(), this.heartbeatMs / SLICES);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick() {
    const slice = this.slice;
    this.slice = (slice + 1) % SLICES;
    for (const c of this.sockets()) {
      if (c.heartbeatSlice !== slice) continue;
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      try {
        writePing(c.ws);
      } catch {
        c.ws.terminate();
      }
    }
  }
}
