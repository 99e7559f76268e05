// Web Push end to end: a real server, real SQLite, real sockets, and the local Web Push service
// emulator, which checks VAPID and decrypts every payload with the subscription's private keys.
import { PushPayload } from "@podchat/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, TestSocket, connect, createChannel, startServer, token } from "../harness.ts";
import { type EmulatedSubscription, WebPushEmulator } from "./emulators/web-push-emulator.ts";

const GRACE = 150;
let emu: WebPushEmulator;
let t: TestServer;

beforeAll(async () => {
  emu = await new WebPushEmulator().start();
  t = await startServer({ overrides: { push: { grace_ms: GRACE, collapse_window_ms: 60_000 } } });
});
afterAll(async () => {
  await t?.close();
  await emu?.close();
});

async function register(userId: string, sub: EmulatedSubscription, as?: string) {
  const res = await t.api(`/api/v1/chat/users/${userId}/push/devices`, {
    method: "POST",
    token: as ?? (await token(userId)),
    json: { kind: "web_push", subscription: sub.json },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

async function send(channel: string, userId: string, message: string, data?: Record<string, unknown>) {
  const res = await t.api(`/api/v1/chat/channels/${channel}/messages`, {
    method: "POST",
    json: { user_id: userId, message, ...(data ? { data } : {}) },
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

const stats = () => t.server.push.service.stats;
async function until(pred: () => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const payloads = (s: EmulatedSubscription) =>
  s.received.map((p) => PushPayload.parse(JSON.parse(p.plaintext)));

describe("Web Push", () => {
  it("serves the VAPID public key (dev generated one)", async () => {
    const res = await fetch(`${t.url}/api/v1/chat/push/web-push`);
    const body = (await res.json()) as { vapid_public_key: string };
    expect(Buffer.from(body.vapid_public_key, "base64url")).toHaveLength(65);
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.components.schemas.PushPayload?.properties ?? {})).toEqual(
      expect.arrayContaining(["title", "body", "channel_url", "count"]),
    );
  });

  it("an offline member gets exactly one push, decrypted with its keys, from the template", async () => {
    await createChannel(t, "wp_offline", ["1", "2"], { name: "Team Room" });
    const sub = emu.subscribe();
    const reg = (await register("2", sub)) as { device: { kind: string; address: string } };
    expect(reg.device).toMatchObject({ kind: "web_push", address: emu.url });
    const sent = stats().sent;
    await send("wp_offline", "1", "hello there", { sender_name: "Alice" });
    await emu.until(() => sub.accepted === 1);
    expect(payloads(sub)).toEqual([
      expect.objectContaining({
        type: "message",
        title: "Team Room",
        body: "Alice: hello there",
        channel_url: "wp_offline",
        channel_name: "Team Room",
        sender_id: 1,
        seq: 1,
        count: 1,
      }),
    ]);
    expect(sub.received[0]).toMatchObject({
      ttl: 86_400,
      urgency: "normal",
      vapidSubject: "mailto:admin@localhost",
    });
    expect(sub.received[0]!.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    // The sender has no device and gets nothing; nothing more arrives later.
    await new Promise((r) => setTimeout(r, GRACE * 3));
    expect(sub.accepted).toBe(1);
    expect(stats().sent).toBe(sent + 1);
    expect(emu.rejected).toEqual([]);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/podchat_push_total\{outcome="sent",kind="web_push"\} [1-9]/);
  });

  it("a member with a live socket in the channel, or a user connection, gets none", async () => {
    await createChannel(t, "wp_online", ["1", "3", "4"]);
    const s3 = emu.subscribe();
    const s4 = emu.subscribe();
    await register("3", s3);
    await register("4", s4);
    const socket = await connect(t, "wp_online", "3");
    const user = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws?token=${await token("4")}`);
    await user.opened;
    await user.type("READY");
    const skipped = stats().skipped_online;
    await send("wp_online", "1", "you are here");
    await until(() => stats().skipped_online === skipped + 2, "the online check");
    expect(s3.accepted + s4.accepted).toBe(0);
    socket.ws.close();
    user.ws.close();
  });

  it("a socket closing within the grace period still gets the push (offline at send time)", async () => {
    await createChannel(t, "wp_left", ["1", "5"]);
    const sub = emu.subscribe();
    await register("5", sub);
    const socket = await connect(t, "wp_left", "5");
    await send("wp_left", "1", "bye");
    socket.ws.close();
    await emu.until(() => sub.accepted === 1);
  });

  it("a muted channel gets none; a user-wide snooze none; unmuting brings pushes back", async () => {
    await createChannel(t, "wp_muted", ["1", "6"]);
    const sub = emu.subscribe();
    await register("6", sub);
    const me = await token("6");
    let res = await t.api("/api/v1/chat/users/6/push/channels/wp_muted", {
      method: "PUT",
      token: me,
      json: { muted: true },
    });
    expect(await res.json()).toEqual({
      user_id: 6,
      all: { muted: false, until: null },
      channels: [{ channel_url: "wp_muted", muted: true, until: null }],
    });
    const muted = stats().skipped_muted;
    await send("wp_muted", "1", "shh");
    await until(() => stats().skipped_muted === muted + 1, "the mute check");
    await t.api("/api/v1/chat/users/6/push/channels/wp_muted", {
      method: "PUT",
      token: me,
      json: { muted: false },
    });
    const until1h = new Date(Date.now() + 3600_000).toISOString();
    res = await t.api("/api/v1/chat/users/6/push/settings", {
      method: "PUT",
      token: me,
      json: { muted: true, until: until1h },
    });
    expect(((await res.json()) as { all: unknown }).all).toEqual({ muted: true, until: until1h });
    await send("wp_muted", "1", "snoozed");
    await until(() => stats().skipped_muted === muted + 2, "the snooze check");
    // A snooze that already ended mutes nothing.
    await t.api("/api/v1/chat/users/6/push/settings", {
      method: "PUT",
      token: me,
      json: { muted: true, until: new Date(Date.now() - 1000).toISOString() },
    });
    await send("wp_muted", "1", "back");
    await emu.until(() => sub.accepted === 1);
    expect(payloads(sub)[0]!.body).toBe("1: back");
  });

  it("20 messages in a burst make one collapsed push", async () => {
    await createChannel(t, "wp_burst", ["1", "7"], { name: "Busy" });
    const sub = emu.subscribe();
    await register("7", sub);
    await Promise.all(Array.from({ length: 20 }, (_, i) => send("wp_burst", "1", `m${i}`)));
    await emu.until(() => sub.accepted === 1);
    await new Promise((r) => setTimeout(r, GRACE * 3));
    expect(sub.accepted).toBe(1);
    const [p] = payloads(sub);
    expect(p).toMatchObject({ count: 20, seq: 20, title: "Busy" });
    expect(p!.body).toBe("20 new messages (latest from 1)");
  });

  it("a 410 from the push service removes the subscription", async () => {
    await createChannel(t, "wp_gone", ["1", "8"]);
    const sub = emu.subscribe();
    await register("8", sub);
    sub.status = 410;
    const removed = stats().removed;
    await send("wp_gone", "1", "anyone?");
    await until(() => stats().removed === removed + 1, "the removal");
    const res = await t.api("/api/v1/chat/users/8/push/devices", { token: await token("8") });
    expect(await res.json()).toEqual({ devices: [] });
  });

  it("registration: own token or API key; another user's token is refused; bad input is a 400", async () => {
    const sub = emu.subscribe();
    const other = await t.api("/api/v1/chat/users/9/push/devices", {
      method: "POST",
      token: await token("10"),
      json: { kind: "web_push", subscription: sub.json },
    });
    expect(other.status).toBe(403);
    const bad = await t.api("/api/v1/chat/users/9/push/devices", {
      method: "POST",
      json: { kind: "web_push", subscription: { endpoint: "not a url", keys: { p256dh: "x", auth: "y" } } },
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/endpoint/);
    const byKey = await t.api("/api/v1/chat/users/9/push/devices", {
      method: "POST",
      json: { kind: "web_push", subscription: sub.json },
    });
    expect(byKey.status).toBe(201);
    // Registering again refreshes the same device.
    await register("9", sub);
    const list = (await (await t.api("/api/v1/chat/users/9/push/devices")).json()) as { devices: unknown[] };
    expect(list.devices).toHaveLength(1);
    const del = await t.api("/api/v1/chat/users/9/push/devices", {
      method: "DELETE",
      token: await token("9"),
      json: { endpoint: sub.json.endpoint },
    });
    expect(await del.json()).toEqual({ removed: 1 });
  });
});

describe("Web Push collapse window", () => {
  let t2: TestServer;
  beforeAll(async () => {
    t2 = await startServer({ overrides: { push: { grace_ms: 50, collapse_window_ms: 700 } } });
  });
  afterAll(async () => {
    await t2?.close();
  });

  it("after a push, the channel's next messages wait for the window's end and come as one", async () => {
    const res = await t2.api("/api/v1/chat/channels", {
      method: "POST",
      json: { channel_url: "wp_window", name: "Window", user_ids: ["1", "2"] },
    });
    expect(res.status).toBe(201);
    const sub = emu.subscribe();
    const reg = await t2.api("/api/v1/chat/users/2/push/devices", {
      method: "POST",
      json: { kind: "web_push", subscription: sub.json },
    });
    expect(reg.status).toBe(201);
    const post = async (message: string) =>
      expect(
        (
          await t2.api("/api/v1/chat/channels/wp_window/messages", {
            method: "POST",
            json: { user_id: "1", message },
          })
        ).status,
      ).toBe(201);
    await post("first");
    await emu.until(() => sub.accepted === 1);
    const firstAt = Date.now();
    for (const m of ["second", "third", "fourth"]) await post(m);
    await emu.until(() => sub.accepted === 2);
    // Held until the window ended, not sent after the grace period.
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(500);
    // The same Topic: the collapsed push replaced the first one at the push service.
    expect(payloads(sub)).toEqual([
      expect.objectContaining({ count: 3, seq: 4, body: "3 new messages (latest from 1)" }),
    ]);
  });
});
