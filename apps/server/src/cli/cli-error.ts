import { ConfigError, type LoadConfigOptions, loadConfig } from "../config/index.ts";

/** A failed command: its message (one line unless it lists problems) and exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Options every command takes. */
export interface GlobalOptions {
  /** APP_ENV for this run (default: the environment's APP_ENV, else dev). */
  env?: string;
  /** Folder with config.{env}.yaml (default: CONFIG_DIR, else the package's config/). */
  configDir?: string;
}

/** loadConfig's options for the global CLI options. */
export function cliConfigOptions(global: GlobalOptions): LoadConfigOptions {
  return {
    ...(global.env ? { env: { ...process.env, APP_ENV: global.env } } : {}),
    ...(global.configDir ? { configDir: global.configDir } : {}),
  };
}

/** The config for a command; a ConfigError becomes a one-line CliError with exit code 2. */
export function loadCliConfig(global: GlobalOptions) {
  try {
    return loadConfig(cliConfigOptions(global));
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.line, 2);
    throw e;
  }
}
