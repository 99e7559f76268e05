// Per-test set-up shared by the integration tests: what a test starts through `perTestFixtures()`
// (servers, proxies, clients) is closed after it, the last started first.
import { afterEach } from "vitest";
import type { ClientOptions, PodchatChannel, PodchatClient } from "../../src/index.ts";
import { type Recorder, type RunningServer, record, sdkClient, startServer, TcpProxy } from "./harness.ts";

export interface Fixtures {
  /** Runs `fn` after the test (after what is started later, before what was started earlier). */
  defer(fn: () => unknown): void;
  /** A real server in this process (see `startServer`), closed after the test. */
  server(opts?: Parameters<typeof startServer>[0]): Promise<RunningServer>;
  /** A started TCP proxy in front of `srv`, closed after the test. */
  proxy(srv: RunningServer): Promise<TcpProxy>;
  /** An SDK client wired to `ws` (see `sdkClient`), closed after the test. */
  client(url: string, userId: string, extra?: Partial<ClientOptions>): PodchatClient;
}

/** Call at the top level of a test file: registers the after-each-test clean-up. */
export function perTestFixtures(): Fixtures {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  return {
    defer(fn) {
      cleanup.push(fn);
    },
    async server(opts) {
      const srv = await startServer(opts);
      cleanup.push(() => srv.server.close());
      return srv;
    },
    async proxy(srv) {
      const proxy = await new TcpProxy(() => srv.port).start();
      cleanup.push(() => proxy.close());
      return proxy;
    },
    client(url, userId, extra) {
      const client = sdkClient(url, userId, extra);
      cleanup.push(() => client.close());
      return client;
    },
  };
}

/**
 * `client`'s channel `channelUrl`, its events recorded from the start, told to connect; await
 * `rec.reached("connected")` for the connection itself.
 */
export function connectRecorded(
  client: PodchatClient,
  channelUrl: string,
): { channel: PodchatChannel; rec: Recorder } {
  const channel = client.channel(channelUrl);
  const rec = record(channel);
  channel.connect();
  return { channel, rec };
}
