import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { parse, stringify } from "yaml";
import { freePort, type ServerProcess, startServerProcess } from "./server-process.ts";
import type { Room, RunningTarget, Target } from "./target.ts";

export const serverDir = fileURLToPath(new URL("../../../apps/server", import.meta.url));
export const DEV_API_KEY = "dev-api-key";
const DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789";

/** Limits raised so the bench measures the hot path, not the rate limiter. */
export const BENCH_LIMITS = {
  messages_per_second: 100000,
  message_burst: 100000,
  max_connections_per_ip: 100000,
  max_connections_per_user: 100000,
};

/**
 * Writes `config.dev.yaml` = the shipped dev config + raised limits (config overrides only come
 * from yaml/env; CONFIG_DIR points the server at this folder). Everything else stays as users run it.
 */
export function writeBenchConfig(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const shipped = parse(readFileSync(join(serverDir, "config", "config.dev.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  const limits = { ...((shipped.limits as Record<string, unknown> | undefined) ?? {}), ...BENCH_LIMITS };
  // A short drain keeps teardown bounded; it does not touch the measured path.
  const shutdown = { ...((shipped.shutdown as Record<string, unknown> | undefined) ?? {}), grace_ms: 2000 };
  writeFileSync(join(dir, "config.dev.yaml"), stringify({ ...shipped, limits, shutdown }));
  return dir;
}

const key = new TextEncoder().encode(DEV_JWT_SECRET);
const tokens = new Map<string, string>();

/** HS256 member token (`sub` = user id), cached per user for the whole bench. */
export async function tokenFor(userId: string): Promise<string> {
  let t = tokens.get(userId);
  if (!t) {
    t = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime("12h")
      .sign(key);
    tokens.set(userId, t);
  }
  return t;
}

export interface PodchatEnv {
  configDir: string;
  sqlitePath?: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** Open the inspector, so the bench can profile the measured windows. */
  profile?: boolean;
}

export async function startPodchatInstance(
  label: string,
  o: PodchatEnv,
  core: number | null,
): Promise<ServerProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    APP_ENV: "dev",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "warn",
    CONFIG_DIR: o.configDir,
  };
  if (o.sqlitePath) env.SQLITE_PATH = o.sqlitePath;
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  if (o.redisUrl) env.REDIS_URL = o.redisUrl;
  return startServerProcess({
    label,
    args: ["--import", "tsx", "src/main.ts"],
    inspect: o.profile === true,
    cwd: serverDir,
    env,
    port,
    readyPath: "/readyz",
    core,
  });
}

export async function createChannels(port: number, rooms: Room[]) {
  for (const room of rooms) {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/chat/channels`, {
      method: "POST",
      headers: { "X-Api-Key": DEV_API_KEY, "Content-Type": "application/json" },
      body: JSON.stringify({ channel_url: room.name, name: room.name, user_ids: room.userIds }),
    });
    const text = await r.text();
    if (r.status !== 201)
      throw new Error(`create channel ${room.name}: HTTP ${r.status} ${text.slice(0, 300)}`);
  }
  await Promise.all(rooms.flatMap((r) => r.userIds.map(tokenFor)));
}

/** Reads a counter from /metrics (cross-check of the client-side delivery count). */
export async function readCounter(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, "m").exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

function podchatUrl(port: number, room: Room, index: number): string {
  const user = room.userIds[index]!;
  const token = tokens.get(user);
  if (!token) throw new Error(`no token for ${user}`);
  return `ws://127.0.0.1:${port}/api/v1/chat/ws/${encodeURIComponent(room.name)}?token=${token}`;
}

/** podchat as users run it: auth, validation and the SQLite store on, one instance. */
export function podchatTarget(o: PodchatEnv & { core: number | null; sqliteDir: string }): Target {
  let n = 0;
  return {
    label: "podchat",
    async start(rooms) {
      const server = await startPodchatInstance(
        "podchat",
        { ...o, sqlitePath: join(o.sqliteDir, `podchat-${process.pid}-${++n}.sqlite`) },
        o.core,
      );
      try {
        await createChannels(server.port, rooms);
      } catch (e) {
        await server.stop(3000);
        throw e;
      }
      return running("podchat", [server]);
    },
  };
}

/** Two podchat instances sharing PostgreSQL and Redis; sockets of every room split over both. */
export function podchatClusterTarget(o: PodchatEnv & { core: number | null }): Target {
  return {
    label: "podchat×2",
    async start(rooms) {
      const a = await startPodchatInstance("podchat#1", o, o.core);
      let b: ServerProcess | undefined;
      try {
        b = await startPodchatInstance("podchat#2", o, o.core);
        await createChannels(a.port, rooms);
      } catch (e) {
        await Promise.all([a.stop(3000), b?.stop(3000)]);
        throw e;
      }
      return running("podchat×2", [a, b]);
    },
  };
}

function running(label: string, servers: ServerProcess[]): RunningTarget {
  return {
    label,
    dialect: "podchat",
    pids: servers.map((s) => s.pid),
    url: (room, index) => podchatUrl(servers[(index + room.ordinal) % servers.length]!.port, room, index),
    ports: servers.map((s) => s.port),
    inspectorUrls: servers.flatMap((s) => (s.inspectorUrl ? [s.inspectorUrl] : [])),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
