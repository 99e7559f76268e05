import { CliError } from "./cli/cli-error.ts";
import { runStart } from "./cli/start.ts";

// The server process (`node dist/main.js`, `pnpm start`): the same as `podchat start`.
runStart().catch((e: unknown) => {
  if (e instanceof CliError) {
    console.error(e.message);
    process.exit(e.exitCode);
  }
  console.error(e);
  process.exit(1);
});
