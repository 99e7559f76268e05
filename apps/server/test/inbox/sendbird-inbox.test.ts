import { type SendbirdEmulator, startSendbirdEmulator } from "@podchat/sendbird-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type TestServer, startServer, token } from "../harness.ts";
import { inboxPage, userSocket } from "./support.ts";

// The inbox over podchat's store and Sendbird (the emulator): a real server on SQLite, the
// Sendbird provider talking HTTP to the emulator.

type Row = {
  channel_url: string;
  provider: string;
  unread_count: number;
  last_activity_at: string;
  last_read_seq: number;
  last_message: { message: string; user_id: unknown; seq: number } | null;
};
type Page = {
  channels: Row[];
  next_cursor: string | null;
  total_unread: number;
  partial?: boolean;
  errors?: Array<{ provider: string; code: string; message: string }>;
};

let emulator: SendbirdEmulator;
let t: TestServer;
/** Message times, a minute ahead so they are newer than every channel's creation. */
const base = Date.now() + 60_000;
const at = (s: number) => new Date(base + s * 1000).toISOString();

async function start(sendbird: Record<string, unknown> = {}, dbPath?: string) {
  return startServer({
    ...(dbPath ? { dbPath } : {}),
    overrides: {
      sendbird: { app_id: "local", api_token: "emulator-token", base_url: emulator.url, ...sendbird },
    },
  });
}

async function setFlag(useWebsocket: boolean) {
  const login = await t.api("/api/v1/admin/login", {
    method: "POST",
    json: { username: "admin", password: "admin" },
    noKey: true,
  });
  const { token: admin } = (await login.json()) as { token: string };
  const res = await t.api("/api/v1/admin/flags/dev", {
    method: "PUT",
    token: admin,
    json: { use_websocket: useWebsocket },
  });
  expect(res.status).toBe(200);
}

/** A podchat message at a chosen time (the store takes `created_at`, as migrations do). */
async function podchatMessage(url: string, user: string, s: number, message: string) {
  await t.server.store.appendMessage({
    channel_url: url,
    type: "MESG",
    user_id: user,
    message,
    created_at: at(s),
  });
}

/** A Sendbird message through podchat's provider, at a chosen time on the emulator's clock. */
async function sendbirdMessage(url: string, user: string, s: number, message: string) {
  emulator.state.now = () => base + s * 1000;
  await t.server.chat.sendMessage(url, { userId: user, message });
  emulator.state.now = () => Date.now();
}

/**
 * me's five channels, newest activity first: ws_c (5 s), sb_b (4 s), ws_b (3 s), sb_a (2 s),
 * ws_a (1 s). Unread for me: ws_c 1, sb_b 0, ws_b 0, sb_a 1, ws_a 2 — 4 in all.
 */
async function seed() {
  const chat = t.server.chat;
  for (const [url, name] of [
    ["ws_a", "Team alpha"],
    ["ws_b", "team beta"],
    ["ws_c", "Other"],
  ] as const)
    await chat.createGroupChannel({ channelUrl: url, name, userIds: ["me", "you"], customType: "team" });
  await setFlag(false);
  await chat.createGroupChannel({ channelUrl: "sb_a", name: "Team sendbird", userIds: ["me", "you"] });
  await chat.createGroupChannel({
    channelUrl: "sb_b",
    name: "Sendbird two",
    userIds: ["me", "you"],
    customType: "team",
  });
  await setFlag(true); // new channels on podchat again; sb_a and sb_b stay on Sendbird
  await podchatMessage("ws_a", "you", 0.5, "a1");
  await podchatMessage("ws_a", "you", 1, "a2");
  await sendbirdMessage("sb_a", "you", 2, "sendbird hello");
  await podchatMessage("ws_b", "me", 3, "b1");
  await sendbirdMessage("sb_b", "me", 4, "my sendbird message");
  await podchatMessage("ws_c", "you", 5, "c1");
}

async function inbox(query = "", userToken?: string): Promise<{ status: number; body: Page }> {
  const res = await t.api(`/api/v1/chat/users/me/channels${query}`, {
    token: userToken ?? (await token("me")),
  });
  return { status: res.status, body: (await res.json()) as Page };
}

const urls = (p: Page) => p.channels.map((c) => c.channel_url);
const myChannelsCalls = () => emulator.state.requests.filter((r) => r.path.endsWith("/my_group_channels"));

beforeEach(async () => {
  emulator = await startSendbirdEmulator({ apiToken: "emulator-token" });
  t = await start();
});
afterEach(async () => {
  await t.close();
  await emulator.close();
});

describe("the inbox with channels on Sendbird", () => {
  it("shows podchat's and Sendbird's channels in one list by activity, each with its provider and unread", async () => {
    await seed();
    const { status, body } = await inbox();
    expect(status).toBe(200);
    expect(urls(body)).toEqual(["ws_c", "sb_b", "ws_b", "sb_a", "ws_a"]);
    expect(body.channels.map((c) => [c.channel_url, c.provider, c.unread_count])).toEqual([
      ["ws_c", "websocket", 1],
      ["sb_b", "sendbird", 0],
      ["ws_b", "websocket", 0],
      ["sb_a", "sendbird", 1],
      ["ws_a", "websocket", 2],
    ]);
    expect(body.channels.map((c) => c.last_activity_at)).toEqual([at(5), at(4), at(3), at(2), at(1)]);
    const sbA = body.channels[3];
    const sbB = body.channels[1];
    // Sendbird's last message as podchat's message frame; seq is Sendbird's message id.
    expect(sbA?.last_message).toMatchObject({ message: "sendbird hello", user_id: "you", type: "MESG" });
    expect(sbA?.last_message?.seq).toBe(emulator.state.messages.get("sb_a")?.[0]?.message_id);
    // Read position: known when nothing is unread (the last message), 0 ("not known") otherwise.
    expect(sbB?.last_read_seq).toBe(sbB?.last_message?.seq);
    expect(sbA?.last_read_seq).toBe(0);
    expect(body).toMatchObject({ next_cursor: null, total_unread: 4 });
    expect(body.partial).toBeUndefined();
    expect(body.errors).toBeUndefined();

    const unread = await t.api("/api/v1/chat/users/me/unread", { token: await token("me") });
    expect(await unread.json()).toEqual({ user_id: "me", total_unread: 4 });

    // The user socket's INBOX_LIST answers the same list.
    const { s } = await userSocket(t, "me");
    const frame = await inboxPage(s, { limit: 10 });
    expect(frame.type).toBe("INBOX_PAGE");
    expect((frame.channels as Row[]).map((c) => [c.channel_url, c.provider])).toEqual(
      body.channels.map((c) => [c.channel_url, c.provider]),
    );
    expect(frame.total_unread).toBe(4);
    s.close();
  });

  it("pages with a small limit through both sources, every channel exactly once", async () => {
    await seed();
    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const { status, body } = await inbox(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
        expect(status).toBe(200);
        expect(body.channels.length).toBeLessThanOrEqual(limit);
        seen.push(...urls(body));
        cursor = body.next_cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen, `limit ${limit}`).toEqual(["ws_c", "sb_b", "ws_b", "sb_a", "ws_a"]);
      expect(pages).toBe(Math.ceil(5 / limit));
    }
    const bad = await inbox("?cursor=bm90LWEta2V5");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "VALIDATION_FAILED", field: "cursor" } });
  });

  it("applies every filter to both sources; provider skips the other source", async () => {
    await seed();
    expect(urls((await inbox("?provider=sendbird")).body)).toEqual(["sb_b", "sb_a"]);
    expect(urls((await inbox("?provider=websocket")).body)).toEqual(["ws_c", "ws_b", "ws_a"]);
    expect(urls((await inbox("?unread_only=true")).body)).toEqual(["ws_c", "sb_a", "ws_a"]);
    expect(urls((await inbox("?custom_type=team")).body)).toEqual(["ws_c", "sb_b", "ws_b", "ws_a"]);
    // Case-sensitive on both sides (the emulator, like its name_contains, ignores case).
    expect(urls((await inbox("?name_prefix=Team")).body)).toEqual(["sb_a", "ws_a"]);
    expect(urls((await inbox("?name_prefix=Team&unread_only=true&limit=1")).body)).toEqual(["sb_a"]);
    // provider=websocket lists no Sendbird row, but the badge counts every channel whatever the
    // filter: one Sendbird call (its channels with unread messages) for it.
    const before = myChannelsCalls().length;
    const websocketOnly = await inbox("?provider=websocket");
    expect(myChannelsCalls().length).toBe(before + 1);
    expect(websocketOnly.body.total_unread).toBe(4);
  });

  it("shows a channel migrated from Sendbird once, from podchat", async () => {
    await seed();
    const job = await t.server.migrator.migrate("sb_a", "admin:test");
    expect(job.state).toBe("done");
    // The Sendbird channel is still there (and listed by Sendbird), but podchat now routes it.
    expect(emulator.state.channels.has("sb_a")).toBe(true);
    const { body } = await inbox();
    expect(urls(body)).toEqual(["ws_c", "sb_b", "ws_b", "sb_a", "ws_a"]);
    const migrated = body.channels.filter((c) => c.channel_url === "sb_a");
    expect(migrated).toHaveLength(1);
    expect(migrated[0]).toMatchObject({
      provider: "websocket",
      last_activity_at: at(2),
      last_message: { message: "sendbird hello", seq: 1 },
    });
    expect(body.total_unread).toBe(body.channels.reduce((n, c) => n + c.unread_count, 0));
    expect(urls((await inbox("?provider=sendbird")).body)).toEqual(["sb_b"]);
    expect(urls((await inbox("?provider=websocket")).body)).toEqual(["ws_c", "ws_b", "sb_a", "ws_a"]);
  });

  it("answers podchat's channels with partial: true and the error when Sendbird is down", async () => {
    await seed();
    await emulator.close();
    const { status, body } = await inbox();
    expect(status).toBe(200);
    expect(urls(body)).toEqual(["ws_c", "ws_b", "ws_a"]);
    expect(body.partial).toBe(true);
    expect(body.errors).toEqual([
      { provider: "sendbird", code: expect.any(String), message: expect.any(String) },
    ]);
    expect(body.total_unread).toBe(3);
    const unread = await t.api("/api/v1/chat/users/me/unread", { token: await token("me") });
    expect(await unread.json()).toMatchObject({ user_id: "me", total_unread: 3, partial: true });
  });

  it("answers partial when Sendbird refuses, then whole again when it is back", async () => {
    await seed();
    emulator.faults.failNext(3, 500); // the first call and both retries
    const failed = await inbox();
    expect(failed.body).toMatchObject({
      partial: true,
      errors: [{ provider: "sendbird", code: "PROVIDER_ERROR" }],
    });
    const back = await inbox();
    expect(urls(back.body)).toHaveLength(5);
    expect(back.body.partial).toBeUndefined();
  });

  it("does not wait past sendbird.inbox_timeout_ms for a slow Sendbird: partial, then whole again", async () => {
    await seed();
    const dbPath = t.dbPath;
    await t.close();
    t = await start({ inbox_timeout_ms: 200 }, dbPath);
    emulator.faults.delayNext(2, 60_000);
    const slow = await inbox();
    expect(urls(slow.body)).toEqual(["ws_c", "ws_b", "ws_a"]);
    expect(slow.body).toMatchObject({
      partial: true,
      errors: [{ provider: "sendbird", code: "PROVIDER_ERROR" }],
    });
    expect(slow.body.errors?.[0]?.message).toContain("200 ms");
    emulator.faults.reset(); // releases the held requests
    expect(urls((await inbox()).body)).toHaveLength(5);
  });

  it("pages exactly over more Sendbird channels than one Sendbird page, with many equal times", async () => {
    const dbPath = t.dbPath;
    await t.close();
    t = await start({ inbox: "always" }, dbPath);
    for (const url of ["ws_1", "ws_2", "ws_3"])
      await t.server.chat.createGroupChannel({ channelUrl: url, userIds: ["me", "you"] });
    await podchatMessage("ws_1", "you", 3, "p1");
    await podchatMessage("ws_2", "you", 40, "p2");
    const direct = { "Api-Token": "emulator-token", "Content-Type": "application/json" };
    const post = (path: string, body: unknown) =>
      fetch(`${emulator.url}${path}`, { method: "POST", headers: direct, body: JSON.stringify(body) });
    await post("/users", { user_id: "me", nickname: "me", profile_url: "" });
    const second = Math.floor(Date.now() / 1000) * 1000;
    for (let i = 0; i < 130; i++) {
      // 110 channels created in one second, the rest a second apart: ties on last_activity_at
      // (the empty ones) across Sendbird's page boundary. Urls run opposite to creation, so
      // podchat's tie order (channel_url descending) is the reverse of Sendbird's (newest first).
      emulator.state.now = () => second - 60_000 + Math.max(0, i - 109) * 1000;
      const url = `bulk_${String(999 - i)}`;
      await post("/group_channels", { channel_url: url, name: url, user_ids: ["me"] });
      if (i % 4 === 0) {
        emulator.state.now = () => base + (i % 50) * 1000;
        await post(`/group_channels/${url}/messages`, { message_type: "ADMM", message: `m${i}` });
      }
    }
    emulator.state.now = () => Date.now();

    const seen: Row[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body } = await inbox(`?limit=7${cursor ? `&cursor=${cursor}` : ""}`);
      expect(body.partial).toBeUndefined();
      seen.push(...body.channels);
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 40);
    expect(seen).toHaveLength(133);
    expect(new Set(seen.map((c) => c.channel_url)).size).toBe(133);
    expect(pages).toBe(Math.ceil(133 / 7));
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      const ordered =
        a.last_activity_at > b.last_activity_at ||
        (a.last_activity_at === b.last_activity_at && a.channel_url > b.channel_url);
      expect(ordered, `${a.channel_url} before ${b.channel_url}`).toBe(true);
    }
    expect(seen.filter((c) => c.provider === "sendbird")).toHaveLength(130);
    // Admin messages count as unread on Sendbird: one per channel that has one.
    expect((await inbox("?limit=1")).body.total_unread).toBe(2 + 33);
  });

  it("asks Sendbird only when the user may have channels there, unless sendbird.inbox is always", async () => {
    // A channel legacy code made on Sendbird directly: podchat has no record of it.
    await t.server.chat.createGroupChannel({ channelUrl: "ws_only", userIds: ["me"] });
    const direct = {
      Accept: "application/json",
      "Api-Token": "emulator-token",
      "Content-Type": "application/json",
    };
    await fetch(`${emulator.url}/users`, {
      method: "POST",
      headers: direct,
      body: JSON.stringify({ user_id: "me", nickname: "me", profile_url: "" }),
    });
    await fetch(`${emulator.url}/group_channels`, {
      method: "POST",
      headers: direct,
      body: JSON.stringify({ channel_url: "legacy_room", name: "Legacy", user_ids: ["me"] }),
    });
    // The flag creates on podchat and me is in no Sendbird-routed channel: Sendbird is not asked.
    expect(urls((await inbox()).body)).toEqual(["ws_only"]);
    expect(myChannelsCalls()).toHaveLength(0);
    // While the flag may create channels on Sendbird, it is.
    await setFlag(false);
    expect(urls((await inbox()).body).sort()).toEqual(["legacy_room", "ws_only"]);
    expect(myChannelsCalls().length).toBeGreaterThan(0);
    await setFlag(true);
    const dbPath = t.dbPath;
    await t.close();

    t = await start({ inbox: "always" }, dbPath);
    const always = await inbox();
    expect(always.body.channels.map((c) => [c.channel_url, c.provider]).sort()).toEqual([
      ["legacy_room", "sendbird"],
      ["ws_only", "websocket"],
    ]);
    await t.close();

    t = await start({ inbox: "off" }, dbPath);
    await setFlag(false);
    const before = myChannelsCalls().length;
    expect(urls((await inbox()).body)).toEqual(["ws_only"]);
    expect(myChannelsCalls().length).toBe(before);
  });
});
