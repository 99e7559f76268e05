import type { AuditLogPage, EnvFlag, Overview } from "@podchat/protocol";
import { expect, it } from "vitest";
import type { TestServer } from "../harness.ts";
import { adminToken, createChannel, describeScaleOut, eventually, findServices } from "./cluster.ts";

const services = await findServices("scale-out flags and admin (PostgreSQL + Redis)");

const get = async <T>(t: TestServer, path: string, tok: string): Promise<T> => {
  const res = await fetch(`${t.url}${path}`, { headers: { Authorization: `Bearer ${tok}` } });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};
const devFlag = async (t: TestServer, tok: string) =>
  (await get<{ environments: EnvFlag[] }>(t, "/api/v1/admin/flags", tok)).environments.find(
    (e) => e.env === "dev",
  )!;

await describeScaleOut(services, "scale-out: flags and admin live data across instances", (cluster) => {
  it("a flag toggled on instance A applies on instance B within a second", async () => {
    const a = await cluster.instance();
    const b = await cluster.instance();
    const tok = await adminToken(a.url);
    expect((await devFlag(b, tok)).use_websocket).toBe(true);
    expect(b.server.flags.effective().use_websocket).toBe(true);

    for (const value of [false, true]) {
      const started = performance.now();
      const res = await fetch(`${a.url}/api/v1/admin/flags/dev`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${tok}`, "Content-Type": "application/json" },
        body: JSON.stringify({ use_websocket: value, rollout_percent: value ? 100 : 40 }),
      });
      expect(res.status).toBe(200);
      await eventually(
        () => b.server.flags.effective().use_websocket === value,
        `B to see use_websocket=${value}`,
        1000,
        2,
      );
      const reached = performance.now() - started;
      expect(reached).toBeLessThan(1000);
      const onB = await devFlag(b, tok);
      expect(onB).toMatchObject({
        use_websocket: value,
        source: "runtime",
        rollout_percent: value ? 100 : 40,
      });
      // It is what B now routes new channels by.
      expect(await b.server.flags.providerForNewChannel("after_toggle", ["1"])).toBe(
        value ? "websocket" : "sendbird",
      );
      console.log(
        `[scale-out] flag use_websocket=${value} set on A applied on B after ${reached.toFixed(0)} ms`,
      );
    }
  }, 20_000);

  it("an audited change on B is in A's audit log, naming B as the instance", async () => {
    const a = await cluster.instance();
    const b = await cluster.instance();
    const tok = await adminToken(a.url);
    const res = await fetch(`${b.url}/api/v1/admin/flags/stg`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${tok}`, "Content-Type": "application/json" },
      body: JSON.stringify({ rollout_percent: 33 }),
    });
    expect(res.status).toBe(200);
    // The cluster's instances share one database (earlier tests' entries included): the newest.
    const page = await get<AuditLogPage>(a, "/api/v1/admin/audit?action=flag.set&limit=1", tok);
    expect(page.entries[0]).toMatchObject({
      actor: { kind: "admin", id: "admin" },
      node_id: b.server.bus.nodeId,
      after: { env: "stg", rollout_percent: 33 },
    });
    expect(b.server.bus.nodeId).not.toBe(a.server.bus.nodeId);
  });

  it("the overview on A lists every instance and the totals across them", async () => {
    const a = await cluster.instance();
    const b = await cluster.instance();
    const c = await cluster.instance();
    await createChannel(a.url, "scale_overview_1", ["1", "2", "3"]);
    await createChannel(a.url, "scale_overview_2", ["1", "2", "3"]);
    const open = (t: TestServer, ch: string, u: string) => cluster.client(t.wsUrl, ch, u);
    // A: 1 socket in 1 channel; B: 3 sockets in 2 channels; C: 2 sockets in 1 channel.
    await open(a, "scale_overview_1", "1");
    await open(b, "scale_overview_1", "2");
    await open(b, "scale_overview_2", "2");
    await open(b, "scale_overview_2", "3");
    await open(c, "scale_overview_2", "1");
    await open(c, "scale_overview_2", "2");
    const tok = await adminToken(a.url);
    const nodes = [a, b, c].map((i) => i.server.bus.nodeId);
    const expected = new Map([
      [nodes[0]!, { connections: 1, channels: 1 }],
      [nodes[1]!, { connections: 3, channels: 2 }],
      [nodes[2]!, { connections: 2, channels: 1 }],
    ]);
    const started = performance.now();
    const overview = await eventually(
      async () => {
        const o = await get<Overview>(a, "/api/v1/admin/overview", tok);
        const ok =
          o.instances.length === 3 &&
          o.instances.every((i) => {
            const e = expected.get(i.node_id);
            return e && e.connections === i.connections && e.channels === i.channels;
          });
        return ok && o;
      },
      "A's overview to show the three instances with their sockets",
      5000,
      50,
    );
    console.log(
      `[scale-out] A's overview showed all instances after ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(overview.instances[0]!.node_id).toBe(nodes[0]);
    expect(overview.instances.map((i) => i.node_id).sort()).toEqual([...nodes].sort());
    expect(overview.totals).toMatchObject({
      connections: 6,
      active_channels: 4,
      channels: { websocket: 2, sendbird: 0 },
    });

    // A stopped instance leaves the table.
    await cluster.stop(c);
    await eventually(
      async () => (await get<Overview>(a, "/api/v1/admin/overview", tok)).instances.length === 2,
      "the stopped instance to leave A's overview",
      8000,
      100,
    );
    const after = await get<Overview>(a, "/api/v1/admin/overview", tok);
    expect(after.totals.connections).toBe(4);
  }, 30_000);
});
