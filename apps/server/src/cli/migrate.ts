import type { Config } from "../config/index.ts";
import { createPostgresFlagStore } from "../flags/postgres-flag-store.ts";
import { createSqliteFlagStore } from "../flags/sqlite-flag-store.ts";
import { createStoreFromConfig } from "../store/create-store.ts";
import { CliError } from "./cli-error.ts";
import { databaseFailure, storeLocation } from "./startup-error.ts";

/** `podchat migrate`: applies the store's schema (and the flag tables beside it), then closes. */
export async function runMigrate(config: Config): Promise<string> {
  try {
    const store = await createStoreFromConfig(config);
    await store.close();
    const flags =
      config.store.driver === "postgres"
        ? createPostgresFlagStore({
            url: config.store.postgres.url!,
            ...(config.store.postgres.schema ? { schema: config.store.postgres.schema } : {}),
          })
        : createSqliteFlagStore({ path: config.store.sqlite.path });
    try {
      await flags.migrate();
    } finally {
      await flags.close();
    }
  } catch (e) {
    throw new CliError(databaseFailure(e, config).line.replace("podchat cannot start: ", ""));
  }
  return `podchat migrate: ${storeLocation(config)} is up to date`;
}
