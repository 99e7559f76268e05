import type { Config } from "../config/index.ts";
import type { MessageStore } from "./message-store.ts";
import { createSqliteStore } from "./sqlite/sqlite-store.ts";

/** The store the config selects, migrated and ready. */
export async function createStoreFromConfig(config: Config): Promise<MessageStore> {
  const store =
    config.store.driver === "postgres"
      ? (await import("./postgres/postgres-store.ts")).createPostgresStore({
          url: config.store.postgres.url!,
          max: config.store.postgres.max_connections,
          ...(config.store.postgres.schema ? { schema: config.store.postgres.schema } : {}),
        })
      : createSqliteStore({ path: config.store.sqlite.path, synchronous: config.store.sqlite.synchronous });
  await store.migrate();
  return store;
}
