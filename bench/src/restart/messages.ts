/** Parent → worker. */
export type ToWorker =
  | {
      type: "start";
      url: string;
      secret: string;
      /** [user id, channel url] per client. */
      clients: Array<[string, string]>;
      /** A client counts as resumed once it has seen this seq (the message posted after the restart). */
      resumeSeq: number;
    }
  | { type: "progress" }
  /** The restart begins: reset the event-loop delay histogram. */
  | { type: "mark" }
  | { type: "report" }
  | { type: "stop" };

/** Worker → parent. */
export type FromWorker =
  | { type: "ready"; connectMs: number; rampRetries: number }
  | { type: "progress"; connected: number; back: number; resumed: number; closed: number; errors: number }
  | {
      type: "report";
      clients: ClientRecord[];
      errors: Record<string, number>;
      /** This process's event-loop delay since the mark, ms: how late its timers could fire. */
      loopDelayMs: { p50: number; p99: number; max: number };
    };

/** What happened to one SDK client around the restart (epoch ms; null when it did not happen). */
export interface ClientRecord {
  /** When the server's 1001 close reached it. */
  closedAt: number | null;
  /** When it opened each socket after that close (the first is the jittered drain reconnect). */
  attempts: number[];
  /** When it was connected again. */
  backAt: number | null;
  /** When it had the message posted after the restart (resumed from its since_seq). */
  resumedAt: number | null;
}
