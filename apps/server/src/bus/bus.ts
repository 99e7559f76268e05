import type { Channel, InboxChannel, ModerationAction, SeqLogEntry } from "@podchat/protocol";

/** What instances tell each other about a channel. */
export type ChannelEvent =
  /**
   * A seq-log entry in its wire form: a message, or an edit/delete entry (@since 0.2). @since 0.3
   * the frame itself (was the stored row), so fan-out needs no store types and no mapping.
   */
  | { kind: "message"; entry: SeqLogEntry }
  /** @since 0.2 Not stored. Rooms send it to every socket but the typing user's. */
  | { kind: "typing"; user_id: string; typing: boolean; expires_in_ms?: number }
  /** @since 0.2 A member's read mark moved. */
  | { kind: "read"; user_id: string; seq: number; timestamp: string }
  /** @since 0.2 Moderation changed: rooms drop their cached state and tell the sockets. */
  | {
      kind: "moderation";
      action: ModerationAction;
      user_id?: string;
      until?: string | null;
      timestamp: string;
    }
  /** @since 0.5 A message was pinned or unpinned (`user_id` null: the API key or an admin). */
  | {
      kind: "pin";
      pinned: boolean;
      seq: number;
      message_id: string;
      user_id: string | null;
      timestamp: string;
    }
  /** @since 0.3 The channel's name, data or custom type changed (inbox rows redraw). */
  | { kind: "updated"; channel: Channel }
  | { kind: "presence"; change: "joined" | "left"; user_id: string; timestamp: string; node_id: string }
  /** Close the sockets of these users (removed, banned) or of everyone (channel deleted). */
  | { kind: "kick"; user_ids: string[] | "all"; close_code: number; error_code: string; reason: string };

/**
 * What a user's sockets are told, wherever they are connected (@since 0.3, the inbox): their
 * channel list changed, or their read position moved (on any device). Rows and counts are the
 * user's own, computed by the publisher.
 */
export type UserEvent =
  | { kind: "added"; channel: InboxChannel; total_unread: number }
  | { kind: "removed"; channel_url: string; reason: "removed" | "deleted"; total_unread: number }
  | { kind: "read"; channel_url: string; last_read_seq: number; unread_count: number; total_unread: number };

/** Instance-wide events (flag changes, admin notices). */
export type ControlEvent =
  | { kind: "flags_changed"; env: string }
  /** @since 0.4 The user's tokens issued before `revoked_at` (ISO time) are refused; close their sockets. */
  | { kind: "tokens_revoked"; user_id: string; revoked_at: string }
  | { kind: string; [k: string]: unknown };

export type Unsubscribe = () => Promise<void>;

/**
 * Fan-out between server instances. The in-process bus is the base; a distributed one (Redis)
 * publishes to other nodes, drops its own echoes, and delivers locally through the same handlers.
 * Handlers of one channel are called in publish order per publisher.
 */
export interface Bus {
  readonly driver: "memory" | "redis";
  /** This instance's id, unique per process. */
  readonly nodeId: string;
  publishChannel(channelUrl: string, event: ChannelEvent): Promise<void>;
  subscribeChannel(channelUrl: string, handler: (event: ChannelEvent) => void): Promise<Unsubscribe>;
  /** @since 0.3 Events for one user's sockets on every instance. */
  publishUser(userId: string, event: UserEvent): Promise<void>;
  subscribeUser(userId: string, handler: (event: UserEvent) => void): Promise<Unsubscribe>;
  publishControl(event: ControlEvent): Promise<void>;
  /**
   * Calls `cb` each time a distributed bus is back after an outage (events may have been missed
   * meanwhile), once its subscriptions are active again; returns a function that removes `cb`.
   * Absent on the in-process bus, which cannot miss events.
   */
  onReconnect?(cb: () => void): () => void;
  subscribeControl(handler: (event: ControlEvent) => void): Promise<Unsubscribe>;
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
