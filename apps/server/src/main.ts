import { ConfigError, loadConfig } from "./config/index.ts";
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
  const server = await createPodchatServer({ config: loaded.config, sources: loaded.sources });
  const { url } = await server.listen();
  server.logger.info(
    { url, store: server.store.driver, bus: server.bus.driver },
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
