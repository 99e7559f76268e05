// FCM HTTP v1 and APNs (token auth) end to end against their local emulators: the OAuth2
// service-account exchange, the ES256 provider token over HTTP/2, and removal of gone tokens.
import { generateKeyPairSync } from "node:crypto";
import { PushPayload } from "@podchat/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, createChannel, startServer, token } from "../harness.ts";
import { ApnsEmulator } from "./emulators/apns-emulator.ts";
import { FcmEmulator } from "./emulators/fcm-emulator.ts";

const rsa = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const ec = generateKeyPairSync("ec", {
  namedCurve: "P-256",
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const APNS_TOKEN = "a".repeat(64);
const APNS_GONE = "b".repeat(64);

let fcm: FcmEmulator;
let apns: ApnsEmulator;
let t: TestServer;

beforeAll(async () => {
  fcm = await new FcmEmulator({
    projectId: "podchat-test",
    clientEmail: "push@podchat-test.iam.gserviceaccount.com",
    publicKeyPem: rsa.publicKey,
  }).start();
  apns = await new ApnsEmulator({
    keyId: "KEY1234567",
    teamId: "TEAM123456",
    publicKeyPem: ec.publicKey,
  }).start();
  t = await startServer({
    overrides: {
      push: {
        grace_ms: 100,
        fcm: {
          project_id: "podchat-test",
          client_email: "push@podchat-test.iam.gserviceaccount.com",
          private_key: rsa.privateKey,
          token_uri: fcm.tokenUri,
          base_url: fcm.url,
        },
        apns: {
          key_id: "KEY1234567",
          team_id: "TEAM123456",
          private_key: ec.privateKey,
          topic: "com.example.chat",
          base_url: apns.url,
        },
      },
    },
  });
});
afterAll(async () => {
  await t?.close();
  await fcm?.close();
  await apns?.close();
});

async function register(userId: string, body: Record<string, unknown>) {
  const res = await t.api(`/api/v1/chat/users/${userId}/push/devices`, {
    method: "POST",
    token: await token(userId),
    json: body,
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function send(channel: string, userId: string, message: string) {
  const res = await t.api(`/api/v1/chat/channels/${channel}/messages`, {
    method: "POST",
    json: { user_id: userId, message },
  });
  expect(res.status).toBe(201);
}

async function until(pred: () => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const devices = async (userId: string) =>
  ((await (await t.api(`/api/v1/chat/users/${userId}/push/devices`)).json()) as { devices: unknown[] })
    .devices;

describe("FCM HTTP v1", () => {
  it("exchanges the service account for a token once, then sends the templated message", async () => {
    await createChannel(t, "fcm_room", ["1", "2"], { name: "Android Room" });
    await register("2", { kind: "fcm", token: "fcm-token-2" });
    await send("fcm_room", "1", "hi android");
    await until(() => fcm.messages.length === 1, "the FCM message");
    const [m] = fcm.messages;
    expect(m).toMatchObject({
      token: "fcm-token-2",
      notification: { title: "Android Room", body: "1: hi android" },
      android: { ttl: "86400s" },
    });
    const payload = PushPayload.parse(JSON.parse((m!.data as { podchat: string }).podchat));
    expect(payload).toMatchObject({ channel_url: "fcm_room", seq: 1, count: 1, sender_id: 1 });
    await createChannel(t, "fcm_room2", ["1", "2"]);
    await send("fcm_room2", "1", "again");
    await until(() => fcm.messages.length === 2, "the second FCM message");
    expect(fcm.tokenRequests).toBe(1);
    expect(fcm.rejected).toEqual([]);
  });

  it("404 UNREGISTERED removes the token", async () => {
    await createChannel(t, "fcm_gone", ["1", "3"]);
    await register("3", { kind: "fcm", token: "fcm-token-3" });
    fcm.unregistered.add("fcm-token-3");
    await send("fcm_gone", "1", "hello?");
    await until(() => fcm.rejected.length === 1, "the UNREGISTERED answer");
    await until(() => t.server.push.service.stats.removed >= 1, "the removal");
    expect(await devices("3")).toEqual([]);
  });
});

describe("APNs (token auth, HTTP/2)", () => {
  it("sends an alert with the ES256 provider token, topic and collapse id", async () => {
    await createChannel(t, "apns_room", ["1", "4"], { name: "iOS Room" });
    await register("4", { kind: "apns", token: APNS_TOKEN });
    await send("apns_room", "1", "hi iphone");
    await until(() => apns.notifications.length === 1, "the APNs notification");
    const [n] = apns.notifications;
    expect(n!.token).toBe(APNS_TOKEN);
    expect(n!.headers).toMatchObject({
      "apns-topic": "com.example.chat",
      "apns-push-type": "alert",
      "apns-priority": "10",
    });
    expect(n!.headers["apns-collapse-id"]!.length).toBeLessThanOrEqual(64);
    expect(n!.body).toMatchObject({
      aps: { alert: { title: "iOS Room", body: "1: hi iphone" }, "thread-id": "apns_room" },
      podchat: { channel_url: "apns_room", seq: 1, count: 1 },
    });
    expect(apns.rejected).toEqual([]);
  });

  it("410 Unregistered removes the token", async () => {
    await createChannel(t, "apns_gone", ["1", "5"]);
    await register("5", { kind: "apns", token: APNS_GONE });
    apns.unregistered.add(APNS_GONE);
    const removed = t.server.push.service.stats.removed;
    await send("apns_gone", "1", "still there?");
    await until(() => t.server.push.service.stats.removed === removed + 1, "the removal");
    expect(apns.rejected).toEqual(["410 Unregistered"]);
    expect(await devices("5")).toEqual([]);
  });
});
