import { expect, it } from "vitest";
import { type TestServer, TestSocket, connect, token } from "../harness.ts";
import { createChannel, describeScaleOut, findServices } from "../scale-out/cluster.ts";

const services = await findServices("token revocation across instances (PostgreSQL + Redis)");

await describeScaleOut(services, "token revocation across instances", (cluster) => {
  it("a revocation on one instance closes the user's sockets on the other (4401) and is refused there and on a later instance", async () => {
    const [i1, i2] = (await Promise.all([cluster.instance(), cluster.instance()])) as [
      TestServer,
      TestServer,
    ];
    await createChannel(i1.url, "x_revoke", ["1", "2"]);
    const old = await token("1");
    const onI2 = cluster.closeAfterTest(await connect(i2, "x_revoke", "1"));
    const inboxOnI2 = cluster.closeAfterTest(TestSocket.open(`${i2.wsUrl}/api/v1/chat/ws?token=${old}`));
    await inboxOnI2.type("READY");
    const otherOnI2 = cluster.closeAfterTest(await connect(i2, "x_revoke", "2"));

    const res = await i1.api("/api/v1/chat/users/1/revoke-tokens", { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user_id: 1, closed_here: 0 });
    // Through the bus: i2 closes its sockets of user 1 without being asked over HTTP.
    for (const s of [onI2, inboxOnI2]) {
      expect(await s.closed()).toBe(4401);
      expect(s.frames.find((f) => f.type === "ERROR")).toMatchObject({ code: "UNAUTHORIZED" });
    }
    expect(otherOnI2.closeCode).toBeNull();
    expect((await i2.api("/api/v1/chat/users/1/channels", { token: old })).status).toBe(401);
    // An instance started afterwards reads the revocation from the shared store.
    const i3 = await cluster.instance();
    expect((await i3.api("/api/v1/chat/users/1/channels", { token: old })).status).toBe(401);
    expect((await i3.api("/api/v1/chat/users/2/channels", { token: await token("2") })).status).toBe(200);
  });
});
