import type { AuditFilters } from "@/stores/audit-store";

/** A plain GET form: the filters live in the URL, so a filtered view can be shared. */
export function AuditFiltersForm({ filters }: { filters: AuditFilters }) {
  return (
    <search>
      <form className="inline" action="/audit" aria-label="Filter audit log">
        <label>
          Action
          <input name="action" defaultValue={filters.action} placeholder="moderation.* or channel.delete" />
        </label>
        <label>
          Actor
          <input name="actor" defaultValue={filters.actor} placeholder="admin or sha256:…" />
        </label>
        <label>
          Channel
          <input name="channel_url" defaultValue={filters.channel_url} />
        </label>
        <label>
          User
          <input name="user_id" defaultValue={filters.user_id} />
        </label>
        <label>
          Since (UTC)
          <input type="datetime-local" name="since" defaultValue={filters.since} step={1} />
        </label>
        <label>
          Until (UTC)
          <input type="datetime-local" name="until" defaultValue={filters.until} step={1} />
        </label>
        <button type="submit">Filter</button>
      </form>
    </search>
  );
}
