import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { freePort, type ServerProcess, startServerProcess } from "./server-process.ts";
import type { Room, RunningTarget, Target } from "./target.ts";

const benchDir = fileURLToPath(new URL("../..", import.meta.url));

async function startBaseline(label: string, file: string, core: number | null, env: Record<string, string>) {
  const port = await freePort();
  return startServerProcess({
    label,
    args: ["--import", "tsx", file],
    cwd: benchDir,
    env: { ...env, PORT: String(port) },
    port,
    readyPath: "/healthz",
    core,
  });
}

function running(
  label: string,
  dialect: RunningTarget["dialect"],
  servers: ServerProcess[],
  url: (port: number, room: Room, user: string) => string,
): RunningTarget {
  return {
    label,
    dialect,
    pids: servers.map((s) => s.pid),
    ports: servers.map((s) => s.port),
    url: (room, index) =>
      url(servers[(index + room.ordinal) % servers.length]!.port, room, room.userIds[index]!),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

const wsUrl = (port: number, room: Room, user: string) =>
  `ws://127.0.0.1:${port}/${encodeURIComponent(room.name)}?user_id=${encodeURIComponent(user)}`;

/** Bare `ws` broadcast server; with `redisUrl`, `instances` of it share rooms over Redis Pub/Sub. */
export function wsTarget(core: number | null, instances = 1, redisUrl?: string): Target {
  const label = instances > 1 ? `ws×${instances}` : "ws";
  return {
    label,
    async start() {
      const env: Record<string, string> = redisUrl
        ? { REDIS_URL: redisUrl, BUS_PREFIX: `wsbench_${randomBytes(4).toString("hex")}` }
        : {};
      const servers: ServerProcess[] = [];
      try {
        for (let i = 0; i < instances; i++)
          servers.push(await startBaseline(`${label}#${i + 1}`, "src/servers/ws-server.ts", core, env));
      } catch (e) {
        await Promise.all(servers.map((s) => s.stop(2000)));
        throw e;
      }
      return running(label, "ws", servers, wsUrl);
    },
  };
}

/** Socket.IO 4 server, websocket transport, spoken to in raw Engine.IO v4 frames by the load. */
export function socketIoTarget(core: number | null): Target {
  return {
    label: "socket.io",
    async start() {
      const server = await startBaseline("socket.io", "src/servers/sio-server.ts", core, {});
      return running(
        "socket.io",
        "sio",
        [server],
        (port, room, user) =>
          `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&room=${encodeURIComponent(room.name)}&user_id=${encodeURIComponent(user)}`,
      );
    },
  };
}
