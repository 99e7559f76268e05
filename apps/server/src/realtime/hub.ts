import {
  CloseCode,
  type ErrorFrame,
  ErrorCode,
  type InboxAddedFrame,
  type InboxModerationFrame,
  type InboxReadFrame,
  type InboxRemovedFrame,
  type InboxUpdatedFrame,
  type MessagePinnedFrame,
  type MessageUnpinnedFrame,
  type ModerationFrame,
  type ReadReceiptFrame,
  type TypingFrame,
  type UnsubscribedFrame,
  type UserJoinedFrame,
  type UserLeftFrame,
  wireUserId,
} from "@podchat/protocol";
import type { Bus, ChannelEvent, Unsubscribe, UserEvent } from "../bus/bus.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Presence } from "../presence/presence.ts";
import { isUserPresenceKey, userPresenceKey } from "../presence/user-presence.ts";
import { ChannelRoom } from "./channel-room.ts";
import { bump } from "./counts.ts";
import { type Connection, Subscription } from "./connection.ts";
import { Heartbeat } from "./heartbeat.ts";
import { type SeqLog, toDeliverable } from "./seq-log.ts";
import { closeReason } from "./ws-frame.ts";

export interface HubOptions {
  log: SeqLog;
  bus: Bus;
  /** Who is online across instances; decides when USER_JOINED and USER_LEFT are announced. */
  presence: Presence;
  logger: Logger;
  metrics: Metrics;
  heartbeatMs: number;
  resumeMaxMessages: number;
  /** How long an out-of-order hole may stay open before the store is asked. */
  gapWaitMs?: number;
}

/** One socket of a user on this instance, as the admin shows it. */
export interface UserSocketInfo {
  id: string;
  /** `channel`: the per-channel endpoint; `user`: the user connection. */
  kind: "channel" | "user";
  /** Subscribed channels. */
  channelUrls: string[];
  /** Channels watched for inbox events (user connection only). */
  watching: number;
  connectedAt: number;
  /** The peer address, null when the socket did not report one. */
  ip: string | null;
}

/** Where a new subscription starts, for its first frame (CONNECTED or SUBSCRIBED). */
export interface SubscriptionStart {
  lastSeq: number;
  gap?: { from_seq: number; to_seq: number };
}

const REPLAY_PAGE = 500;

/**
 * All chat sockets of this instance and their channel rooms. Rooms subscribe to the bus for their
 * channel while they have subscriptions or inbox watchers; every entry reaches sockets through
 * the room, so the local and the cross-instance path are one. Knows sockets, rooms and fan-out
 * only: who may join or send is decided before (chat/), history is read through `SeqLog`.
 */
export class Hub {
  private readonly rooms = new Map<string, ChannelRoom>();
  private readonly subscriptions = new Map<string, Unsubscribe>();
  private readonly sockets = new Set<Connection>();
  /** User connections per user, and their bus subscription to the user's events. */
  private readonly userSockets = new Map<string, { conns: Set<Connection>; off: Promise<Unsubscribe> }>();
  private readonly heartbeat: Heartbeat;
  private readonly presenceOps = new Set<Promise<unknown>>();
  private readonly stopExpiry: () => void;
  connectionCount = 0;

  constructor(private readonly o: HubOptions) {
    this.heartbeat = new Heartbeat(o.heartbeatMs, () => this.sockets);
    // Users whose last socket was on an instance that died: one survivor announces them.
    this.stopExpiry = o.presence.onExpired((channelUrl, userId) => {
      if (isUserPresenceKey(channelUrl)) return;
      void this.trackPresence(this.publishPresence(channelUrl, "left", userId), channelUrl);
    });
  }

  start() {
    this.heartbeat.start();
  }

  /** Open subscriptions of a user on this instance, over all its channels. */
  userConnections(userId: string): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.users.get(userId) ?? 0;
    return n;
  }

  /**
   * The user's admitted sockets on this instance, oldest first. A scan of all sockets: it serves
   * the admin's occasional look-up, and an index by user would cost every socket memory.
   */
  socketsOf(userId: string): UserSocketInfo[] {
    const out: UserSocketInfo[] = [];
    for (const c of this.sockets) {
      if (c.userId !== userId || c.closed) continue;
      out.push({
        id: c.id,
        kind: c.inbox ? "user" : "channel",
        channelUrls: [...c.subs.keys()],
        watching: c.watching.size,
        connectedAt: c.connectedAt,
        ip: c.ip && c.ip !== "unknown" ? c.ip : null,
      });
    }
    return out.sort((a, b) => a.connectedAt - b.connectedAt);
  }

  /** Users with an open socket in the channel on this instance only; see `online()`. */
  onlineUsers(channelUrl: string): string[] {
    const room = this.rooms.get(channelUrl);
    return room ? [...room.users.keys()] : [];
  }

  /** Users with an open socket in the channel on any instance of the deployment. */
  online(channelUrl: string): Promise<string[]> {
    return this.o.presence.online(channelUrl);
  }

  /** Resolves once presence changes already under way are written and announced. */
  async presenceSettled(): Promise<void> {
    while (this.presenceOps.size > 0) await Promise.allSettled([...this.presenceOps]);
  }

  stats() {
    return { connections: this.connectionCount, channels: this.rooms.size };
  }

  /** Counts an admitted socket and puts it on the heartbeat. */
  attach(conn: Connection) {
    this.sockets.add(conn);
    this.heartbeat.assign(conn);
    this.track(+1);
  }

  /** Removes a closed socket with all its subscriptions and inbox watches. */
  detach(conn: Connection) {
    if (conn.closed) return;
    conn.closed = true;
    if (this.sockets.delete(conn)) this.track(-1);
    for (const sub of [...conn.subs.values()]) this.unsubscribe(sub);
    for (const url of [...conn.watching]) this.unwatch(conn, url);
    if (conn.inbox) this.dropUserSocket(conn);
  }

  /**
   * Subscribes a socket to a channel: `opened` writes the first frame (CONNECTED or SUBSCRIBED),
   * then what it missed after `sinceSeq` is replayed from the seq log, then live entries follow —
   * each seq exactly once, in order.
   */
  async subscribe(
    conn: Connection,
    channelUrl: string,
    sinceSeq: number | undefined,
    opened: (start: SubscriptionStart) => void,
  ): Promise<Subscription | null> {
    const existing = conn.subs.get(channelUrl);
    if (existing) this.unsubscribe(existing);
    const sub = new Subscription(conn, channelUrl);
    conn.subs.set(channelUrl, sub);
    const room = await this.acquire(channelUrl).catch((e) => {
      if (conn.subs.get(channelUrl) === sub) conn.subs.delete(channelUrl);
      throw e;
    });
    if (conn.closed || sub.closed) {
      this.release(room);
      return null;
    }
    sub.joined = true;
    const target = room.lastSeq;
    let since = sinceSeq === undefined ? target : Math.min(sinceSeq, target);
    const start: SubscriptionStart = { lastSeq: target };
    if (target - since > this.o.resumeMaxMessages) {
      start.gap = { from_seq: since + 1, to_seq: target - this.o.resumeMaxMessages };
      since = target - this.o.resumeMaxMessages;
    }
    sub.sentSeq = since;
    sub.backlog = [];
    room.subs.add(sub);
    bump(room.users, conn.userId, +1);
    opened(start);

    try {
      while (!sub.closed && sub.sentSeq < target) {
        const page = await this.o.log.after(
          channelUrl,
          sub.sentSeq,
          Math.min(REPLAY_PAGE, target - sub.sentSeq),
        );
        if (page.length === 0) break;
        for (const entry of page) {
          if (entry.seq <= sub.sentSeq) continue;
          sub.sentSeq = entry.seq;
          conn.sendEncoded(toDeliverable(entry).frame);
        }
      }
    } finally {
      const held = sub.backlog ?? [];
      sub.backlog = null;
      held.sort((a, b) => a.seq - b.seq);
      for (const d of held) sub.deliver(d);
    }
    if (!sub.closed) {
      sub.present = true;
      const announced = this.o.presence.join(channelUrl, conn.userId).then(async (first) => {
        if (first) await this.publishPresence(channelUrl, "joined", conn.userId);
      });
      await this.trackPresence(announced, channelUrl);
    }
    return sub;
  }

  /** Ends a subscription; the last one of a user in a channel announces USER_LEFT. */
  unsubscribe(sub: Subscription) {
    if (sub.closed) return;
    sub.closed = true;
    const conn = sub.conn;
    if (conn.subs.get(sub.channelUrl) === sub) conn.subs.delete(sub.channelUrl);
    if (sub.typingTimer) clearTimeout(sub.typingTimer);
    sub.typingTimer = null;
    const room = sub.joined ? this.rooms.get(sub.channelUrl) : undefined;
    if (!room?.subs.delete(sub)) return;
    bump(room.users, conn.userId, -1);
    if (sub.present) {
      sub.present = false;
      // Presence calls of one instance are answered in call order, so this leave follows its join.
      const announced = this.o.presence.leave(sub.channelUrl, conn.userId).then(async (last) => {
        if (last) await this.publishPresence(sub.channelUrl, "left", conn.userId);
      });
      void this.trackPresence(announced, sub.channelUrl);
    }
    this.release(room);
  }

  /**
   * Makes a user connection hear its user's events (channel list changes, read marks from any
   * device) and the inbox events of these channels. Resolves once the user's events are heard, so
   * a list read afterwards misses no change.
   */
  async listen(conn: Connection): Promise<void> {
    let entry = this.userSockets.get(conn.userId);
    if (!entry) {
      const conns = new Set<Connection>();
      const off = this.o.bus.subscribeUser(conn.userId, (e) => this.onUserEvent(conns, e));
      entry = { conns, off };
      this.userSockets.set(conn.userId, entry);
    }
    entry.conns.add(conn);
    // Counted in presence under the user's key: "connected anywhere" (push/ asks it).
    void this.trackPresence(
      this.o.presence.join(userPresenceKey(conn.userId), conn.userId).then(() => {}),
      "user connection",
    );
    await entry.off;
  }

  /** Inbox events of these channels reach the user connection. */
  async watch(conn: Connection, channelUrls: Iterable<string>): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const url of channelUrls) {
      if (conn.watching.has(url)) continue;
      conn.watching.add(url);
      pending.push(
        this.acquire(url).then(
          (room) => {
            if (conn.closed || !conn.watching.has(url)) return this.release(room);
            room.watchers.add(conn);
          },
          (err) => {
            conn.watching.delete(url);
            this.o.logger.warn({ err, channel_url: url }, "inbox watch failed");
          },
        ),
      );
    }
    await Promise.all(pending);
  }

  unwatch(conn: Connection, channelUrl: string) {
    if (!conn.watching.delete(channelUrl)) return;
    const room = this.rooms.get(channelUrl);
    if (room?.watchers.delete(conn)) this.release(room);
  }

  /**
   * Closes the user's sockets on this instance that `which` picks (an ERROR frame, then the close
   * code); returns how many. A scan of all sockets, like `socketsOf`: revocations are rare.
   */
  closeUserSockets(
    userId: string,
    which: (c: Connection) => boolean,
    closeCode: number,
    errorCode: string,
    reason: string,
  ): number {
    let n = 0;
    for (const c of [...this.sockets]) {
      if (c.userId !== userId || c.closed || !which(c)) continue;
      closeWithError(c, closeCode, errorCode, reason);
      n++;
    }
    return n;
  }

  /** Closes every socket (drain): an ERROR frame, then the close code. */
  closeAll(closeCode: number, errorCode: string, reason: string) {
    for (const c of [...this.sockets]) closeWithError(c, closeCode, errorCode, reason);
  }

  /** Re-reads every room's channel from the seq log (after a bus outage) so nothing stays missing. */
  resyncAll() {
    for (const room of this.rooms.values()) this.fillGap(room, Number.MAX_SAFE_INTEGER);
  }

  stop() {
    this.heartbeat.stop();
    this.stopExpiry();
  }

  private dropUserSocket(conn: Connection) {
    const entry = this.userSockets.get(conn.userId);
    if (!entry?.conns.delete(conn)) return;
    void this.trackPresence(
      this.o.presence.leave(userPresenceKey(conn.userId), conn.userId).then(() => {}),
      "user connection",
    );
    if (entry.conns.size > 0) return;
    this.userSockets.delete(conn.userId);
    void entry.off.then((off) => off()).catch(() => {});
  }

  /** Presence is announced best effort: a failure (bus down) is logged, never fails a socket. */
  private trackPresence(op: Promise<void>, channelUrl: string): Promise<void> {
    const tracked = op.catch((err) =>
      this.o.logger.warn({ err, channel_url: channelUrl }, "presence announcement failed"),
    );
    this.presenceOps.add(tracked);
    void tracked.finally(() => this.presenceOps.delete(tracked));
    return tracked;
  }

  private track(delta: number) {
    this.connectionCount += delta;
    this.o.metrics.connections.set(this.connectionCount);
    if (delta > 0) this.o.metrics.connectionsTotal.inc();
  }

  private async acquire(channelUrl: string): Promise<ChannelRoom> {
    let room = this.rooms.get(channelUrl);
    if (!room) {
      const created = new ChannelRoom(
        channelUrl,
        (r, upTo) => this.fillGap(r, upTo),
        this.o.gapWaitMs ?? 150,
        (n) => this.o.metrics.deliveries.inc(n),
      );
      room = created;
      this.rooms.set(channelUrl, created);
      created.ready = (async () => {
        const unsubscribe = await this.o.bus.subscribeChannel(channelUrl, (e) => this.onEvent(created, e));
        this.subscriptions.set(channelUrl, unsubscribe);
        created.markReady(await this.o.log.lastSeq(channelUrl));
      })();
    }
    room.refs++;
    try {
      await room.ready;
    } catch (e) {
      this.release(room);
      throw e;
    }
    return room;
  }

  private release(room: ChannelRoom) {
    room.refs--;
    if (room.refs > 0 || this.rooms.get(room.channelUrl) !== room) return;
    this.rooms.delete(room.channelUrl);
    room.dispose();
    const unsubscribe = this.subscriptions.get(room.channelUrl);
    this.subscriptions.delete(room.channelUrl);
    if (unsubscribe) void unsubscribe().catch(() => {});
  }

  private onEvent(room: ChannelRoom, e: ChannelEvent) {
    const channelUrl = room.channelUrl;
    switch (e.kind) {
      case "message":
        room.deliver(toDeliverable(e.entry));
        return;
      case "presence": {
        const frame: UserJoinedFrame | UserLeftFrame = {
          type: e.change === "joined" ? "USER_JOINED" : "USER_LEFT",
          channel_url: channelUrl,
          user_id: wireUserId(e.user_id),
          timestamp: e.timestamp,
        };
        room.broadcast(JSON.stringify(frame));
        return;
      }
      case "typing": {
        const frame: TypingFrame = {
          type: "TYPING",
          channel_url: channelUrl,
          user_id: wireUserId(e.user_id),
          typing: e.typing,
        };
        if (e.expires_in_ms !== undefined) frame.expires_in_ms = e.expires_in_ms;
        room.broadcast(JSON.stringify(frame), (s) => s.conn.userId === e.user_id);
        return;
      }
      case "read": {
        const frame: ReadReceiptFrame = {
          type: "READ_RECEIPT",
          channel_url: channelUrl,
          user_id: wireUserId(e.user_id),
          seq: e.seq,
          timestamp: e.timestamp,
        };
        room.broadcast(JSON.stringify(frame));
        return;
      }
      case "moderation": {
        const frame: ModerationFrame = {
          type: "MODERATION",
          channel_url: channelUrl,
          action: e.action,
          timestamp: e.timestamp,
        };
        if (e.user_id !== undefined) frame.user_id = wireUserId(e.user_id);
        if (e.until !== undefined) frame.until = e.until;
        room.broadcast(JSON.stringify(frame));
        const inbox: InboxModerationFrame = { ...frame, type: "INBOX_MODERATION" };
        room.tellWatchers(JSON.stringify(inbox));
        return;
      }
      case "pin": {
        // Subscribed sockets of both endpoints; SDKs that do not know the type drop it (protocol.md).
        const frame: MessagePinnedFrame | MessageUnpinnedFrame = {
          type: e.pinned ? "MESSAGE_PINNED" : "MESSAGE_UNPINNED",
          channel_url: channelUrl,
          seq: e.seq,
          message_id: e.message_id,
          user_id: e.user_id === null ? null : wireUserId(e.user_id),
          timestamp: e.timestamp,
        };
        room.broadcast(JSON.stringify(frame));
        return;
      }
      case "updated": {
        const frame: InboxUpdatedFrame = { type: "INBOX_UPDATED", channel: e.channel };
        const json = JSON.stringify(frame);
        // Subscribed user connections are told too; the per-channel endpoint has no such frame.
        for (const c of room.watchers) c.sendRaw(json);
        return;
      }
      case "kick": {
        for (const s of [...room.subs]) {
          if (e.user_ids !== "all" && !e.user_ids.includes(s.conn.userId)) continue;
          if (s.conn.inbox) {
            // The user connection stays: this subscription ends, saying why.
            this.unsubscribe(s);
            const frame: UnsubscribedFrame = {
              type: "UNSUBSCRIBED",
              channel_url: channelUrl,
              code: e.error_code,
              message: e.reason,
            };
            s.conn.sendRaw(JSON.stringify(frame));
          } else closeWithError(s.conn, e.close_code, e.error_code, e.reason);
        }
        return;
      }
    }
  }

  private onUserEvent(conns: Set<Connection>, e: UserEvent) {
    switch (e.kind) {
      case "added": {
        const frame: InboxAddedFrame = {
          type: "INBOX_ADDED",
          channel: e.channel,
          total_unread: e.total_unread,
        };
        const json = JSON.stringify(frame);
        for (const c of conns) {
          void this.watch(c, [e.channel.channel_url]);
          c.sendRaw(json);
        }
        return;
      }
      case "removed": {
        const frame: InboxRemovedFrame = {
          type: "INBOX_REMOVED",
          channel_url: e.channel_url,
          reason: e.reason,
          total_unread: e.total_unread,
        };
        const json = JSON.stringify(frame);
        for (const c of conns) {
          this.unwatch(c, e.channel_url);
          c.sendRaw(json);
        }
        return;
      }
      case "read": {
        const frame: InboxReadFrame = {
          type: "INBOX_READ",
          channel_url: e.channel_url,
          last_read_seq: e.last_read_seq,
          unread_count: e.unread_count,
          total_unread: e.total_unread,
        };
        const json = JSON.stringify(frame);
        for (const c of conns) c.sendRaw(json);
        return;
      }
    }
  }

  private fillGap(room: ChannelRoom, upToSeq: number) {
    const from = room.lastSeq;
    const limit = Math.max(1, Math.min(1000, upToSeq - from));
    this.o.log
      .after(room.channelUrl, from, limit)
      .then((entries) => {
        for (const entry of entries) room.deliver(toDeliverable(entry));
      })
      .catch((err) => this.o.logger.warn({ err, channel_url: room.channelUrl }, "gap fill failed"));
  }

  private async publishPresence(channelUrl: string, change: "joined" | "left", userId: string) {
    await this.o.bus.publishChannel(channelUrl, {
      kind: "presence",
      change,
      user_id: userId,
      timestamp: new Date().toISOString(),
      node_id: this.o.bus.nodeId,
    });
  }
}

/** Sends an ERROR frame that names the close code, then closes the socket with it. */
export function closeWithError(c: Connection, closeCode: number, code: string, message: string) {
  const frame: ErrorFrame = { type: "ERROR", code, message, close_code: closeCode };
  c.sendRaw(JSON.stringify(frame));
  c.ws.close(closeCode, closeReason(message));
}

export const DRAIN = {
  closeCode: CloseCode.GOING_AWAY,
  errorCode: ErrorCode.DRAINING,
  reason: "server is restarting",
} as const;
