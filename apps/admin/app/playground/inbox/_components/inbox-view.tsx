"use client";
import { useInbox } from "@podchat/client-sdk/inbox/react";
import { useState } from "react";
import { describeChatError } from "@/lib/chat-view";
import { ChatPanel } from "../../_components/chat-panel";
import { InboxRow } from "./inbox-row";

/** The user's live channel list on the left; the channel picked from it on the right. */
export function InboxView({
  userId,
  pageSize,
  serverUrl,
  token,
  onLeave,
}: {
  userId: string;
  pageSize: number;
  serverUrl: string;
  token: string;
  onLeave: () => void;
}) {
  const { rows, totalUnread, hasMore, loading, status, loadMore, markRead } = useInbox({ limit: pageSize });
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const select = (channelUrl: string) => {
    setOpen(channelUrl);
    // The chat panel marks what it shows as read too; this clears the badge even before it loads.
    markRead(channelUrl);
  };

  return (
    <div className="row inbox">
      <section className="card inbox-list" aria-label={`Inbox of ${userId}`}>
        <p>
          User <strong>{userId}</strong> —{" "}
          <span role="status" aria-label="User connection">
            {status}
          </span>{" "}
          <button type="button" className="secondary" onClick={onLeave}>
            Disconnect
          </button>
        </p>
        <h2>
          Channels{" "}
          <span
            role="status"
            aria-label="Total unread"
            data-testid="total-unread"
            className={totalUnread > 0 ? "badge unread" : "badge"}
          >
            {totalUnread}
          </span>
        </h2>
        {error ? (
          <div role="alert" className="banner error">
            {error}
          </div>
        ) : null}
        <ul aria-label="Channels" aria-busy={loading}>
          {rows.map((c) => (
            <InboxRow key={c.channel_url} channel={c} open={c.channel_url === open} onOpen={select} />
          ))}
        </ul>
        {rows.length === 0 && !loading ? <p className="muted">Not a member of any channel.</p> : null}
        {hasMore ? (
          <button
            type="button"
            className="secondary"
            disabled={loading}
            onClick={() => {
              setError(null);
              loadMore().catch((e: unknown) => setError(`Load more failed: ${describeChatError(e)}`));
            }}
          >
            Load more
          </button>
        ) : null}
      </section>
      {open ? (
        <ChatPanel
          key={open}
          userId={userId}
          channelUrl={open}
          serverUrl={serverUrl}
          token={token}
          leaveLabel="Close"
          onLeave={() => setOpen(null)}
        />
      ) : (
        <section className="card muted">Pick a channel to chat in it (on the same socket).</section>
      )}
    </div>
  );
}
