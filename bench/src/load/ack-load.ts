import WebSocket from "ws";
import { percentile } from "../stats.ts";
import { tokenFor } from "../targets/podchat.ts";
import type { Room } from "../targets/target.ts";

export interface AckLoadResult {
  sends: number;
  perSec: number;
  p50: number;
  p99: number;
}

/**
 * One per-channel socket per room (its first user), `perRoom` MESG sends each with at most
 * `window` unacknowledged: ACK latency from send to ACK, and sends per second over all rooms.
 * An ERROR frame fails the load (a bench that measures refusals measures nothing).
 */
export async function runAckLoad(o: {
  port: number;
  rooms: Room[];
  perRoom: number;
  window: number;
  message: (reqId: string) => string;
}): Promise<AckLoadResult> {
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    o.rooms.map(async (room) => {
      const user = room.userIds[0]!;
      const ws = new WebSocket(
        `ws://127.0.0.1:${o.port}/api/v1/chat/ws/${room.name}?token=${await tokenFor(user)}`,
      );
      await new Promise<void>((resolve, reject) => {
        ws.once("message", () => resolve());
        ws.once("error", reject);
      });
      const sentAt = new Map<string, number>();
      let next = 0;
      let acked = 0;
      await new Promise<void>((resolve, reject) => {
        const send = () => {
          const req = `r${next++}`;
          sentAt.set(req, performance.now());
          ws.send(JSON.stringify({ type: "MESG", message: o.message(req), req_id: req }));
        };
        ws.on("message", (d) => {
          const f = JSON.parse(d.toString()) as { type: string; req_id?: string; code?: string };
          if (f.type === "ERROR") return reject(new Error(`${room.name}: ${f.code}`));
          if (f.type !== "ACK" || !f.req_id) return;
          latencies.push(performance.now() - sentAt.get(f.req_id)!);
          acked++;
          if (acked === o.perRoom) resolve();
          else if (next < o.perRoom) send();
        });
        for (let k = 0; k < Math.min(o.window, o.perRoom); k++) send();
      });
      ws.close();
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    sends: latencies.length,
    perSec: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}
