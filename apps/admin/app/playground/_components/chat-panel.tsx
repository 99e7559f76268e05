"use client";
import { useState } from "react";
import { useChat } from "./use-chat";

export function ChatPanel({
  userId,
  channelUrl,
  onLeave,
}: {
  userId: string;
  channelUrl: string;
  onLeave: () => void;
}) {
  const { status, messages, presence, error, send } = useChat(channelUrl);
  const [text, setText] = useState("");
  const [sendError, setSendError] = useState<string | null>(null);

  return (
    <section className="card" aria-label={`Chat as ${userId} in ${channelUrl}`}>
      <p>
        User <strong>{userId}</strong> in <strong>{channelUrl}</strong> —{" "}
        <span role="status" aria-label="Connection status">
          {status}
        </span>{" "}
        <button type="button" className="secondary" onClick={onLeave}>
          Disconnect
        </button>
      </p>
      {error ? (
        <div role="alert" className="banner error">
          {error.code}: {error.message}
        </div>
      ) : null}
      {sendError ? (
        <div role="alert" className="banner error">
          Send failed: {sendError}
        </div>
      ) : null}
      <div className="row">
        <div>
          <h2>Messages</h2>
          <ul role="log" aria-label="Messages" className="log">
            {messages.map((m) => (
              <li key={m.message_id}>
                #{m.seq} {m.user_id ?? "admin"}: {m.message}
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h2>Joins and leaves</h2>
          <ul role="log" aria-label="Presence" className="log">
            {presence.map((p) => (
              <li key={p.id} className="event">
                {String(p.userId)} {p.kind}
              </li>
            ))}
          </ul>
        </div>
      </div>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const value = text.trim();
          if (!value) return;
          setText("");
          setSendError(null);
          send(value).catch((err: Error) => setSendError(err.message));
        }}
      >
        <label style={{ flex: 1 }}>
          Message
          <input value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit">Send</button>
      </form>
    </section>
  );
}
