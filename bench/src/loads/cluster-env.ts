import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import postgres from "postgres";

export interface ClusterEnv {
  redisUrl: string;
  databaseUrl: string;
  /** Drops the throwaway database. */
  cleanup(): Promise<void>;
}

/**
 * Checks Redis and creates a throwaway PostgreSQL database `podchat_bench_<rand>` for the two
 * instances (apps/server has no schema option, so a fresh database keeps the bench off real data).
 */
export async function prepareClusterEnv(redisUrl: string, adminPgUrl: string): Promise<ClusterEnv> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`Redis at ${redisUrl} is not reachable: ${(e as Error).message}`);
  } finally {
    redis.disconnect();
  }
  const name = `podchat_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminPgUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (e) {
    await admin.end({ timeout: 1 });
    throw new Error(`PostgreSQL at ${adminPgUrl}: cannot create a database: ${(e as Error).message}`);
  }
  const url = new URL(adminPgUrl);
  url.pathname = `/${name}`;
  return {
    redisUrl,
    databaseUrl: url.toString(),
    async cleanup() {
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end({ timeout: 2 });
      }
    },
  };
}
