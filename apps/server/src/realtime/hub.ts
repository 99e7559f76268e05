import {
  CloseCode,
  type ConnectedFrame,
  ErrorCode,
  type ErrorFrame,
  type ModerationFrame,
  type ReadReceiptFrame,
  type TypingFrame,
  type UserJoinedFrame,
  type UserLeftFrame,
  wireUserId,
} from "@podchat/protocol";
import type { Bus, ChannelEvent, Unsubscribe } from "../bus/bus.ts";
import { toSeqFrame } from "../chat/wire.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Presence } from "../presence/presence.ts";
import type { MessageStore, StoredMessage, StoredModeration } from "../store/message-store.ts";
import { closeReason } from "../http/json-guard.ts";
import { ChannelRoom } from "./channel-room.ts";
import { bump } from "./counts.ts";
import type { Connection, Deliverable } from "./connection.ts";
import { encodeTextFrame, writePing } from "./ws-frame.ts";

export interface HubOptions {
  store: MessageStore;
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

const REPLAY_PAGE = 500;
/** The heartbeat pings one slice of the sockets every `heartbeatMs / HEARTBEAT_SLICES`. */
const HEARTBEAT_SLICES = 10;

export function serializeMessage(m: StoredMessage): Deliverable {
  return { seq: m.seq, frame: encodeTextFrame(JSON.stringify(toSeqFrame(m))) };
}

/**
 * Moderation state as the store keeps it, or as a provider reports it (`ModerationState`, whose
 * user ids are on the wire as numbers when numeric): both are checked by the functions below.
 */
export interface ModerationView {
  frozen: boolean;
  operators: ReadonlyArray<string | number>;
  banned: ReadonlyArray<{ user_id: string | number; until: string | null }>;
  muted: ReadonlyArray<{ user_id: string | number; until: string | null }>;
}

/** What a refused sender is told, per refusal. */
export const refusalText = {
  BANNED: "you are banned from this channel",
  MUTED: "you are muted in this channel",
  FROZEN: "the channel is frozen: only operators can send",
} as const;

/** Why a user may not send right now, or null. Timed bans/mutes lapse by themselves. */
export function sendRefusal(
  m: ModerationView,
  userId: string,
  now = new Date().toISOString(),
): "BANNED" | "MUTED" | "FROZEN" | null {
  if (inForce(m.banned, userId, now)) return "BANNED";
  if (inForce(m.muted, userId, now)) return "MUTED";
  if (m.frozen && !m.operators.some((o) => String(o) === userId)) return "FROZEN";
  return null;
}

export function isBanned(m: ModerationView, userId: string, now = new Date().toISOString()): boolean {
  return inForce(m.banned, userId, now);
}

/** Whether `userId` has a ban/mute in `list` that has not lapsed by `now`. */
function inForce(list: ModerationView["banned"], userId: string, now: string): boolean {
  return list.some((r) => String(r.user_id) === userId && (r.until === null || r.until > now));
}

/**
 * All chat sockets of this instance, grouped in rooms per channel. Rooms subscribe to the bus for
 * their channel while they have sockets; every message reaches sockets through the room, so the
 * local and the cross-instance path are one.
 */
export class Hub {
  private readonly rooms = new Map<string, ChannelRoom>();
  private readonly subscriptions = new Map<string, Unsubscribe>();
  private heartbeat: NodeJS.Timeout | null = null;
  /** The heartbeat slice the next tick handles, and the one the next admitted socket joins. */
  private heartbeatSlice = 0;
  private nextSlice = 0;
  /** Sockets counted in `presence` (a socket closed before its join finished is not). */
  private readonly present = new WeakSet<Connection>();
  private readonly presenceOps = new Set<Promise<unknown>>();
  private readonly stopExpiry: () => void;
  connectionCount = 0;

  constructor(private readonly o: HubOptions) {
    // Users whose last socket was on an instance that died: one survivor announces them.
    this.stopExpiry = o.presence.onExpired((channelUrl, userId) =>
      this.trackPresence(this.publishPresence(channelUrl, "left", userId), channelUrl),
    );
  }

  start() {
    this.heartbeat = setInterval(() => this.tick(), this.o.heartbeatMs / HEARTBEAT_SLICES);
    this.heartbeat.unref();
  }

  /** Open sockets of a user on this instance, over all its channels. */
  userConnections(userId: string): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.users.get(userId) ?? 0;
    return n;
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

  /**
   * Adds an authorised socket to its channel: sends CONNECTED, replays what it missed after
   * `sinceSeq` from the store, then lets live messages through — each seq exactly once, in order.
   */
  async admit(conn: Connection, sinceSeq: number | undefined, heartbeatMs: number): Promise<void> {
    const room = await this.acquire(conn.channelUrl);
    if (conn.closed) {
      this.release(room);
      return;
    }
    this.track(+1);
    conn.room = room;
    const target = room.lastSeq;
    let since = sinceSeq === undefined ? target : Math.min(sinceSeq, target);
    let gap: ConnectedFrame["gap"];
    if (target - since > this.o.resumeMaxMessages) {
      gap = { from_seq: since + 1, to_seq: target - this.o.resumeMaxMessages };
      since = target - this.o.resumeMaxMessages;
    }
    conn.sentSeq = since;
    conn.backlog = [];
    room.conns.add(conn);
    bump(room.users, conn.userId, +1);

    const connected: ConnectedFrame = {
      type: "CONNECTED",
      channel_url: conn.channelUrl,
      user_id: conn.wireUserId,
      connection_id: conn.id,
      last_seq: target,
      heartbeat_ms: heartbeatMs,
      server_time: new Date().toISOString(),
    };
    if (sinceSeq !== undefined) connected.since_seq = sinceSeq;
    if (gap) connected.gap = gap;
    conn.sendRaw(JSON.stringify(connected));

    try {
      while (!conn.closed && conn.sentSeq < target) {
        const page = await this.o.store.listMessages(conn.channelUrl, {
          afterSeq: conn.sentSeq,
          limit: Math.min(REPLAY_PAGE, target - conn.sentSeq),
        });
        if (page.length === 0) break;
        for (const m of page) {
          if (m.seq <= conn.sentSeq) continue;
          conn.sentSeq = m.seq;
          conn.sendEncoded(serializeMessage(m).frame);
        }
      }
    } finally {
      const held = conn.backlog ?? [];
      conn.backlog = null;
      held.sort((a, b) => a.seq - b.seq);
      for (const d of held) conn.deliver(d);
    }
    if (!conn.closed) {
      conn.heartbeatSlice = this.nextSlice;
      this.nextSlice = (this.nextSlice + 1) % HEARTBEAT_SLICES;
      this.present.add(conn);
      const announced = this.o.presence.join(conn.channelUrl, conn.userId).then(async (first) => {
        if (first) await this.publishPresence(conn.channelUrl, "joined", conn.userId);
      });
      await this.trackPresence(announced, conn.channelUrl);
    }
  }

  /**
   * Moderation state of a channel. Cached in the room while this instance has sockets there (the
   * room hears every change on the bus and drops the cache), so a send costs no store round trip;
   * without a room it is read from the store.
   */
  async moderation(channelUrl: string): Promise<StoredModeration> {
    const room = this.rooms.get(channelUrl);
    if (!room) return this.o.store.getModeration(channelUrl);
    if (room.moderation) return room.moderation;
    // Concurrent sends after an invalidation share one read.
    if (room.moderationLoad) return room.moderationLoad;
    const version = room.moderationVersion;
    const load = this.o.store.getModeration(channelUrl).then((m) => {
      if (room.moderationVersion === version) room.moderation = m;
      return m;
    });
    room.moderationLoad = load;
    const clear = () => {
      if (room.moderationLoad === load) room.moderationLoad = null;
    };
    load.then(clear, clear);
    return load;
  }

  /** Removes a closed socket; the last socket of a user in a channel announces USER_LEFT. */
  leave(conn: Connection) {
    if (conn.closed) return;
    conn.closed = true;
    const room = conn.room;
    if (!room) return;
    this.track(-1);
    room.conns.delete(conn);
    bump(room.users, conn.userId, -1);
    if (this.present.has(conn)) {
      this.present.delete(conn);
      // Presence calls of one instance are answered in call order, so this leave follows its join.
      const announced = this.o.presence.leave(conn.channelUrl, conn.userId).then(async (last) => {
        if (last) await this.publishPresence(conn.channelUrl, "left", conn.userId);
      });
      void this.trackPresence(announced, conn.channelUrl);
    }
    this.release(room);
  }

  /** Closes every socket (drain): an ERROR frame, then the close code. */
  closeAll(closeCode: number, errorCode: string, reason: string) {
    for (const room of this.rooms.values()) {
      for (const c of [...room.conns]) closeWithError(c, closeCode, errorCode, reason);
    }
  }

  /** Re-reads every room's channel from the store (after a bus outage) so nothing stays missing. */
  resyncAll() {
    for (const room of this.rooms.values()) this.fillGap(room, Number.MAX_SAFE_INTEGER);
  }

  stop() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.stopExpiry();
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
        const channel = await this.o.store.getChannel(channelUrl);
        created.markReady(channel?.last_seq ?? 0);
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
    switch (e.kind) {
      case "message":
        room.deliver(serializeMessage(e.message));
        return;
      case "presence": {
        const frame: UserJoinedFrame | UserLeftFrame =
          e.change === "joined"
            ? {
                type: "USER_JOINED",
                channel_url: room.channelUrl,
                user_id: wireUserId(e.user_id),
                timestamp: e.timestamp,
              }
            : {
                type: "USER_LEFT",
                channel_url: room.channelUrl,
                user_id: wireUserId(e.user_id),
                timestamp: e.timestamp,
              };
        room.broadcast(JSON.stringify(frame));
        return;
      }
      case "typing": {
        const frame: TypingFrame = {
          type: "TYPING",
          channel_url: room.channelUrl,
          user_id: wireUserId(e.user_id),
          typing: e.typing,
        };
        if (e.expires_in_ms !== undefined) frame.expires_in_ms = e.expires_in_ms;
        room.broadcast(JSON.stringify(frame), (c) => c.userId === e.user_id);
        return;
      }
      case "read": {
        const frame: ReadReceiptFrame = {
          type: "READ_RECEIPT",
          channel_url: room.channelUrl,
          user_id: wireUserId(e.user_id),
          seq: e.seq,
          timestamp: e.timestamp,
        };
        room.broadcast(JSON.stringify(frame));
        return;
      }
      case "moderation": {
        room.moderation = null;
        room.moderationLoad = null;
        room.moderationVersion++;
        const frame: ModerationFrame = {
          type: "MODERATION",
          channel_url: room.channelUrl,
          action: e.action,
          timestamp: e.timestamp,
        };
        if (e.user_id !== undefined) frame.user_id = wireUserId(e.user_id);
        if (e.until !== undefined) frame.until = e.until;
        room.broadcast(JSON.stringify(frame));
        return;
      }
      case "kick": {
        for (const c of [...room.conns]) {
          if (e.user_ids === "all" || e.user_ids.includes(c.userId))
            closeWithError(c, e.close_code, e.error_code, e.reason);
        }
        return;
      }
    }
  }

  private fillGap(room: ChannelRoom, upToSeq: number) {
    const from = room.lastSeq;
    const limit = Math.max(1, Math.min(1000, upToSeq - from));
    this.o.store
      .listMessages(room.channelUrl, { afterSeq: from, limit })
      .then((msgs) => {
        for (const m of msgs) room.deliver(serializeMessage(m));
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

  /**
   * One slice of the heartbeat: the sockets of this slice are pinged (and the silent ones since
   * their last ping closed), so each socket is checked once per `heartbeatMs` while the pings are
   * spread over it — pinging 10,000 sockets at once held the event loop ~100 ms (the bench's p99).
   */
  private tick() {
    const slice = this.heartbeatSlice;
    this.heartbeatSlice = (slice + 1) % HEARTBEAT_SLICES;
    for (const room of this.rooms.values()) {
      for (const c of room.conns) {
        if (c.heartbeatSlice !== slice) continue;
        if (!c.alive) {
          c.ws.terminate();
          continue;
        }
        c.alive = false;
        try {
          writePing(c.ws);
        } catch {
          c.ws.terminate();
        }
      }
    }
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
