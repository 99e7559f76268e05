import type { InboxChannel } from "@podchat/protocol";
import Link from "next/link";
import { ProviderBadge } from "@/app/_components/provider-badge";
import { formatTime } from "@/lib/format";

/** The user's channels, newest activity first; each opens the channel's page. */
export function UserChannelsTable({ channels }: { channels: readonly InboxChannel[] }) {
  return (
    <table aria-label="User channels">
      <thead>
        <tr>
          <th>Channel</th>
          <th>Provider</th>
          <th>Unread</th>
          <th>Last message</th>
          <th>Last activity</th>
        </tr>
      </thead>
      <tbody>
        {channels.length === 0 ? (
          <tr>
            <td colSpan={5} className="muted">
              Not a member of any channel.
            </td>
          </tr>
        ) : null}
        {channels.map((c) => (
          <tr key={c.channel_url} aria-label={`Channel ${c.channel_url}`}>
            <td>
              <Link href={`/channels/${encodeURIComponent(c.channel_url)}`}>{c.name || c.channel_url}</Link>
              {c.name && c.name !== c.channel_url ? <div className="muted">{c.channel_url}</div> : null}
            </td>
            <td>
              <ProviderBadge provider={c.provider} />
            </td>
            <td aria-label={`Unread in ${c.channel_url}`}>
              {c.unread_count > 0 ? (
                <span className="badge unread">{c.unread_count}</span>
              ) : (
                <span className="muted">0</span>
              )}
            </td>
            <td>
              {c.last_message ? (
                <>
                  {c.last_message.message || <span className="muted">({c.last_message.type})</span>}
                  <div className="muted">
                    {c.last_message.user_id ?? "—"} · #{c.last_message.seq}
                  </div>
                </>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td>{formatTime(c.last_activity_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
