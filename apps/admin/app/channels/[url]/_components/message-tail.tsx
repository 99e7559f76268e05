"use client";
import type { ModerationFrame } from "@podchat/protocol";
import { formatTime } from "@/lib/format";
import { useChannelStore } from "@/providers/channel-store-provider";

const ACTION_WORDS: Record<ModerationFrame["action"], string> = {
  ban: "banned",
  unban: "unbanned",
  mute: "muted",
  unmute: "unmuted",
  freeze: "channel frozen",
  unfreeze: "channel unfrozen",
  operator_add: "made operator",
  operator_remove: "no longer operator",
};

/** `user 2 banned until …` / `channel frozen`. */
function describeModeration(frame: ModerationFrame): string {
  const who = frame.user_id === undefined ? "" : `user ${frame.user_id} `;
  const until = frame.until ? ` until ${formatTime(frame.until)}` : "";
  return `${who}${ACTION_WORDS[frame.action]}${until}`;
}

export function MessageTail() {
  const tail = useChannelStore((s) => s.detail.tail);
  const events = useChannelStore((s) => s.moderationEvents ?? []);
  return (
    <section className="card" aria-labelledby="tail-title">
      <h2 id="tail-title">Messages</h2>
      {tail.length === 0 ? <p className="muted">No messages yet.</p> : null}
      <ul className="log" aria-label="Message tail">
        {tail.map((m) =>
          m.deleted ? (
            <li key={m.message_id} className="muted">
              #{m.seq} [{m.type}] {m.user_id ?? "admin"}: <em>message deleted</em>
            </li>
          ) : (
            <li key={m.message_id}>
              #{m.seq} [{m.type}] {m.user_id ?? "admin"}: {m.message}
              {m.file ? ` 📎 ${m.file.name}` : ""}{" "}
              {m.edited_at ? (
                <span className="muted" title={`edited ${formatTime(m.edited_at)}`}>
                  (edited)
                </span>
              ) : null}{" "}
              <span className="muted">{formatTime(m.timestamp)}</span>
            </li>
          ),
        )}
      </ul>
      {events.length > 0 ? (
        <>
          <h3>Moderation events</h3>
          <ul className="log" aria-label="Moderation events">
            {events.map((e, i) => (
              <li key={i} className="event">
                {describeModeration(e)} <span className="muted">{formatTime(e.timestamp)}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
