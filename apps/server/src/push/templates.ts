import { type PushPayload, wireUserId } from "@podchat/protocol";
import type { Config } from "../config/index.ts";
import type { StoredMessage } from "../store/message-store.ts";

export type PushTemplates = Config["push"]["templates"];

/** Longest {message} text in a push (services cap payloads at about 4 KB). */
const MESSAGE_CHARS = 200;

/** `{sender}`: the message's `data.sender_name` when it is a string, else the sender's user id. */
function senderName(m: StoredMessage): string {
  const name = m.data?.sender_name;
  return typeof name === "string" && name.trim() ? name.trim() : (m.user_id ?? "");
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (all, k: string) => values[k] ?? all);
}

/** The payload of a push for `count` messages of a channel, `latest` the newest. */
export function renderPush(
  t: PushTemplates,
  channel: { channel_url: string; name: string },
  latest: StoredMessage,
  count: number,
): PushPayload {
  let text = latest.type === "MESG" ? latest.message : t.file;
  if (text.length > MESSAGE_CHARS) text = `${text.slice(0, MESSAGE_CHARS - 1)}…`;
  const values = {
    channel_name: channel.name || channel.channel_url,
    sender: senderName(latest),
    message: text,
    count: String(count),
  };
  return {
    type: "message",
    title: fill(t.title, values),
    body: fill(count > 1 ? t.collapsed_body : t.body, values),
    channel_url: channel.channel_url,
    channel_name: values.channel_name,
    sender_id: wireUserId(latest.user_id ?? ""),
    message_id: latest.message_id,
    seq: latest.seq,
    count,
    sent_at: latest.created_at,
  };
}
