import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshSchema } from "../scale-out/cluster.ts";
import {
  type StartOptions,
  type TestServer,
  type TestSocket,
  createChannel,
  startServer,
  token,
} from "../harness.ts";
import { findPostgres, warnSkipped } from "../services.ts";
import { inboxPage, messagesOf, sendOn, subscribe, userSocket } from "./support.ts";

const pg = await findPostgres();

/** Both stores: the same suite on SQLite and on PostgreSQL (a schema of its own). */
const stores: Array<{ name: string; options: () => Promise<StartOptions>; done?: () => Promise<void> }> = [
  { name: "SQLite", options: async () => ({}) },
];
if ("url" in pg) {
  const schema = await freshSchema(pg.url);
  afterAll(() => schema.drop());
  stores.push({
    name: "PostgreSQL",
    options: async () => ({
      overrides: {
        store: { driver: "postgres", postgres: { url: pg.url, schema: schema.name, max_connections: 5 } },
      },
    }),
  });
} else warnSkipped("user connection on PostgreSQL", pg.skip);

let n = 0;
const fresh = (p: string) => `${p}_${Date.now().toString(36)}_${n++}`;

describe.each(stores)("user connection ($name)", ({ options }) => {
  const servers: TestServer[] = [];
  const sockets: TestSocket[] = [];
  const start = async (extra: StartOptions = {}) => {
    const o = await options();
    const t = await startServer({ ...o, ...extra, overrides: { ...o.overrides, ...extra.overrides } });
    servers.push(t);
    return t;
  };
  const open = async (t: TestServer, user: string) => {
    const r = await userSocket(t, user);
    sockets.push(r.s);
    return r;
  };
  // Users of their own per test: on PostgreSQL the tests share one schema.
  let run = 0;
  beforeEach(() => {
    run++;
  });
  const u = (name: string) => `${name}_${run}`;
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const t of servers.splice(0)) await t.close();
  });

  it("opens with READY and the total unread; lists the user's channels newest first with unread, filters and cursor", async () => {
    const t = await start();
    const [a, b, c] = [fresh("ia"), fresh("ib"), fresh("ic")];
    await createChannel(t, a, [u("u1"), u("u2")], { custom_type: "party" });
    await createChannel(t, b, [u("u1"), u("u2")]);
    await createChannel(t, c, [u("u2")]);
    const post = (url: string, user: string, message: string) =>
      t.api(`/api/v1/chat/channels/${url}/messages`, { method: "POST", json: { user_id: u(user), message } });
    await post(a, "u2", "a1");
    await post(b, "u2", "b1");
    await post(b, "u2", "b2");
    await post(a, "u1", "own message, never unread");
    const { s, ready } = await open(t, u("u1"));
    expect(ready).toMatchObject({ type: "READY", user_id: u("u1"), total_unread: 3 });
    const page = await inboxPage(s);
    expect(page.type).toBe("INBOX_PAGE");
    const rows = page.channels as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.channel_url)).toEqual([a, b]);
    expect(rows[0]).toMatchObject({
      unread_count: 1,
      last_read_seq: 0,
      member_count: 2,
      custom_type: "party",
      provider: "websocket",
      last_message: { message: "own message, never unread", seq: 2 },
    });
    expect(rows[1]).toMatchObject({ unread_count: 2, last_message: { message: "b2" } });
    expect(page.total_unread).toBe(3);
    // Filters and paging.
    expect(((await inboxPage(s, { custom_type: "party" })).channels as unknown[]).length).toBe(1);
    expect(((await inboxPage(s, { name_prefix: b.slice(0, 4) })).channels as unknown[]).length).toBe(1);
    const first = await inboxPage(s, { limit: 1 });
    expect((first.channels as Array<{ channel_url: string }>).map((r) => r.channel_url)).toEqual([a]);
    const second = await inboxPage(s, { limit: 1, cursor: first.next_cursor });
    expect((second.channels as Array<{ channel_url: string }>).map((r) => r.channel_url)).toEqual([b]);
    expect(second.next_cursor).toBeNull();
    // Bad filters are refused with a clear error; the socket stays.
    expect(await inboxPage(s, { limit: 1000 })).toMatchObject({ type: "ERROR", code: "INVALID_FRAME" });
    // The same list over REST: the user's own token or an API key; not another user's token.
    const rest = await t.api(`/api/v1/chat/users/${u("u1")}/channels?limit=1&unread_only=true`, {
      token: await token(u("u1")),
    });
    expect(rest.status).toBe(200);
    expect(await rest.json()).toMatchObject({ channels: [{ channel_url: a }], total_unread: 3 });
    expect(
      (await t.api(`/api/v1/chat/users/${u("u1")}/channels`, { token: await token(u("u2")) })).status,
    ).toBe(403);
    expect(await (await t.api(`/api/v1/chat/users/${u("u1")}/unread`)).json()).toEqual({
      user_id: u("u1"),
      total_unread: 3,
    });
  });

  it("subscribes per channel with its own since_seq and replays exactly what was missed; unsubscribed channels come as INBOX_MESSAGE", async () => {
    const t = await start();
    const [a, b, c] = [fresh("sa"), fresh("sb"), fresh("sc")];
    for (const url of [a, b, c]) await createChannel(t, url, [u("1"), u("2")]);
    const { s: sender } = await open(t, u("2"));
    for (const url of [a, b, c]) expect((await subscribe(sender, url)).type).toBe("SUBSCRIBED");
    for (let i = 1; i <= 3; i++) await sendOn(sender, a, `a${i}`);
    for (let i = 1; i <= 2; i++) await sendOn(sender, b, `b${i}`);
    const { s } = await open(t, u("1"));
    expect(await subscribe(s, a, 1)).toMatchObject({
      type: "SUBSCRIBED",
      channel_url: a,
      last_seq: 3,
      since_seq: 1,
    });
    expect(await subscribe(s, b, 0)).toMatchObject({ type: "SUBSCRIBED", channel_url: b, last_seq: 2 });
    await s.next((f) => f.type === "MESG" && f.channel_url === b && f.seq === 2);
    expect(messagesOf(s, a).map((f) => f.message)).toEqual(["a2", "a3"]);
    expect(messagesOf(s, b).map((f) => f.message)).toEqual(["b1", "b2"]);
    // Live: a subscribed channel gets its messages; an unsubscribed one its inbox event only.
    await sendOn(sender, a, "a4");
    await s.next((f) => f.type === "MESG" && f.message === "a4");
    await sendOn(sender, c, "unsubscribed");
    const inbox = await s.type("INBOX_MESSAGE");
    expect(inbox).toMatchObject({ channel_url: c, entry: { type: "MESG", message: "unsubscribed", seq: 1 } });
    expect(s.frames.filter((f) => f.type === "INBOX_MESSAGE" && f.channel_url === a)).toEqual([]);
    // Unsubscribing turns the channel back into inbox events.
    s.send({ type: "UNSUBSCRIBE", channel_url: a, req_id: "un" });
    expect(await s.next((f) => f.req_id === "un")).toMatchObject({ type: "UNSUBSCRIBED", channel_url: a });
    await sendOn(sender, a, "a5");
    expect(await s.next((f) => f.type === "INBOX_MESSAGE" && f.channel_url === a)).toMatchObject({
      entry: { message: "a5", seq: 5 },
    });
    expect(messagesOf(s, a).map((f) => f.message)).toEqual(["a2", "a3", "a4"]);
  });

  it("refuses a subscription to a channel the user is not in, on that channel only; channel frames need a subscription", async () => {
    const t = await start();
    const [mine, theirs] = [fresh("mine"), fresh("theirs")];
    await createChannel(t, mine, [u("1")]);
    await createChannel(t, theirs, [u("2")]);
    const { s } = await open(t, u("1"));
    expect(await subscribe(s, theirs)).toMatchObject({
      type: "ERROR",
      code: "NOT_MEMBER",
      channel_url: theirs,
    });
    expect(await subscribe(s, "no_such_channel")).toMatchObject({ type: "ERROR", code: "CHANNEL_NOT_FOUND" });
    expect(await sendOn(s, mine, "before subscribing")).toMatchObject({
      type: "ERROR",
      code: "NOT_SUBSCRIBED",
    });
    s.send({ type: "MESG", message: "no channel", req_id: "nc" });
    expect(await s.next((f) => f.req_id === "nc")).toMatchObject({ type: "ERROR", code: "NOT_SUBSCRIBED" });
    expect((await subscribe(s, mine)).type).toBe("SUBSCRIBED");
    expect(await sendOn(s, mine, "hello")).toMatchObject({ type: "ACK", seq: 1 });
    expect(s.closeCode).toBeNull();
    // The per-channel endpoint's frames stay as they were: no SUBSCRIBE there.
    expect((await t.api(`/api/v1/chat/channels/${theirs}/messages?limit=5`)).status).toBe(200);
  });

  it("refuses subscriptions past limits.max_subscriptions_per_socket on that channel only, and frees a slot on UNSUBSCRIBE", async () => {
    const t = await start({ overrides: { limits: { max_subscriptions_per_socket: 2 } } });
    const urls = [fresh("l1"), fresh("l2"), fresh("l3")];
    for (const url of urls) await createChannel(t, url, [u("1")]);
    const { s } = await open(t, u("1"));
    // Three at once: the limit holds even when the admissions overlap.
    const replies = await Promise.all(urls.map((url) => subscribe(s, url)));
    expect(replies.filter((r) => r.type === "SUBSCRIBED")).toHaveLength(2);
    const refused = replies.find((r) => r.type === "ERROR")!;
    expect(refused).toMatchObject({ code: "TOO_MANY_SUBSCRIPTIONS" });
    expect(urls).toContain(refused.channel_url);
    // Subscribing again to a channel already held is not a new slot.
    const held = replies.find((r) => r.type === "SUBSCRIBED")!.channel_url as string;
    expect((await subscribe(s, held)).type).toBe("SUBSCRIBED");
    s.send({ type: "UNSUBSCRIBE", channel_url: held, req_id: "un1" });
    await s.next((f) => f.req_id === "un1" && f.type === "UNSUBSCRIBED");
    expect((await subscribe(s, refused.channel_url as string)).type).toBe("SUBSCRIBED");
    expect(s.closeCode).toBeNull();
  });

  it("ends a subscription live when the user is removed, tells the inbox, and adds channels the user joins", async () => {
    const t = await start();
    const [a, b] = [fresh("rm"), fresh("add")];
    await createChannel(t, a, [u("1"), u("2")]);
    await createChannel(t, b, [u("2")]);
    const { s } = await open(t, u("1"));
    expect((await subscribe(s, a)).type).toBe("SUBSCRIBED");
    await t.api(`/api/v1/chat/channels/${b}/members`, { method: "POST", json: { user_ids: [u("1")] } });
    expect(await s.type("INBOX_ADDED")).toMatchObject({
      channel: { channel_url: b, unread_count: 0 },
      total_unread: 0,
    });
    await t.api(`/api/v1/chat/channels/${b}/messages`, {
      method: "POST",
      json: { user_id: u("2"), message: "welcome" },
    });
    expect(await s.type("INBOX_MESSAGE")).toMatchObject({ channel_url: b, entry: { message: "welcome" } });
    await t.api(`/api/v1/chat/channels/${a}/members`, { method: "DELETE", json: { user_ids: [u("1")] } });
    expect(await s.type("UNSUBSCRIBED")).toMatchObject({ channel_url: a, code: "NOT_MEMBER" });
    expect(await s.type("INBOX_REMOVED")).toMatchObject({
      channel_url: a,
      reason: "removed",
      total_unread: 1,
    });
    expect(s.closeCode).toBeNull();
    await t.api(`/api/v1/chat/channels/${a}/messages`, {
      method: "POST",
      json: { user_id: u("2"), message: "gone" },
    });
    await t.api(`/api/v1/chat/channels/${b}/messages`, {
      method: "POST",
      json: { user_id: u("2"), message: "still here" },
    });
    await s.next(
      (f) => f.type === "INBOX_MESSAGE" && (f.entry as { message: string }).message === "still here",
    );
    expect(s.frames.some((f) => JSON.stringify(f).includes('"gone"'))).toBe(false);
    await t.api(`/api/v1/chat/channels/${b}`, { method: "DELETE" });
    expect(await s.type("INBOX_REMOVED")).toMatchObject({
      channel_url: b,
      reason: "deleted",
      total_unread: 0,
    });
  });

  it("tells every device of the user their exact unread when they read on one", async () => {
    const t = await start();
    const url = fresh("reads");
    await createChannel(t, url, [u("1"), u("2")]);
    for (let i = 0; i < 4; i++)
      await t.api(`/api/v1/chat/channels/${url}/messages`, {
        method: "POST",
        json: { user_id: u("2"), message: `m${i}` },
      });
    const phone = (await open(t, u("1"))).s;
    const laptop = (await open(t, u("1"))).s;
    phone.send({ type: "READ", channel_url: url, seq: 3 });
    for (const device of [phone, laptop]) {
      expect(await device.type("INBOX_READ")).toMatchObject({
        channel_url: url,
        last_read_seq: 3,
        unread_count: 1,
        total_unread: 1,
      });
    }
  });

  it("resumes every channel exactly after a cut and after a server restart", async () => {
    const first = await start();
    const urls = [fresh("ra"), fresh("rb"), fresh("rc")];
    for (const url of urls) await createChannel(first, url, [u("1"), u("2")]);
    const post = (t: TestServer, url: string, m: string) =>
      t.api(`/api/v1/chat/channels/${url}/messages`, {
        method: "POST",
        json: { user_id: u("2"), message: m },
      });
    const seen = new Map<string, string[]>(urls.map((u) => [u, []]));
    const last = new Map<string, number>(urls.map((u) => [u, 0]));
    const follow = async (t: TestServer) => {
      const { s } = await open(t, u("1"));
      s.ws.on("message", (d) => {
        const f = JSON.parse(d.toString());
        if (f.type !== "MESG") return;
        seen.get(f.channel_url)!.push(f.message);
        last.set(f.channel_url, f.seq);
      });
      for (const url of urls) await subscribe(s, url, last.get(url));
      return s;
    };
    let s = await follow(first);
    for (const url of urls) await post(first, url, `${url}-1`);
    await s.next((f) => f.type === "MESG" && f.message === `${urls[2]}-1`);
    s.close();
    await s.closed();
    for (const url of urls) await post(first, url, `${url}-2`);
    s = await follow(first);
    await s.next((f) => f.type === "MESG" && f.message === `${urls[2]}-2`);
    s.close();
    // A restart on the same database: every channel resumes from its own seq.
    const dbPath = first.dbPath;
    servers.splice(servers.indexOf(first), 1);
    await first.close();
    const second = await start({ dbPath });
    for (const url of urls) await post(second, url, `${url}-3`);
    s = await follow(second);
    await s.next((f) => f.type === "MESG" && f.message === `${urls[2]}-3`);
    for (const url of urls) expect(seen.get(url)).toEqual([`${url}-1`, `${url}-2`, `${url}-3`]);
  });

  it("delivers 10,000 messages over 200 channels exactly once each, in order, through random socket cuts", async () => {
    const t = await start({
      overrides: { limits: { messages_per_second: 100_000, message_burst: 100_000 } },
    });
    const channels = Array.from({ length: 200 }, (_, i) => `bulk_${n}_${i}`);
    n++;
    for (const url of channels) await createChannel(t, url, [u("r"), u("w")]);
    const got = new Map<string, number[]>(channels.map((u) => [u, []]));
    const last = new Map<string, number>(channels.map((u) => [u, 0]));
    let receiver: TestSocket | null = null;
    const connectReceiver = async () => {
      const { s } = await open(t, u("r"));
      s.ws.on("message", (d) => {
        const f = JSON.parse(d.toString());
        if (f.type !== "MESG") return;
        got.get(f.channel_url)!.push(f.seq);
        last.set(f.channel_url, f.seq);
      });
      // Resubscribe with each channel's own last seq, pipelined.
      const subs = channels.map((url) => subscribe(s, url, last.get(url)));
      await Promise.all(subs);
      receiver = s;
    };
    await connectReceiver();
    const { s: writer } = await open(t, u("w"));
    await Promise.all(channels.map((url) => subscribe(writer, url)));
    const total = 10_000;
    const acks: Array<Promise<unknown>> = [];
    let cuts = 0;
    for (let i = 0; i < total; i++) {
      writer.send({ type: "MESG", channel_url: channels[i % 200], message: `x${i}`, req_id: `w${i}` });
      if (i % 500 === 499) {
        acks.push(writer.next((f) => f.req_id === `w${i}`, 20_000));
        await acks.at(-1);
        if (((i + 1) / 500) % 2 === 1) {
          receiver!.ws.terminate();
          cuts++;
          await connectReceiver();
        }
      }
    }
    const deadline = Date.now() + 20_000;
    while ([...got.values()].reduce((a, v) => a + v.length, 0) < total && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    for (const url of channels)
      expect(got.get(url), url).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(cuts).toBeGreaterThan(0);
  }, 120_000);
});
