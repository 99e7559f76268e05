import type { AdminUserSocket } from "@podchat/protocol";
import Link from "next/link";
import { formatTime } from "@/lib/format";

const KIND_LABEL: Record<AdminUserSocket["kind"], string> = {
  channel: "per-channel",
  user: "user connection",
};

/** The user's live sockets on the answering instance. */
export function UserSocketsTable({ sockets }: { sockets: readonly AdminUserSocket[] }) {
  return (
    <table aria-label="Live sockets">
      <thead>
        <tr>
          <th>Connection</th>
          <th>Kind</th>
          <th>Channels</th>
          <th>Connected</th>
          <th>Remote address</th>
        </tr>
      </thead>
      <tbody>
        {sockets.length === 0 ? (
          <tr>
            <td colSpan={5} className="muted">
              No live socket on this instance.
            </td>
          </tr>
        ) : null}
        {sockets.map((s) => (
          <tr key={s.connection_id} aria-label={`Socket ${s.connection_id}`}>
            <td>
              <code>{s.connection_id}</code>
            </td>
            <td>{KIND_LABEL[s.kind]}</td>
            <td>
              {s.channel_urls.length === 0 ? <span className="muted">none subscribed</span> : null}
              {s.channel_urls.map((url, i) => (
                <span key={url}>
                  {i > 0 ? ", " : null}
                  <Link href={`/channels/${encodeURIComponent(url)}`}>{url}</Link>
                </span>
              ))}
              {s.kind === "user" ? <div className="muted">watching {s.watching}</div> : null}
            </td>
            <td>{formatTime(s.connected_at)}</td>
            <td>{s.remote_address ?? <span className="muted">unknown</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
