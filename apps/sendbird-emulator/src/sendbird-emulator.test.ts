import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readEnv } from "./env.ts";
import { startSendbirdEmulator } from "./start-sendbird-emulator.ts";
import type { SendbirdEmulator } from "./start-sendbird-emulator.ts";

const token = "emulator-test-token";
let emulator: SendbirdEmulator;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(emulator.url + path, {
    method,
    headers: { "Api-Token": token, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

async function seedChannel(url: string, messages: number) {
  await call("POST", "/users", { user_id: "1", nickname: "one", profile_url: "" });
  await call("POST", "/group_channels", { channel_url: url, user_ids: ["1"] });
  const ids: number[] = [];
  for (let i = 1; i <= messages; i++) {
    const sent = await call("POST", `/group_channels/${url}/messages`, {
      message_type: "MESG",
      user_id: "1",
      message: `m${i}`,
    });
    ids.push(sent.json.message_id as number);
  }
  return ids;
}

beforeEach(async () => {
  emulator = await startSendbirdEmulator({ port: 0, apiToken: token });
});

afterEach(async () => {
  await emulator.close();
});

describe("emulator basics", () => {
  it("listens on 127.0.0.1 with a /v3 base url", () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+\/v3$/);
    expect(emulator.state.appId).toBe("local");
  });

  it("answers a missing Api-Token with 401 / 400401", async () => {
    const response = await fetch(`${emulator.url}/users/1`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: true, code: 400401 });
  });

  it("reports validation errors with Sendbird's 4001xx codes", async () => {
    expect((await call("POST", "/users", "{not json")).json).toMatchObject({ error: true, code: 400403 });
    expect((await call("POST", "/users", { nickname: "x", profile_url: "" })).json.code).toBe(400105);
    expect((await call("POST", "/users", { user_id: 5, nickname: "x", profile_url: "" })).json.code).toBe(
      400100,
    );
    expect((await call("POST", "/group_channels", { user_ids: "1" })).json.code).toBe(400102);
    expect((await call("POST", "/group_channels", { name: "x".repeat(192) })).json.code).toBe(400110);
  });

  it("routes outside the API are 404 / 400404", async () => {
    const res = await call("GET", "/open_channels");
    expect(res.status).toBe(404);
    expect(res.json.code).toBe(400404);
  });
});

describe("listing", () => {
  it("leaves empty channels out unless show_empty=true, and pages with opaque tokens", async () => {
    await seedChannel("with_messages", 1);
    await call("POST", "/group_channels", { channel_url: "empty_one", user_ids: [] });
    const defaults = await call("GET", "/group_channels");
    expect((defaults.json.channels as { channel_url: string }[]).map((c) => c.channel_url)).toEqual([
      "with_messages",
    ]);

    const first = await call("GET", "/group_channels?show_empty=true&limit=1");
    expect((first.json.channels as unknown[]).length).toBe(1);
    expect(first.json.next).not.toBe("");
    const second = await call(
      "GET",
      `/group_channels?show_empty=true&limit=1&token=${first.json.next as string}`,
    );
    expect((second.json.channels as { channel_url: string }[])[0]?.channel_url).toBe("empty_one");
    expect(second.json.next).toBe("");
    expect((await call("GET", "/group_channels?token=garbage")).json.code).toBe(400111);
    expect((await call("GET", "/group_channels?limit=101")).json.code).toBe(400111);
  });

  it("lists messages by message_ts like the docs: prev before ts, next after, include the exact one", async () => {
    let clock = 1_000;
    emulator.state.now = () => clock;
    await call("POST", "/users", { user_id: "1", nickname: "one", profile_url: "" });
    await call("POST", "/group_channels", { channel_url: "timed", user_ids: ["1"] });
    for (const ts of [1_000, 2_000, 3_000, 4_000]) {
      clock = ts;
      await call("POST", "/group_channels/timed/messages", {
        message_type: "MESG",
        user_id: "1",
        message: `t${ts}`,
      });
    }
    const texts = (r: { json: Record<string, unknown> }) =>
      (r.json.messages as { message: string }[]).map((m) => m.message);
    expect(
      texts(await call("GET", "/group_channels/timed/messages?message_ts=3000&prev_limit=1&next_limit=1")),
    ).toEqual(["t2000", "t3000", "t4000"]);
    expect(
      texts(
        await call(
          "GET",
          "/group_channels/timed/messages?message_ts=3000&prev_limit=5&next_limit=0&include=false",
        ),
      ),
    ).toEqual(["t1000", "t2000"]);
    expect(
      texts(await call("GET", "/group_channels/timed/messages?message_ts=0&next_limit=2&reverse=true")),
    ).toEqual(["t2000", "t1000"]);
    expect((await call("GET", "/group_channels/timed/messages")).json.code).toBe(400105);
    expect((await call("GET", "/group_channels/timed/messages?message_ts=0&next_limit=201")).json.code).toBe(
      400111,
    );
  });

  it("defaults prev_limit and next_limit to 15", async () => {
    const ids = await seedChannel("busy", 40);
    const res = await call("GET", `/group_channels/busy/messages?message_id=${ids[19]}`);
    const got = (res.json.messages as { message_id: number }[]).map((m) => m.message_id);
    expect(got).toEqual(ids.slice(4, 35));
  });
});

describe("faults", () => {
  it("fails the next N requests with a 429 carrying Sendbird's rate-limit headers, then serves", async () => {
    emulator.faults.failNext(2, 429, undefined, { retryAfterMs: 1_500 });
    for (let i = 0; i < 2; i++) {
      const res = await call("GET", "/users/1");
      expect(res.status).toBe(429);
      expect(res.json).toMatchObject({ error: true, code: 500910 });
      expect(res.headers.get("retry-after")).toBe("2");
      expect(res.headers.get("x-ratelimit-retryafter")).toBe("1.5");
      expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
    }
    expect((await call("GET", "/users/1")).json.code).toBe(400201);
    expect(emulator.state.requests.map((r) => r.outcome)).toEqual(["fault", "fault", "handled"]);
  });

  it("fails with a chosen status and code, before checking the token", async () => {
    emulator.faults.failNext(1, 503, 500999);
    const res = await call("GET", "/users/1", undefined, { "Api-Token": "wrong" });
    expect(res.status).toBe(503);
    expect(res.json.code).toBe(500999);
  });

  it("delays the next request", async () => {
    emulator.faults.delayNext(1, 200);
    const started = performance.now();
    await call("GET", "/users/1");
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    const quick = performance.now();
    await call("GET", "/users/1");
    expect(performance.now() - quick).toBeLessThan(190);
  });

  it("reset drops queued faults and releases held requests", async () => {
    emulator.faults.failNext(3, 500);
    emulator.faults.reset();
    expect(emulator.faults.pending).toBe(0);
    expect((await call("GET", "/users/1")).status).toBe(400);

    emulator.faults.delayNext(1, 60_000);
    const held = call("GET", "/users/1");
    await expect.poll(() => emulator.state.requests.length).toBe(2);
    emulator.faults.reset();
    expect((await held).json.code).toBe(400201);
  });

  it("takes faults over HTTP from other processes", async () => {
    const post = (body: unknown) =>
      fetch(`${emulator.origin}/__emulator/faults`, { method: "POST", body: JSON.stringify(body) });
    const queued = await post({ action: "fail", count: 2, status: 429, retry_after_ms: 0 });
    expect(await queued.json()).toEqual({ pending: 2 });
    expect((await call("GET", "/users/1")).status).toBe(429);
    await post({ action: "reset" });
    expect((await call("GET", "/users/1")).status).toBe(400);
    expect((await post({ action: "explode" })).status).toBe(400);

    await call("POST", "/users", { user_id: "1", nickname: "one", profile_url: "" });
    await fetch(`${emulator.origin}/__emulator/reset`, { method: "POST" });
    expect(emulator.state.users.size).toBe(0);
  });
});

describe("messages, read receipts and moderation (0.2 endpoints)", () => {
  beforeEach(async () => {
    for (const id of ["1", "2"]) await call("POST", "/users", { user_id: id, nickname: id, profile_url: "" });
    await call("POST", "/group_channels", { channel_url: "pod_2_chat", user_ids: ["1", "2"] });
  });

  it("stores a FILE message by URL and answers Sendbird's file message resource", async () => {
    const sent = await call("POST", "/group_channels/pod_2_chat/messages", {
      message_type: "FILE",
      user_id: "1",
      url: "http://127.0.0.1/f.pdf",
      file_name: "f.pdf",
      file_size: 5,
      file_type: "application/pdf",
      thumbnails: ["http://127.0.0.1/t.png"],
    });
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({
      type: "FILE",
      message: "",
      file: { url: "http://127.0.0.1/f.pdf", name: "f.pdf", size: 5, type: "application/pdf" },
      thumbnails: [{ url: "http://127.0.0.1/t.png" }],
      user: { user_id: "1" },
    });
    const noUrl = await call("POST", "/group_channels/pod_2_chat/messages", {
      message_type: "FILE",
      user_id: "1",
    });
    expect(noUrl.json.code).toBe(400105);
  });

  it("gets, updates and deletes one message; unknown ids are 400201", async () => {
    const sent = await call("POST", "/group_channels/pod_2_chat/messages", {
      message_type: "MESG",
      user_id: "1",
      message: "a",
    });
    const id = sent.json.message_id as number;
    const put = await call("PUT", `/group_channels/pod_2_chat/messages/${id}`, {
      message_type: "MESG",
      message: "b",
    });
    expect(put.json).toMatchObject({ message_id: id, message: "b" });
    expect(put.json.updated_at as number).toBeGreaterThan(0);
    expect((await call("GET", `/group_channels/pod_2_chat/messages/${id}`)).json.message).toBe("b");
    expect((await call("DELETE", `/group_channels/pod_2_chat/messages/${id}`)).status).toBe(200);
    expect((await call("GET", `/group_channels/pod_2_chat/messages/${id}`)).json.code).toBe(400201);
    expect((await call("GET", "/group_channels/pod_2_chat/messages/abc")).json.code).toBe(400201);
  });

  it("keeps read receipts: the sender's at send time, others' on mark_as_read", async () => {
    const sent = await call("POST", "/group_channels/pod_2_chat/messages", {
      message_type: "MESG",
      user_id: "1",
      message: "a",
    });
    const counts = await call("GET", "/group_channels/pod_2_chat/messages/unread_count?user_ids=1,2");
    expect(counts.json).toEqual({ unread: { "1": 0, "2": 1 } });
    expect(
      (await call("PUT", "/group_channels/pod_2_chat/messages/mark_as_read", { user_id: "2" })).json,
    ).toEqual({});
    const channel = await call("GET", "/group_channels/pod_2_chat?show_read_receipt=true");
    const receipts = channel.json.read_receipt as Record<string, number>;
    expect(receipts["1"]).toBe(sent.json.created_at);
    expect(receipts["2"]).toBeGreaterThanOrEqual(sent.json.created_at as number);
    expect((await call("GET", "/group_channels/pod_2_chat/messages/unread_count?user_ids=2")).json).toEqual({
      unread: { "2": 0 },
    });
  });

  it("freezes, bans, mutes and registers operators per the moderation pages", async () => {
    expect((await call("PUT", "/group_channels/pod_2_chat/freeze", { freeze: true })).json.freeze).toBe(true);
    const ban = await call("POST", "/group_channels/pod_2_chat/ban", { user_id: "2", seconds: 10 });
    expect(ban.json).toMatchObject({ user: { user_id: "2" }, description: "" });
    expect((ban.json.end_at as number) - (ban.json.start_at as number)).toBe(10_000);
    expect(emulator.state.channels.get("pod_2_chat")?.members).toEqual(["1"]);
    expect(((await call("GET", "/group_channels/pod_2_chat/ban")).json.banned_list as unknown[]).length).toBe(
      1,
    );
    expect((await call("DELETE", "/group_channels/pod_2_chat/ban/2")).status).toBe(200);
    expect((await call("DELETE", "/group_channels/pod_2_chat/ban/2")).json.code).toBe(400201);

    // The official SDK types the answer of a mute as the group channel.
    expect((await call("POST", "/group_channels/pod_2_chat/mute", { user_id: "1" })).json).toMatchObject({
      channel_url: "pod_2_chat",
    });
    const muted = await call("GET", "/group_channels/pod_2_chat/mute");
    expect(muted.json.muted_list).toEqual([
      expect.objectContaining({ user_id: "1", end_at: -1, remaining_duration: -1 }),
    ]);
    expect((await call("DELETE", "/group_channels/pod_2_chat/mute/1")).status).toBe(200);

    expect(
      (await call("POST", "/group_channels/pod_2_chat/operators", { operator_ids: ["1"] })).json,
    ).toEqual({ operator_ids: ["1"] });
    // Private channel: a non-member needs an invitation first.
    expect((await call("POST", "/group_channels/pod_2_chat/operators", { operator_ids: ["2"] })).status).toBe(
      400,
    );
    const operators = await call("GET", "/group_channels/pod_2_chat/operators");
    expect((operators.json.operators as { user_id: string }[]).map((o) => o.user_id)).toEqual(["1"]);
    const nonOperator = await call("DELETE", "/group_channels/pod_2_chat/operators?operator_ids=2");
    expect(nonOperator.json).toMatchObject({ code: 400111 });
    expect((await call("DELETE", "/group_channels/pod_2_chat/operators?operator_ids=1")).status).toBe(200);
  });
});

describe("env", () => {
  it("defaults to port 8090 and token emulator-token, and validates overrides", () => {
    expect(readEnv({})).toEqual({
      SENDBIRD_EMULATOR_PORT: 8090,
      SENDBIRD_EMULATOR_API_TOKEN: "emulator-token",
    });
    expect(readEnv({ SENDBIRD_EMULATOR_PORT: "9000", SENDBIRD_EMULATOR_API_TOKEN: "t" })).toEqual({
      SENDBIRD_EMULATOR_PORT: 9000,
      SENDBIRD_EMULATOR_API_TOKEN: "t",
    });
    expect(() => readEnv({ SENDBIRD_EMULATOR_PORT: "nope" })).toThrow();
  });
});

describe("list group channels by user (GET /users/{user_id}/my_group_channels)", () => {
  type Listed = { channel_url: string; unread_message_count: number; member_state: string };
  const urlsOf = (json: Record<string, unknown>) => (json.channels as Listed[]).map((c) => c.channel_url);
  let clock = 1_700_000_000_000;

  async function seed() {
    emulator.state.now = () => clock;
    for (const id of ["ann", "bob"])
      await call("POST", "/users", { user_id: id, nickname: id, profile_url: "" });
    const make = async (url: string, name: string, members: string[], customType = "") => {
      clock += 2000;
      await call("POST", "/group_channels", {
        channel_url: url,
        name,
        user_ids: members,
        custom_type: customType,
      });
    };
    const send = async (url: string, user: string) => {
      clock += 2000;
      await call("POST", `/group_channels/${url}/messages`, {
        message_type: "MESG",
        user_id: user,
        message: "hi",
      });
    };
    await make("room_old", "Alpha", ["ann", "bob"], "team");
    await make("room_mid", "beta", ["ann", "bob"]);
    await make("room_new", "Alpine", ["ann"], "team");
    await make("room_empty", "empty", ["ann", "bob"]);
    await make("room_bob", "bob only", ["bob"]);
    await send("room_old", "bob"); // unread for ann, and the newest message
    await send("room_mid", "ann");
    await send("room_new", "ann");
    await send("room_bob", "bob");
    await send("room_old", "bob");
  }

  it("lists only the user's channels, newest first by default, without empty ones unless show_empty", async () => {
    await seed();
    const res = await call("GET", "/users/ann/my_group_channels");
    expect(res.status).toBe(200);
    expect(urlsOf(res.json)).toEqual(["room_new", "room_mid", "room_old"]);
    expect(res.json.next).toBe("");
    const withEmpty = await call("GET", "/users/ann/my_group_channels?show_empty=true");
    expect(urlsOf(withEmpty.json)).toEqual(["room_empty", "room_new", "room_mid", "room_old"]);
  });

  it("answers the user's unread count and member state per channel", async () => {
    await seed();
    const res = await call("GET", "/users/ann/my_group_channels?order=latest_last_message");
    expect(urlsOf(res.json)).toEqual(["room_old", "room_new", "room_mid"]);
    const [old, newer] = res.json.channels as Array<Listed & { last_message: { message_id: number } }>;
    expect(old).toMatchObject({ unread_message_count: 2, member_state: "joined", hidden_state: "unhidden" });
    expect(old?.last_message.message_id).toBe(5);
    expect(newer?.unread_message_count).toBe(0);
    await call("PUT", "/group_channels/room_old/messages/mark_as_read", { user_id: "ann" });
    const after = await call("GET", "/users/ann/my_group_channels?unread_filter=unread_message");
    expect(urlsOf(after.json)).toEqual([]);
    const bob = await call(
      "GET",
      "/users/bob/my_group_channels?unread_filter=unread_message&show_empty=true",
    );
    expect(urlsOf(bob.json)).toEqual(["room_mid"]);
  });

  it("filters by custom_types, name_startswith, name_contains and channel_urls", async () => {
    await seed();
    const q = "/users/ann/my_group_channels?show_empty=true&order=channel_name_alphabetical";
    expect(urlsOf((await call("GET", `${q}&custom_types=team`)).json)).toEqual(["room_old", "room_new"]);
    expect(urlsOf((await call("GET", `${q}&custom_types=team,`)).json)).toEqual(["room_old", "room_new"]);
    expect(urlsOf((await call("GET", `${q}&name_startswith=alp`)).json)).toEqual(["room_old", "room_new"]);
    expect(urlsOf((await call("GET", `${q}&name_contains=ET`)).json)).toEqual(["room_mid"]);
    expect(urlsOf((await call("GET", `${q}&channel_urls=room_mid,room_bob`)).json)).toEqual(["room_mid"]);
    expect(urlsOf((await call("GET", `${q}&member_state_filter=invited_only`)).json)).toEqual([]);
    expect(urlsOf((await call("GET", `${q}&hidden_mode=hidden_only`)).json)).toEqual([]);
    expect(urlsOf((await call("GET", `${q}&public_mode=public`)).json)).toEqual([]);
    expect(urlsOf((await call("GET", `${q}&distinct_mode=nondistinct&name=beta`)).json)).toEqual([
      "room_mid",
    ]);
    const newest = emulator.state.channels.get("room_new")?.created_at ?? 0;
    expect(urlsOf((await call("GET", `${q}&created_after=${newest * 1000 - 1}`)).json)).toEqual([
      "room_new",
      "room_empty",
    ]);
    await call("PUT", "/group_channels/room_mid/freeze", { freeze: true });
    expect(urlsOf((await call("GET", `${q}&show_frozen=false&custom_types=`)).json)).toEqual([
      "room_old",
      "room_new",
      "room_empty",
    ]);
  });

  it("pages with limit and opaque next tokens, each channel once", async () => {
    await seed();
    const seen: string[] = [];
    let next = "";
    let pages = 0;
    do {
      const res = await call(
        "GET",
        `/users/ann/my_group_channels?show_empty=true&order=latest_last_message&limit=3${next ? `&token=${next}` : ""}`,
      );
      seen.push(...urlsOf(res.json));
      next = res.json.next as string;
      pages++;
    } while (next);
    expect(pages).toBe(2);
    expect(seen).toEqual(["room_old", "room_new", "room_mid", "room_empty"]);
  });

  it("refuses bad parameters with Sendbird's codes and an unknown user with 400201", async () => {
    await seed();
    for (const bad of [
      "limit=0",
      "limit=101",
      "limit=ten",
      "order=newest",
      "unread_filter=some",
      "show_empty=yes",
    ]) {
      const res = await call("GET", `/users/ann/my_group_channels?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.json, bad).toMatchObject({ error: true, code: 400111 });
    }
    expect((await call("GET", "/users/ann/my_group_channels?token=nonsense")).json.code).toBe(400111);
    const needsKey = await call("GET", "/users/ann/my_group_channels?order=metadata_value_alphabetical");
    expect(needsKey.json.code).toBe(400105);
    const unknown = await call("GET", "/users/nobody/my_group_channels");
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ error: true, code: 400201 });
  });
});
