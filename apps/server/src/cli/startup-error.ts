import type { Config } from "../config/index.ts";
import { ConfigError } from "../config/index.ts";
import { FileStorageError } from "../files/file-storage.ts";

/** Why the server cannot start, as the one line it prints, and the exit code. */
export interface StartupFailure {
  line: string;
  exitCode: number;
}

type SysError = Error & {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
};

const firstLine = (s: string) => s.split("\n")[0]!.trim();

/** A database URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** Where the configured store lives, for messages. */
export function storeLocation(config: Config): string {
  return config.store.driver === "postgres"
    ? `PostgreSQL at ${redactUrl(config.store.postgres.url ?? "")}`
    : `SQLite file ${config.store.sqlite.path}`;
}

/** The innermost cause: stores wrap driver errors ("postgres: migrate failed" ← ECONNREFUSED). */
function rootCause(e: unknown): unknown {
  let cur = e;
  for (let i = 0; i < 10 && cur instanceof Error && cur.cause !== undefined; i++) cur = cur.cause;
  return cur;
}

/** An error from opening and migrating the store. */
export function databaseFailure(e: unknown, config: Config): StartupFailure {
  const err = rootCause(e) as SysError;
  const reason =
    err.code && /^E[A-Z]+$/.test(err.code) && !err.message.includes(err.code)
      ? `${err.code} ${firstLine(err.message ?? "")}`.trim()
      : firstLine(err?.message ?? String(err));
  return {
    line: `podchat cannot start: cannot open the database (${storeLocation(config)}): ${reason}`,
    exitCode: 1,
  };
}

/** An error from opening the port. */
export function listenFailure(e: unknown, host: string, port: number): StartupFailure {
  const err = e as SysError;
  const where = `port ${port} on ${host}`;
  switch (err.code) {
    case "EADDRINUSE":
      return { line: `podchat cannot start: ${where} is in use`, exitCode: 1 };
    case "EACCES":
      return { line: `podchat cannot start: no permission to listen on ${where}`, exitCode: 1 };
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return { line: `podchat cannot start: address ${host} is not available on this machine`, exitCode: 1 };
    default:
      return {
        line: `podchat cannot start: cannot listen on ${where}: ${firstLine(err.message)}`,
        exitCode: 1,
      };
  }
}

/** Any other error while the server is built: config, file storage, a second connection. */
export function startupFailure(e: unknown): StartupFailure {
  if (e instanceof ConfigError) return { line: e.line, exitCode: 2 };
  // An unusable upload storage (no such bucket, refused credentials): say which, no stack trace.
  if (e instanceof FileStorageError)
    return { line: `podchat cannot start: ${firstLine(e.message)}`, exitCode: 1 };
  const err = e as SysError;
  if (err.syscall === "connect" || err.syscall === "getaddrinfo") {
    const to = err.address
      ? `${err.address}${err.port ? `:${err.port}` : ""}`
      : (err.hostname ?? "a service");
    return { line: `podchat cannot start: cannot connect to ${to}: ${firstLine(err.message)}`, exitCode: 1 };
  }
  return { line: `podchat cannot start: ${firstLine(err?.message ?? String(e))}`, exitCode: 1 };
}
