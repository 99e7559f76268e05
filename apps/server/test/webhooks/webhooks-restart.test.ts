import { afterEach, describe, expect, it } from "vitest";
import { API_KEY } from "../harness.ts";
import { childServerPerTest, until } from "../hardening/support.ts";
import { Receiver, SECRET } from "./receiver.ts";

const childServer = childServerPerTest();
let rx: Receiver | null = null;
afterEach(async () => {
  await rx?.close();
  rx = null;
});

const yaml = (url: string) => `webhooks:
  endpoints:
    - { id: backend, url: "${url}", secret: "${SECRET}", events: ["message.sent"] }
  poll_ms: 20
  timeout_ms: 60000
  backoff_base_ms: 20
  backoff_max_ms: 100
`;

describe("webhooks survive kill -9", () => {
  it("delivers, after a restart, events whose change was acknowledged before the kill", async () => {
    rx = await new Receiver(SECRET).start();
    rx.behaviour = () => "hang";
    const server = await childServer("whkill", yaml(rx.url));
    const first = await server.start();
    expect((await server.createChannel("wh_kill", ["1"])).status).toBe(201);
    const send = async (message: string) => {
      const res = await fetch(`${server.base}/api/v1/chat/channels/wh_kill/messages`, {
        method: "POST",
        headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
        body: JSON.stringify({ user_id: "1", message }),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { message_id: string; seq: number };
    };
    // The first is being delivered (its request hangs) and the second waits behind it (same
    // channel): both acknowledged, neither delivered, when the process dies.
    const a = await send("in flight");
    await until(() => rx!.requests.length === 1, 10_000, "the first attempt");
    const b = await send("not yet tried");
    first.proc.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    const hungId = rx.requests[0]!.id;
    expect(rx.requests).toHaveLength(1);

    rx.behaviour = () => 200;
    await server.start();
    await until(() => rx!.events().length === 2, 15_000, "both events after the restart");
    const got = rx.events().map((r) => ({
      id: r.id,
      verified: r.verified,
      message_id: (r.event.data.message as { message_id: string }).message_id,
    }));
    expect(got.map((g) => g.message_id)).toEqual([a.message_id, b.message_id]);
    expect(got.every((g) => g.verified)).toBe(true);
    // The in-flight one comes again under the same idempotency id (at least once).
    expect(got[0]!.id).toBe(hungId);
  }, 60_000);
});
