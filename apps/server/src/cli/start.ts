import { createPodchatServer, type PodchatServer } from "../server.ts";
import { createStoreFromConfig } from "../store/create-store.ts";
import type { MessageStore } from "../store/message-store.ts";
import { CliError, type GlobalOptions, loadCliConfig } from "./cli-error.ts";
import { databaseFailure, listenFailure, type StartupFailure, startupFailure } from "./startup-error.ts";

const fail = (f: StartupFailure) => new CliError(f.line, f.exitCode);

/**
 * `podchat start`: loads the config, opens the store, builds the server, listens, and drains on
 * SIGTERM/SIGINT. Each way to fail before listening is one line and a non-zero exit (a CliError);
 * where it listens is printed only once it does.
 */
export async function runStart(global: GlobalOptions = {}): Promise<PodchatServer> {
  const { config, sources } = loadCliConfig(global);
  // The store is opened here rather than inside createPodchatServer so that its failure is known
  // to be the database's (bad DATABASE_URL, unreachable host, unwritable SQLite folder).
  let store: MessageStore;
  try {
    store = await createStoreFromConfig(config);
  } catch (e) {
    throw fail(databaseFailure(e, config));
  }
  let server: PodchatServer;
  try {
    server = await createPodchatServer({ config, sources, store });
  } catch (e) {
    await store.close().catch(() => {});
    throw fail(startupFailure(e));
  }
  let url: string;
  let metricsUrl: string | undefined;
  try {
    ({ url, metricsUrl } = await server.listen());
  } catch (e) {
    await server.close().catch(() => {});
    throw fail(listenFailure(e, config.server.host, config.server.port));
  }
  server.logger.info(
    {
      url,
      store: server.store.driver,
      bus: server.bus.driver,
      files: server.files.storage.location,
      ...(metricsUrl ? { metrics_url: `${metricsUrl}/metrics` } : {}),
    },
    `podchat listening on ${url}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, "draining");
    const hard = setTimeout(() => process.exit(1), config.shutdown.grace_ms + 5000);
    hard.unref();
    server
      .drain()
      .then(() => process.exit(0))
      .catch((err) => {
        server.logger.error({ err }, "drain failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  return server;
}
