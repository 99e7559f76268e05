import { ConfigError, loadConfig } from "./config/index.ts";
import { FileStorageError } from "./files/file-storage.ts";
import { createPodchatServer } from "./server.ts";

async function main() {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  let server: Awaited<ReturnType<typeof createPodchatServer>>;
  try {
    server = await createPodchatServer({ config: loaded.config, sources: loaded.sources });
  } catch (e) {
    // An unusable upload storage (no such bucket, refused credentials): say which, no stack trace.
    if (e instanceof FileStorageError) {
      console.error(`podchat cannot start: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  const { url } = await server.listen();
  server.logger.info(
    { url, store: server.store.driver, bus: server.bus.driver, files: server.files.storage.location },
    `podchat listening on ${url}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, "draining");
    const hard = setTimeout(() => process.exit(1), loaded.config.shutdown.grace_ms + 5000);
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
}

void main();
