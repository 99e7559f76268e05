import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import postgres from "postgres";
import { expect, it } from "vitest";
import { freePort } from "../services.ts";
import {
  type Ack,
  createChannel,
  describeScaleOut,
  eventually,
  findServices,
  oneTo,
  sendMany,
} from "./cluster.ts";

const serverDir = join(import.meta.dirname, "..", "..");
const services = await findServices("scale-out fault: instance killed (PostgreSQL + Redis)");

interface Child {
  proc: ChildProcess;
  port: number;
  url: string;
  wsUrl: string;
  output(): string;
}

const children = new Set<ChildProcess>();
const killChildren = () => {
  for (const p of children) p.kill("SIGKILL");
};
process.once("exit", killChildren);

/** `node --import tsx src/main.ts` as a deployment would run it, ready once /readyz says so. */
async function startChild(env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { ...process.env, APP_ENV: "dev", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (proc.exitCode !== null) throw new Error(`instance exited ${proc.exitCode}: ${out}`);
      return (await fetch(`${url}/readyz`).catch(() => null))?.status === 200;
    },
    `instance on ${port} to be ready (${out})`,
    30_000,
    100,
  );
  return { proc, port, url, wsUrl: `ws://127.0.0.1:${port}`, output: () => out };
}

await describeScaleOut(
  services,
  "scale-out fault: an instance is killed with SIGKILL mid-traffic",
  (cluster) => {
    it("its clients reconnect to another instance with since_seq and lose nothing acknowledged; its users expire", async () => {
      cluster.afterTest(killChildren);
      const { pgUrl, redisUrl } = cluster.services;
      const env = {
        DATABASE_URL: pgUrl,
        DATABASE_SCHEMA: cluster.schema,
        REDIS_URL: redisUrl,
      };
      const [a, b] = await Promise.all([startChild(env), startChild(env)]);
      const channel = "scale_kill";
      await createChannel(a.url, channel, ["1", "2", "3", "4", "9"]);
      // 3 and 4 on B (they watch); 1 and 2 on A, failing over to B; 9 only on A, never back.
      const watcher = await cluster.client([b.wsUrl, a.wsUrl], channel, "3");
      const four = await cluster.client([b.wsUrl, a.wsUrl], channel, "4");
      const one = await cluster.client([a.wsUrl, b.wsUrl], channel, "1");
      const two = await cluster.client([a.wsUrl, b.wsUrl], channel, "2");
      await cluster.client(a.wsUrl, channel, "9", { autoReconnect: false });
      const senders = [one, two, watcher, four];
      await eventually(
        () => ["4", "1", "2", "9"].every((u) => watcher.presenceOf("USER_JOINED", u) === 1),
        "the watcher to see everyone join",
      );

      // Paced under the default 20 messages/s per socket (the children run the stock limits).
      const perClient = 60;
      const total = perClient * senders.length;
      const acks = senders.map(() => new Map<string, Ack>());
      const acked = () => acks.reduce((n, m) => n + m.size, 0);
      const sending = Promise.all(
        senders.map((c, i) =>
          sendMany(c, perClient, `u${c.userId}`, { window: 2, gapMs: 60, acks: acks[i]! }),
        ),
      );
      await eventually(() => acked() >= 60, "traffic before the kill", 20_000);
      const ackedAtKill = acked();
      const exited = new Promise((r) => a.proc.once("exit", r));
      a.proc.kill("SIGKILL");
      const killedAt = performance.now();
      await exited;

      await sending;
      const sentAt = performance.now();
      await Promise.all(senders.map((c) => c.waitSeqs(total)));
      expect(acks.flatMap((m) => [...m.values()].map((x) => x.seq)).sort((x, y) => x - y)).toEqual(
        oneTo(total),
      );
      for (const c of senders) {
        // Once each, in order, across the killed socket and the resumed one.
        expect(c.seqs, `member ${c.userId}`).toEqual(oneTo(total));
      }
      expect(one.sockets).toEqual([0, 1]);
      expect(two.sockets).toEqual([0, 1]);
      expect(watcher.sockets).toEqual([0]);
      for (const [i, m] of acks.entries()) {
        for (const [reqId, ack] of m) expect(watcher.textBySeq.get(ack.seq), `sender ${i}`).toBe(reqId);
      }
      // Resent requests were stored once.
      const sql = postgres(pgUrl, { max: 1, onnotice: () => {} });
      try {
        const [row] = await sql.unsafe<{ n: string; distinct_req: string; max_seq: string }[]>(
          `SELECT count(*) AS n, count(DISTINCT req_id) AS distinct_req, max(seq) AS max_seq
           FROM "${cluster.schema}".messages WHERE channel_url = $1`,
          [channel],
        );
        expect(row).toEqual({ n: String(total), distinct_req: String(total), max_seq: String(total) });
      } finally {
        await sql.end({ timeout: 5 });
      }

      // 9 was only on the dead instance: once its liveness expires, one USER_LEFT reaches B's
      // members. 1 and 2 came back through B: neither left nor joined again.
      await eventually(() => watcher.presenceOf("USER_LEFT", "9") === 1, "USER_LEFT for 9", 25_000, 50);
      const expiredAt = performance.now();
      expect(watcher.presenceOf("USER_LEFT", "9")).toBe(1);
      for (const u of ["1", "2"]) {
        expect(watcher.presenceOf("USER_LEFT", u), `USER_LEFT ${u}`).toBe(0);
        expect(watcher.presenceOf("USER_JOINED", u), `USER_JOINED ${u}`).toBe(1);
      }
      expect(b.output()).not.toMatch(/"level":(50|60)/);
      console.log(
        `[scale-out] SIGKILL after ${ackedAtKill} acks (${one.resentAfterClose + two.resentAfterClose} ` +
          `sends in flight resent through B): ${total} messages exact on 4 members, ` +
          `traffic done ${(sentAt - killedAt).toFixed(0)} ms after the kill; the dead instance's ` +
          `user left after ${(expiredAt - killedAt).toFixed(0)} ms`,
      );
    }, 60_000);
  },
);
