/** Wire dialect a load client speaks: podchat's socket, the bare `ws` server, or Engine.IO v4. */
export type Dialect = "podchat" | "ws" | "sio";

export interface ConnSpec {
  url: string;
  dialect: Dialect;
  /** Parses every frame and records latency from the send timestamp inside the message. */
  probe: boolean;
  /** Sends messages at this worker's share of the offered rate. */
  sender: boolean;
}

export type WorkerRequest =
  | { id: number; t: "connect"; conns: ConnSpec[]; concurrency: number; timeoutMs: number }
  | { id: number; t: "rate"; msgsPerSec: number; payloadBytes: number }
  | { id: number; t: "mark" }
  | { id: number; t: "collect" }
  | { id: number; t: "frames" }
  | { id: number; t: "disconnect" };

export interface ConnectResult {
  ok: number;
  failed: number;
  errors: string[];
  senders: number;
}

export interface CollectResult {
  /** Frames received by every client since `mark` (bulk clients count, never parse). */
  frames: number;
  /** Messages sent since `mark`. */
  sent: number;
  /** Probe latencies since `mark`, ms (send timestamp in the message → receipt). */
  latencies: number[];
  /** Sockets closed by the server (or failed) since they were admitted. */
  unexpectedCloses: number;
  /** Seconds between mark and collect as this worker saw them. */
  seconds: number;
  /** p99 event-loop delay of the worker over the window, ms (worst worker). */
  loopDelayP99: number;
}

export type WorkerReply =
  | { id: number; ok: true; result?: ConnectResult | CollectResult | number }
  | { id: number; ok: false; error: string };
