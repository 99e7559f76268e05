#!/usr/bin/env node
// The `podchat` command line: start, migrate, token, channel create, backup, restore, check-config.
import { Command, InvalidArgumentError } from "commander";
import { CliError, type GlobalOptions, loadCliConfig } from "./cli-error.ts";
import { parseDuration } from "./duration.ts";

// Each command imports what it needs when it runs: `podchat token` should not load the server.
const program = new Command("podchat")
  .description("podchat: self-hosted group chat server")
  .option("--env <name>", "APP_ENV for this run: dev, stg or prod (default: $APP_ENV, else dev)")
  .option(
    "--config-dir <dir>",
    "folder holding config.<env>.yaml (default: $CONFIG_DIR, else the package's config/)",
  )
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(s) });

const global = (): GlobalOptions => program.opts<GlobalOptions>();

/** The running command's name ("backup", "channel create"), to prefix its error lines. */
let running = "podchat";
program.hook("preAction", (_root, action) => {
  const names: string[] = [];
  for (let c: Command | null = action; c && c !== program; c = c.parent) names.unshift(c.name());
  running = `podchat ${names.join(" ")}`;
});

const duration = (text: string) => {
  try {
    return parseDuration(text);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

program
  .command("start")
  .description("start the server (what `node dist/main.js` does); SIGTERM drains it")
  .action(async () => {
    const { runStart } = await import("./start.ts");
    await runStart(global());
  });

program
  .command("migrate")
  .description("apply the database schema (SQLite file or PostgreSQL from the config), then exit")
  .action(async () => {
    const { runMigrate } = await import("./migrate.ts");
    console.log(await runMigrate(loadCliConfig(global()).config));
  });

program
  .command("token")
  .description("mint a user token (HS256, the config's auth.jwt.secret) and print it")
  .argument("<user_id>", "the user id (the token's sub)")
  .option("--ttl <duration>", "lifetime: seconds or 90s, 15m, 1h, 7d", duration, 3600)
  .option("--json", "print {token, expires_at} as JSON")
  .action(async (userId: string, o: { ttl: number; json?: boolean }) => {
    const { mintUserToken } = await import("./token.ts");
    const { token, expiresAt } = await mintUserToken(loadCliConfig(global()).config, userId, o.ttl);
    console.log(o.json ? JSON.stringify({ token, expires_at: expiresAt.toISOString() }) : token);
  });

const channel = program.command("channel").description("channel administration (through a running server)");
channel
  .command("create")
  .description("create a group channel through the REST API of a running server")
  .argument("<url>", "the channel url, e.g. pod_123_chat")
  .option("--name <name>", "display name")
  .requiredOption("--users <ids>", "member user ids, comma-separated: 1,2,3")
  .option("--data <json>", 'channel data, a JSON object: {"pod_id":123}')
  .option("--custom-type <type>", "custom type")
  .option("--server <url>", "the server's base URL (default: server.public_url, else 127.0.0.1:server.port)")
  .option("--api-key <key>", "a server API key (default: the first of auth.api_keys / API_KEYS)")
  .action(
    async (
      url: string,
      o: {
        name?: string;
        users: string;
        data?: string;
        customType?: string;
        server?: string;
        apiKey?: string;
      },
    ) => {
      const { createChannelViaApi } = await import("./channel.ts");
      const created = await createChannelViaApi(loadCliConfig(global()).config, { channelUrl: url, ...o });
      console.log(JSON.stringify(created, null, 2));
    },
  );

program
  .command("backup")
  .description(
    "copy the SQLite database to <file>, safely while the server runs (PostgreSQL: prints the pg_dump recipe)",
  )
  .argument("<file>", "where to write the backup")
  .option("--overwrite", "replace <file> when it exists")
  .action(async (file: string, o: { overwrite?: boolean }) => {
    const { config } = loadCliConfig(global());
    const { postgresRecipe } = await import("./backup/postgres-recipe.ts");
    if (config.store.driver === "postgres") throw new CliError(postgresRecipe(config, "backup", file), 3);
    const { backupSqlite } = await import("./backup/sqlite-backup.ts");
    const s = backupSqlite(config.store.sqlite.path, file, { overwrite: o.overwrite ?? false });
    console.log(
      `podchat backup: ${config.store.sqlite.path} → ${file}: ${s.channels} channels, ${s.messages} messages, schema v${s.schemaVersion}, ${s.bytes} bytes, integrity ok`,
    );
  });

program
  .command("restore")
  .description(
    "replace the SQLite database with a backup <file>; refuses corrupt or non-podchat files and a database in use",
  )
  .argument("<file>", "a file written by `podchat backup`")
  .option("--force", "restore even while a server (or any process) has the database open")
  .action(async (file: string, o: { force?: boolean }) => {
    const { config } = loadCliConfig(global());
    const { postgresRecipe } = await import("./backup/postgres-recipe.ts");
    if (config.store.driver === "postgres") throw new CliError(postgresRecipe(config, "restore", file), 3);
    const { restoreSqlite } = await import("./backup/sqlite-backup.ts");
    const s = await restoreSqlite(file, config.store.sqlite.path, { force: o.force ?? false });
    console.log(
      `podchat restore: ${file} → ${config.store.sqlite.path}: ${s.channels} channels, ${s.messages} messages, schema v${s.schemaVersion}${o.force ? " (forced: restart the server now)" : ""}`,
    );
  });

program
  .command("check-config")
  .description("load the config for APP_ENV and print its problems (exit 2) or what it would start")
  .action(async () => {
    const { runCheckConfig } = await import("./check-config.ts");
    console.log(runCheckConfig(global()));
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CliError) {
    console.error(e.message.startsWith("podchat") ? e.message : `${running}: ${e.message}`);
    process.exit(e.exitCode);
  }
  console.error(`${running}: ${(e as Error)?.message ?? String(e)}`);
  process.exit(1);
});
