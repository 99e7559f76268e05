"use client";
import type { MessageFrame } from "@podchat/protocol";
import { useRef, useState } from "react";
import { describeChatError, fileSrc, imageOf, readersOf, typingText } from "@/lib/chat-view";
import { sameUser } from "@/lib/format";
import { type ChatState, useChat } from "./use-chat";

export function ChatPanel({
  userId,
  channelUrl,
  serverUrl,
  token,
  onLeave,
  leaveLabel = "Disconnect",
}: {
  userId: string;
  channelUrl: string;
  /** Where the files are served (message file URLs are relative to it). */
  serverUrl: string;
  /** The user's current token, for `?token=` on file URLs. */
  token: string;
  onLeave: () => void;
  /** Text of the button that calls `onLeave`. */
  leaveLabel?: string;
}) {
  const chat = useChat(channelUrl, userId);
  const { status, messages, presence, error, typingUsers, moderation } = chat;
  const [text, setText] = useState("");
  const [sendError, setSendError] = useState<string | null>(null);
  const [image, setImage] = useState<File | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const typing = typingText(typingUsers);
  const own = moderation.filter((m) => sameUser(m.user_id, userId)).at(-1);

  const fail = (err: unknown) => setSendError(describeChatError(err));

  return (
    <section className="card" aria-label={`Chat as ${userId} in ${channelUrl}`}>
      <p>
        User <strong>{userId}</strong> in <strong>{channelUrl}</strong> —{" "}
        <span role="status" aria-label="Connection status">
          {status}
        </span>{" "}
        <button type="button" className="secondary" onClick={onLeave}>
          {leaveLabel}
        </button>
      </p>
      {error ? (
        <div role="alert" className="banner error" data-code={error.code}>
          {describeChatError(error)}
        </div>
      ) : null}
      {own && (own.action === "ban" || own.action === "mute") && !error ? (
        <div role="alert" className="banner error" data-code={own.action === "ban" ? "BANNED" : "MUTED"}>
          {describeChatError({ code: own.action === "ban" ? "BANNED" : "MUTED", message: "" })}
        </div>
      ) : null}
      {chat.readStateError ? (
        <div role="alert" className="banner error">
          Read state unavailable: {describeChatError(chat.readStateError)}
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
              <MessageLine
                key={m.message_id}
                message={m}
                me={userId}
                chat={chat}
                serverUrl={serverUrl}
                token={token}
                onError={fail}
              />
            ))}
          </ul>
          <p role="status" aria-label="Typing" className="muted">
            {typing}
          </p>
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
          chat.typing(false);
          chat.send(value).catch(fail);
        }}
      >
        <label style={{ flex: 1 }}>
          Message
          <input
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              chat.typing(e.target.value.length > 0);
            }}
          />
        </label>
        <button type="submit">Send</button>
      </form>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (!image) return;
          const caption = text.trim();
          setSendError(null);
          chat.sendImage(image, caption).then(() => {
            setImage(null);
            if (caption) setText("");
            if (fileInput.current) fileInput.current.value = "";
          }, fail);
        }}
      >
        <label>
          Image
          <input
            ref={fileInput}
            type="file"
            accept="image/*"
            onChange={(e) => setImage(e.target.files?.[0] ?? null)}
          />
        </label>
        <button type="submit" disabled={!image}>
          Send image
        </button>
      </form>
    </section>
  );
}

/** `#seq user: text`, then its image, edit state, read state and (own messages) edit/delete. */
function MessageLine({
  message: m,
  me,
  chat,
  serverUrl,
  token,
  onError,
}: {
  message: MessageFrame;
  me: string;
  chat: ChatState;
  serverUrl: string;
  token: string;
  onError: (err: unknown) => void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const mine = sameUser(m.user_id, me);
  const image = m.deleted ? null : imageOf(m.file);

  if (m.deleted) {
    return (
      <li className="event">
        #{m.seq} {m.user_id ?? "admin"}: message deleted
      </li>
    );
  }
  const readers = mine ? readersOf(chat.readState, m.seq, me) : [];
  return (
    <li>
      #{m.seq} {m.user_id ?? "admin"}: {m.message}
      {m.edited_at ? <span className="muted"> (edited)</span> : null}
      {image ? (
        <div>
          <img
            src={fileSrc(image, serverUrl, token)}
            alt={m.file?.name ?? "image"}
            style={{ maxWidth: 240, maxHeight: 240, display: "block" }}
          />
        </div>
      ) : null}
      {mine ? (
        <>
          {" "}
          <span className="muted">
            {readers.length > 0 ? `read by ${readers.length} (${readers.join(", ")})` : "not read yet"}
          </span>{" "}
          {editing === null ? (
            <>
              <button
                type="button"
                className="secondary"
                aria-label={`Edit #${m.seq}`}
                onClick={() => setEditing(m.message)}
              >
                Edit
              </button>{" "}
              <button
                type="button"
                className="secondary"
                aria-label={`Delete #${m.seq}`}
                onClick={() => chat.remove(m.seq).catch(onError)}
              >
                Delete
              </button>
            </>
          ) : (
            <form
              className="inline"
              onSubmit={(e) => {
                e.preventDefault();
                const value = editing.trim();
                if (!value) return;
                setEditing(null);
                chat.edit(m.seq, value).catch(onError);
              }}
            >
              <label>
                New text of #{m.seq}
                <input value={editing} onChange={(e) => setEditing(e.target.value)} />
              </label>
              <button type="submit">Save</button>
              <button type="button" className="secondary" onClick={() => setEditing(null)}>
                Cancel
              </button>
            </form>
          )}
        </>
      ) : null}
    </li>
  );
}
