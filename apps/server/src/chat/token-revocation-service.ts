import type { TokenRevocations } from "../auth/token-revocations.ts";
import type { Bus, ControlEvent, Unsubscribe } from "../bus/bus.ts";
import type { Logger } from "../observability/logger.ts";
import type { MessageStore } from "../store/message-store.ts";

export interface TokenRevocationServiceOptions {
  store: MessageStore;
  bus: Bus;
  revocations: TokenRevocations;
  logger: Logger;
  /**
   * Called on every instance when a user's revocation time moves forward: close their sockets;
   * returns how many were closed.
   */
  onRevoked: (userId: string, revokedAtMs: number) => number;
  /** How often the store is re-read, in case a bus message was lost. Default 5 s. */
  pollMs?: number;
}

type RevokedEvent = Extract<ControlEvent, { kind: "tokens_revoked" }>;
const isRevoked = (e: ControlEvent): e is RevokedEvent =>
  e.kind === "tokens_revoked" && typeof e.user_id === "string" && typeof e.revoked_at === "string";

/**
 * Token revocation across the deployment: the time is stored (it survives restarts and is shared
 * by every instance), announced on the bus's control topic (every instance closes the user's
 * sockets at once), and re-read from the store at start, after a bus outage and every few seconds.
 */
export class TokenRevocationService {
  private unsubscribe: Unsubscribe | null = null;
  private offReconnect: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: TokenRevocationServiceOptions) {}

  async start(): Promise<void> {
    await this.reload(true);
    this.unsubscribe = await this.o.bus.subscribeControl((e) => {
      if (isRevoked(e)) this.apply(e.user_id, Date.parse(e.revoked_at));
    });
    this.offReconnect = this.o.bus.onReconnect?.(() => void this.reload()) ?? null;
    this.timer = setInterval(() => void this.reload(), this.o.pollMs ?? 5000);
    this.timer.unref();
  }

  /**
   * Revokes the user's tokens issued until now; resolves once stored and announced, with how many
   * of the user's sockets this instance closed.
   */
  async revoke(userId: string): Promise<{ revokedAt: string; closedHere: number }> {
    const revokedAt = await this.o.store.revokeTokens(userId, new Date().toISOString());
    const closedHere = this.apply(userId, Date.parse(revokedAt));
    try {
      await this.o.bus.publishControl({ kind: "tokens_revoked", user_id: userId, revoked_at: revokedAt });
    } catch (err) {
      // Stored: the other instances read it from the store within the poll interval.
      this.o.logger.warn({ err, user_id: userId }, "token revocation not announced on the bus");
    }
    return { revokedAt, closedHere };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.offReconnect?.();
    this.offReconnect = null;
    await this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private apply(userId: string, atMs: number): number {
    if (!Number.isFinite(atMs) || !this.o.revocations.apply(userId, atMs)) return 0;
    return this.o.onRevoked(userId, atMs);
  }

  /** Reads the revocations that still matter; at start a failure stops the start. */
  private async reload(first = false): Promise<void> {
    try {
      const since = new Date(this.o.revocations.horizon()).toISOString();
      for (const r of await this.o.store.listTokenRevocations(since))
        this.apply(r.user_id, Date.parse(r.revoked_at));
    } catch (err) {
      if (first) throw err;
      this.o.logger.warn({ err }, "token revocations could not be re-read; using those already known");
    }
  }
}
