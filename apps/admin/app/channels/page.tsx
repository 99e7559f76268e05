import { AdminChannelList } from "@podchat/protocol";
import { ignoringChangeEntries } from "@/lib/log-entries";
import Link from "next/link";
import { formatTime } from "@/lib/format";
import { loadForPage, serverJson } from "@/lib/server-api";
import { ErrorBanner } from "../_components/error-banner";
import { ProviderBadge } from "../_components/provider-badge";
import { CreateChannelForm } from "./_components/create-channel-form";

export const dynamic = "force-dynamic";
const PAGE_SIZE = 20;

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function ChannelsPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const q = one(params.q);
  const provider = one(params.provider);
  const cursor = one(params.cursor);
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (q) query.set("q", q);
  if (provider) query.set("provider", provider);
  if (cursor) query.set("cursor", cursor);
  const { data, error } = await loadForPage(() =>
    serverJson(`/api/v1/admin/channels?${query}`, ignoringChangeEntries(AdminChannelList)),
  );
  const pageLink = (c: string | null) => {
    const next = new URLSearchParams();
    if (q) next.set("q", q);
    if (provider) next.set("provider", provider);
    if (c) next.set("cursor", c);
    return `/channels${next.size ? `?${next}` : ""}`;
  };

  return (
    <>
      <h1>Channels</h1>
      <search>
        <form className="inline" action="/channels">
          <label>
            Search channels
            <input name="q" defaultValue={q} placeholder="url or name" />
          </label>
          <label>
            Provider
            <select name="provider" defaultValue={provider}>
              <option value="">any</option>
              <option value="websocket">websocket</option>
              <option value="sendbird">sendbird</option>
            </select>
          </label>
          <button type="submit">Search</button>
        </form>
      </search>
      <ErrorBanner error={error?.toJSON()} />
      {data ? (
        <table aria-label="Channels">
          <thead>
            <tr>
              <th>Channel</th>
              <th>Provider</th>
              <th>Members</th>
              <th>Online now</th>
              <th>Last message</th>
              <th>Seq</th>
            </tr>
          </thead>
          <tbody>
            {data.channels.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No channels match.
                </td>
              </tr>
            ) : null}
            {data.channels.map((c) => (
              <tr key={c.channel_url}>
                <td>
                  <Link href={`/channels/${encodeURIComponent(c.channel_url)}`}>{c.channel_url}</Link>
                  {c.name && c.name !== c.channel_url ? <div className="muted">{c.name}</div> : null}
                </td>
                <td>
                  <ProviderBadge provider={c.provider} />
                </td>
                <td>{c.member_count}</td>
                <td>{c.online_count}</td>
                <td>
                  {c.last_message ? (
                    <>
                      {c.last_message.message}
                      <div className="muted">{formatTime(c.last_message.timestamp)}</div>
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>{c.last_seq}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <nav
        className="inline"
        aria-label="Pages"
        style={{ display: "flex", gap: "1rem", marginTop: "0.5rem" }}
      >
        {cursor ? <Link href={pageLink(null)}>First page</Link> : null}
        {data?.next_cursor ? <Link href={pageLink(data.next_cursor)}>Next page</Link> : null}
      </nav>
      <h2>New channel</h2>
      <CreateChannelForm />
    </>
  );
}
