"use client";
import { formatTime } from "@/lib/format";
import { useChannelStore } from "@/providers/channel-store-provider";

export function MessageTail() {
  const tail = useChannelStore((s) => s.detail.tail);
  return (
    <section className="card" aria-labelledby="tail-title">
      <h2 id="tail-title">Messages</h2>
      {tail.length === 0 ? <p className="muted">No messages yet.</p> : null}
      <ul className="log" aria-label="Message tail">
        {tail.map((m) => (
          <li key={m.message_id}>
            #{m.seq} [{m.type}] {m.user_id ?? "admin"}: {m.message}{" "}
            <span className="muted">{formatTime(m.timestamp)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
