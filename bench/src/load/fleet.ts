import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pin } from "../proc.ts";
import type { CollectResult, ConnSpec, ConnectResult, WorkerReply, WorkerRequest } from "./messages.ts";

const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url));
const benchDir = fileURLToPath(new URL("../..", import.meta.url));

type Body<T> = T extends { id: number } ? Omit<T, "id"> : never;

class WorkerHandle {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  senders = 0;

  constructor(readonly child: ChildProcess) {
    child.on("message", (m: WorkerReply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(`load worker: ${m.error}`));
    });
    child.on("exit", (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`load worker exited (${code})`));
      this.waiting.clear();
    });
  }

  call<R>(req: Body<WorkerRequest>): Promise<R> {
    const id = ++this.seq;
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.child.send({ ...req, id } as WorkerRequest);
    });
  }
}

/** The load generator: several forked client processes (one `ws` client process tops out early). */
export class Fleet {
  private constructor(private readonly workers: WorkerHandle[]) {}

  static async start(count: number, core: number | null): Promise<Fleet> {
    const workers = Array.from({ length: count }, () => {
      const child = fork(workerPath, [], {
        cwd: benchDir,
        execArgv: ["--import", "tsx"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        serialization: "advanced",
      });
      if (child.pid !== undefined) pin(child.pid, core);
      return new WorkerHandle(child);
    });
    // A round trip proves each worker has loaded.
    await Promise.all(workers.map((w) => w.call({ t: "rate", msgsPerSec: 0, payloadBytes: 0 })));
    return new Fleet(workers);
  }

  get size() {
    return this.workers.length;
  }

  /** Spreads the sockets round-robin over the workers and opens them. */
  async connect(conns: ConnSpec[], concurrencyPerWorker = 64, timeoutMs = 60_000): Promise<ConnectResult> {
    const shares: ConnSpec[][] = this.workers.map(() => []);
    conns.forEach((c, i) => {
      shares[i % shares.length]!.push(c);
    });
    const results = await Promise.all(
      this.workers.map((w, i) =>
        w.call<ConnectResult>({
          t: "connect",
          conns: shares[i]!,
          concurrency: concurrencyPerWorker,
          timeoutMs,
        }),
      ),
    );
    results.forEach((r, i) => {
      this.workers[i]!.senders = r.senders;
    });
    return {
      ok: results.reduce((n, r) => n + r.ok, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      errors: results.flatMap((r) => r.errors).slice(0, 5),
      senders: results.reduce((n, r) => n + r.senders, 0),
    };
  }

  /** Offered rate in messages per second over all sender sockets (0 stops sending). */
  async setRate(msgsPerSec: number, payloadBytes: number) {
    const total = this.workers.reduce((n, w) => n + w.senders, 0);
    await Promise.all(
      this.workers.map((w) =>
        w.call({
          t: "rate",
          msgsPerSec: total === 0 ? 0 : (msgsPerSec * w.senders) / total,
          payloadBytes,
        }),
      ),
    );
  }

  async mark() {
    await Promise.all(this.workers.map((w) => w.call({ t: "mark" })));
  }

  async collect(): Promise<CollectResult> {
    const rs = await Promise.all(this.workers.map((w) => w.call<CollectResult>({ t: "collect" })));
    return {
      frames: rs.reduce((n, r) => n + r.frames, 0),
      sent: rs.reduce((n, r) => n + r.sent, 0),
      latencies: rs.flatMap((r) => r.latencies),
      unexpectedCloses: rs.reduce((n, r) => n + r.unexpectedCloses, 0),
      seconds: Math.max(...rs.map((r) => r.seconds)),
      loopDelayP99: Math.max(...rs.map((r) => r.loopDelayP99)),
    };
  }

  /** Data frames received by all workers since connect. */
  async totalFrames(): Promise<number> {
    const rs = await Promise.all(this.workers.map((w) => w.call<number>({ t: "frames" })));
    return rs.reduce((a, b) => a + b, 0);
  }

  /**
   * Waits until no frame has arrived for `quietMs` (the presence fan-out of the connection ramp
   * has been received), at most `maxMs`. Returns the seconds waited.
   */
  async quiesce(quietMs = 1000, maxMs = 120_000): Promise<number> {
    const t0 = performance.now();
    let last = await this.totalFrames();
    while (performance.now() - t0 < maxMs) {
      await new Promise((r) => setTimeout(r, quietMs));
      const now = await this.totalFrames();
      if (now === last) break;
      last = now;
    }
    return (performance.now() - t0) / 1000;
  }

  async disconnect() {
    await Promise.all(this.workers.map((w) => w.call({ t: "disconnect" })));
  }

  async stop() {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null) return resolve();
            w.child.once("exit", () => resolve());
            w.child.disconnect();
            setTimeout(() => w.child.kill("SIGKILL"), 5000).unref();
          }),
      ),
    );
  }
}
