import { expect, it } from "vitest";
import { API_KEY } from "../harness.ts";
import { until } from "../hardening/support.ts";
import { Receiver, SECRET, webhookOverrides } from "../webhooks/receiver.ts";
import { createChannel, describeScaleOut, findServices } from "./cluster.ts";

const services = await findServices("scale-out webhooks (PostgreSQL + Redis)");

await describeScaleOut(services, "scale-out: webhooks from several instances", (cluster) => {
  it("sends each event once, in per-channel order, while two instances dispatch from one outbox", async () => {
    const rx = await new Receiver(SECRET).start();
    cluster.afterTest(() => rx.close());
    const overrides = webhookOverrides(rx.url, { events: ["message.sent"], per_endpoint_concurrency: 4 });
    const a = await cluster.instance({ overrides });
    const b = await cluster.instance({ overrides });
    const channels = ["wh_so_1", "wh_so_2", "wh_so_3", "wh_so_4"];
    for (const ch of channels) await createChannel(a.url, ch, ["1"]);
    const send = (base: string, ch: string, i: number) =>
      fetch(`${base}/api/v1/chat/channels/${ch}/messages`, {
        method: "POST",
        headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
        body: JSON.stringify({ user_id: "1", message: `m${i}` }),
      }).then((r) => {
        if (r.status !== 201) throw new Error(`send: ${r.status}`);
      });
    const n = 50;
    for (let i = 0; i < n; i++) {
      await Promise.all(channels.map((ch, k) => send(k % 2 === 0 ? a.url : b.url, ch, i)));
    }
    await until(() => rx.events().length === n * channels.length, 30_000, "every event");
    // Both dispatchers keep polling for a while: nothing comes twice.
    await new Promise((r) => setTimeout(r, 500));
    console.log(
      `webhooks scale-out: instance A sent ${a.server.webhooks.dispatcher.stats().attempts}, B ${b.server.webhooks.dispatcher.stats().attempts}`,
    );
    expect(rx.requests.length).toBe(n * channels.length);
    expect(new Set(rx.requests.map((r) => r.id)).size).toBe(n * channels.length);
    expect(rx.requests.every((r) => r.verified)).toBe(true);
    for (const ch of channels) {
      const seqs = rx.requests
        .filter((r) => r.event.channel_url === ch)
        .map((r) => (r.event.data.message as { seq: number }).seq);
      expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
  }, 60_000);
});
