import type { InboxChannel } from "@podchat/client-sdk/inbox";
import { ProviderBadge } from "@/app/_components/provider-badge";
import { lastMessageText } from "@/lib/chat-view";

/** One channel of the inbox: name (opens it), unread badge, provider and last message. */
export function InboxRow({
  channel: c,
  open,
  onOpen,
}: {
  channel: InboxChannel;
  open: boolean;
  onOpen: (channelUrl: string) => void;
}) {
  const named = c.name && c.name !== c.channel_url;
  return (
    <li aria-label={c.channel_url} aria-current={open ? "true" : undefined} className="inbox-row">
      <div className="inbox-row-head">
        <button type="button" className="link" onClick={() => onOpen(c.channel_url)}>
          {c.name || c.channel_url}
        </button>
        <span
          role="img"
          data-testid="unread"
          aria-label={`${c.unread_count} unread`}
          className={c.unread_count > 0 ? "badge unread" : "muted"}
        >
          {c.unread_count}
        </span>
      </div>
      {named ? <div className="muted">{c.channel_url}</div> : null}
      <div className="muted">
        <ProviderBadge provider={c.provider} />{" "}
        <span data-testid="last-message">{lastMessageText(c.last_message)}</span>
      </div>
    </li>
  );
}
