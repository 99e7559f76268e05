import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSendbirdEmulator } from "./start-sendbird-emulator.ts";
import type { SendbirdEmulator } from "./start-sendbird-emulator.ts";

// Behaviours Sendbird documents that the emulator once got wrong (podchat issue #16).
const token = "emulator-test-token";
let emulator: SendbirdEmulator;

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(emulator.url + path, {
    method,
    headers: { "Api-Token": token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function users(...ids: string[]) {
  for (const id of ids) await call("POST", "/users", { user_id: id, nickname: id, profile_url: "" });
}

beforeEach(async () => {
  emulator = await startSendbirdEmulator({ port: 0, apiToken: token });
});

afterEach(async () => {
  await emulator.close();
});

describe("id lists in query strings", () => {
  const odd = ["u@x.com", "a b", "p+q", "50%"];

  it("decodes user_ids once: each id urlencoded once, as the docs and the official SDK send them", async () => {
    await users(...odd);
    await call("POST", "/group_channels", { channel_url: "ids_chat", user_ids: odd });
    await call("POST", "/group_channels/ids_chat/messages", { message_type: "ADMM", message: "hi" });
    const once = odd.map(encodeURIComponent).join(",");
    const counts = await call("GET", `/group_channels/ids_chat/messages/unread_count?user_ids=${once}`);
    expect(counts.json).toEqual({ unread: { "u@x.com": 1, "a b": 1, "p+q": 1, "50%": 1 } });
    // The SDK encodes the whole value, commas included.
    const sdk = encodeURIComponent(odd.join(","));
    expect(
      (await call("GET", `/group_channels/ids_chat/messages/unread_count?user_ids=${sdk}`)).json,
    ).toEqual(counts.json);
  });

  it("does not decode twice: a doubly encoded id is another id", async () => {
    await users("u@x.com");
    await call("POST", "/group_channels", { channel_url: "ids_chat", user_ids: ["u@x.com"] });
    const twice = encodeURIComponent(encodeURIComponent("u@x.com"));
    const counts = await call("GET", `/group_channels/ids_chat/messages/unread_count?user_ids=${twice}`);
    expect(counts.json).toEqual({ unread: {} });
  });

  it("unregisters operators listed once-encoded", async () => {
    await users(...odd);
    await call("POST", "/group_channels", { channel_url: "ops_chat", user_ids: odd });
    await call("POST", "/group_channels/ops_chat/operators", { operator_ids: odd });
    const once = odd.map(encodeURIComponent).join(",");
    expect((await call("DELETE", `/group_channels/ops_chat/operators?operator_ids=${once}`)).status).toBe(
      200,
    );
    expect((await call("GET", "/group_channels/ops_chat/operators")).json.operators).toEqual([]);
  });
});

describe("group channel creation", () => {
  it("takes channel urls of letters, digits, '_' and '-', 4 to 100 long, and refuses others", async () => {
    await users("1");
    expect((await call("POST", "/group_channels", { channel_url: "pod-1_a", user_ids: ["1"] })).status).toBe(
      200,
    );
    for (const bad of ["a.bc", "abc", "a", "x".repeat(101), "a/bc"]) {
      const res = await call("POST", "/group_channels", { channel_url: bad, user_ids: ["1"] });
      expect(res.status, bad).toBe(400);
    }
  });

  it("takes members from users[] as well as user_ids", async () => {
    await users("1", "2");
    const res = await call("POST", "/group_channels", {
      channel_url: "users_chat",
      users: [{ user_id: "1", nickname: "one", profile_url: "" }, { user_id: "2" }],
    });
    expect(res.status).toBe(200);
    expect((res.json.members as Array<{ user_id: string }>).map((m) => m.user_id)).toEqual(["1", "2"]);
    const invited = await call("POST", "/group_channels/users_chat/invite", { users: [{ user_id: "2" }] });
    expect(invited.status).toBe(200);
  });

  it("honours is_distinct: the same members get the existing distinct channel back", async () => {
    await users("1", "2");
    const first = await call("POST", "/group_channels", { user_ids: ["1", "2"], is_distinct: true });
    const again = await call("POST", "/group_channels", { user_ids: ["2", "1"], is_distinct: true });
    expect(again.status).toBe(200);
    expect(again.json.channel_url).toBe(first.json.channel_url);
    expect(again.json.is_created).toBe(false);
    expect(first.json.is_created).toBe(true);
    const other = await call("POST", "/group_channels", { user_ids: ["1", "2"] });
    expect(other.json.channel_url).not.toBe(first.json.channel_url);
  });
});

describe("messages", () => {
  it("filters a message list by message_type", async () => {
    await users("1");
    await call("POST", "/group_channels", { channel_url: "types_chat", user_ids: ["1"] });
    await call("POST", "/group_channels/types_chat/messages", {
      message_type: "MESG",
      user_id: "1",
      message: "a",
    });
    await call("POST", "/group_channels/types_chat/messages", { message_type: "ADMM", message: "b" });
    const res = await call("GET", "/group_channels/types_chat/messages?message_ts=0&message_type=ADMM");
    expect((res.json.messages as Array<{ message: string }>).map((m) => m.message)).toEqual(["b"]);
    const bad = await call("GET", "/group_channels/types_chat/messages?message_ts=0&message_type=NOPE");
    expect(bad.json.code).toBe(400111);
  });

  it("answers GET .../messages/total_count with the number of messages", async () => {
    await users("1");
    await call("POST", "/group_channels", { channel_url: "count_chat", user_ids: ["1"] });
    await call("POST", "/group_channels/count_chat/messages", { message_type: "ADMM", message: "b" });
    const res = await call("GET", "/group_channels/count_chat/messages/total_count");
    expect(res).toEqual({ status: 200, json: { total: 1 } });
  });
});

describe("moderation", () => {
  it("refuses a freeze without `freeze` with 400105", async () => {
    await users("1");
    await call("POST", "/group_channels", { channel_url: "freeze_chat", user_ids: ["1"] });
    expect((await call("PUT", "/group_channels/freeze_chat/freeze", {})).json.code).toBe(400105);
    expect(emulator.state.channels.get("freeze_chat")?.freeze).toBe(false);
  });

  it("refuses to invite a banned user (400750), who therefore cannot send", async () => {
    await users("1", "2");
    await call("POST", "/group_channels", { channel_url: "ban_chat", user_ids: ["1", "2"] });
    await call("POST", "/group_channels/ban_chat/ban", { user_id: "2" });
    const invited = await call("POST", "/group_channels/ban_chat/invite", { user_ids: ["2"] });
    expect(invited).toMatchObject({ status: 400, json: { error: true, code: 400750 } });
    const sent = await call("POST", "/group_channels/ban_chat/messages", {
      message_type: "MESG",
      user_id: "2",
      message: "back",
    });
    expect(sent.status).toBe(400);
  });

  it("views one ban; a user not banned is 400201", async () => {
    await users("1", "2");
    await call("POST", "/group_channels", { channel_url: "ban_chat", user_ids: ["1", "2"] });
    await call("POST", "/group_channels/ban_chat/ban", { user_id: "2", seconds: 60, description: "spam" });
    const ban = await call("GET", "/group_channels/ban_chat/ban/2");
    expect(ban.json).toMatchObject({ user: { user_id: "2" }, description: "spam" });
    expect((await call("GET", "/group_channels/ban_chat/ban/1")).json.code).toBe(400201);
  });
});
