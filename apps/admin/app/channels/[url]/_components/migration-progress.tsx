import type { MigrationJob } from "@podchat/protocol";

export function MigrationProgress({ job }: { job: MigrationJob }) {
  const total = job.total_messages;
  return (
    <div
      role="status"
      aria-label="Migration"
      className={`banner ${job.state === "failed" ? "error" : "info"}`}
    >
      Migration {job.state}: {job.copied_messages}
      {total === null ? "" : ` / ${total}`} messages copied
      {total ? <progress value={job.copied_messages} max={total} style={{ marginLeft: "0.5rem" }} /> : null}
      {job.error ? ` — ${job.error}` : ""}
    </div>
  );
}
