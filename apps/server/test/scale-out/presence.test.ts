import { expect, it } from "vitest";
import type { TestServer } from "../harness.ts";
import { type ChatClient, createChannel, describeScaleOut, eventually, findServices } from "./cluster.ts";

const services = await findServices("scale-out presence (PostgreSQL + Redis)");

await describeScaleOut(services, "scale-out: presence across instances", (cluster) => {
  it("announces a user once however many instances it is on, and lists everyone online everywhere", async () => {
    const a = await cluster.instance();
    const b = await cluster.instance();
    const channel = "scale_presence";
    const fenceUsers = ["101", "102", "103"];
    await createChannel(a.url, channel, ["1", "2", "3", "4", ...fenceUsers]);
    const open = (t: TestServer, user: string) => cluster.client(t.wsUrl, channel, user);
    const joined = (c: ChatClient, u: string) => c.presenceOf("USER_JOINED", u);
    const left = (c: ChatClient, u: string) => c.presenceOf("USER_LEFT", u);
    /**
     * Everything `t` announced before now has reached both watchers: a fresh user joins through
     * `t` and both see it (one instance's announcements arrive in the order it published them).
     */
    const fence = async (t: TestServer, watchers: ChatClient[]) => {
      await t.server.hub.presenceSettled();
      const user = fenceUsers.shift()!;
      await open(t, user);
      await eventually(
        () => watchers.every((w) => joined(w, user) === 1),
        `the fence join of ${user} through ${t.port}`,
      );
    };

    // A join on A is seen on B, and one on B is seen on A.
    const onA = await open(a, "1");
    const onB = await open(b, "2");
    await eventually(() => joined(onA, "2") === 1, "A to see 2 joining on B");
    await open(a, "3");
    await eventually(() => joined(onB, "3") === 1, "B to see 3 joining on A");
    const watchers = [onA, onB];

    // User 4 on both instances: one USER_JOINED.
    const fourA = await open(a, "4");
    await eventually(() => watchers.every((w) => joined(w, "4") === 1), "4's join");
    const fourB = await open(b, "4");
    await fence(b, watchers);
    expect(watchers.map((w) => joined(w, "4"))).toEqual([1, 1]);

    // Both instances list the users of both; the per-instance view stays local.
    expect((await a.server.hub.online(channel)).sort()).toEqual(["1", "101", "2", "3", "4"]);
    expect((await b.server.hub.online(channel)).sort()).toEqual(["1", "101", "2", "3", "4"]);
    expect(a.server.hub.onlineUsers(channel).sort()).toEqual(["1", "3", "4"]);

    // 4 closes its socket on A: still on B, so no USER_LEFT, and still online.
    fourA.close();
    await eventually(() => a.server.hub.userConnections("4") === 0, "A to drop 4's socket");
    await fence(a, watchers);
    expect(watchers.map((w) => left(w, "4"))).toEqual([0, 0]);
    expect((await b.server.hub.online(channel)).sort()).toEqual(["1", "101", "102", "2", "3", "4"]);

    // Its last socket closes on B: one USER_LEFT, seen on both instances.
    fourB.close();
    await eventually(() => watchers.every((w) => left(w, "4") === 1), "4's leave after its last socket");
    await fence(b, watchers);
    expect(watchers.map((w) => left(w, "4"))).toEqual([1, 1]);
    expect(watchers.map((w) => joined(w, "4"))).toEqual([1, 1]);
    expect((await a.server.hub.online(channel)).sort()).toEqual(["1", "101", "102", "103", "2", "3"]);
  }, 30_000);
});
