import type { Config } from "../../config/index.ts";
import { redactUrl } from "../startup-error.ts";

/**
 * What `podchat backup|restore` print for a PostgreSQL store: podchat does not wrap pg_dump; the
 * standard tools take a consistent snapshot (pg_dump runs in one repeatable-read transaction).
 */
export function postgresRecipe(config: Config, kind: "backup" | "restore", file: string): string {
  const url = redactUrl(config.store.postgres.url ?? "postgres://…");
  const schema = config.store.postgres.schema ? ` --schema=${config.store.postgres.schema}` : "";
  return kind === "backup"
    ? [
        "podchat backup copies SQLite files only; this store is PostgreSQL. Use pg_dump, which reads one",
        "consistent snapshot while podchat keeps running (messages, members, read marks and flags are in the same schema):",
        `  pg_dump --format=custom --no-owner${schema} --file=${file} "${url}"`,
        "Uploaded files are not in the database: back up uploads.dir (or the S3 bucket) as well. See docs/backup.md.",
      ].join("\n")
    : [
        "podchat restore copies SQLite files only; this store is PostgreSQL. Stop every podchat instance, then:",
        `  pg_restore --clean --if-exists --no-owner${schema} --single-transaction --dbname="${url}" ${file}`,
        "then start podchat (it applies any newer migrations). See docs/backup.md.",
      ].join("\n");
}
