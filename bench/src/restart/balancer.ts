import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A minimal TCP load balancer for the rolling-deploy bench, behaving like a cloud one: new
 * connections go round-robin to the backends whose `/readyz` answered 200 at the last probe
 * (every `probeMs`); established connections are left alone. A draining podchat answers 503 at
 * once, so it stops getting new sockets while its old ones are told to reconnect.
 */
export class Balancer {
  readonly ready = new Set<number>();
  private next = 0;
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly backends: number[],
    private readonly probeMs = 100,
  ) {}

  async listen(port: number): Promise<void> {
    await this.probe();
    this.timer = setInterval(() => void this.probe(), this.probeMs);
    this.server = createServer((client) => this.route(client));
    await new Promise<void>((r) => this.server!.listen(port, "127.0.0.1", () => r()));
  }

  private async probe() {
    await Promise.all(
      this.backends.map(async (port) => {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) });
          if (r.ok) this.ready.add(port);
          else this.ready.delete(port);
        } catch {
          this.ready.delete(port);
        }
      }),
    );
  }

  private route(client: Socket) {
    // Like cloud balancers, fail open: with no backend passing its probe (a probe late on a busy
    // machine), try them all rather than drop the connection.
    const passing = this.backends.filter((p) => this.ready.has(p));
    const ready = passing.length > 0 ? passing : this.backends;
    const port = ready[this.next++ % ready.length]!;
    const upstream = connect(port, "127.0.0.1");
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
    client.on("close", close);
    upstream.on("close", close);
  }

  close() {
    clearInterval(this.timer);
    this.server?.close();
  }
}

// Run as a process: `balancer.ts <listen-port> <backend-port>…` (one process holds two sockets per
// proxied connection, and the open-file limit here is 20,000 per process).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const [listenPort, ...backends] = process.argv.slice(2).map(Number);
  const lb = new Balancer(backends);
  await lb.listen(listenPort!);
  console.log(`balancer listening on ${listenPort}`);
  process.on("SIGTERM", () => {
    lb.close();
    process.exit(0);
  });
}
