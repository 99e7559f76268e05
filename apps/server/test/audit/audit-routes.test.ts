// Every route that changes state writes exactly one audit entry, or is listed in UNAUDITED with
// the reason; a new mutating route with neither fails the last test, naming the route.
import type { AuditLogEntry } from "@podchat/protocol";
import { type SendbirdEmulator, startSendbirdEmulator } from "@podchat/sendbird-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { token } from "../harness.ts";
import { Receiver, SECRET, webhookOverrides } from "../webhooks/receiver.ts";
import { SECRETS, type AuditServer, startAuditServer } from "./support.ts";

let emulator: SendbirdEmulator;
/** A webhook receiver that answers 410 Gone: every event becomes a dead letter at once. */
let gone: Receiver;
let t: AuditServer;
let admin: string;
const secrets: string[] = [SECRETS.apiKey, SECRETS.adminPassword];

beforeAll(async () => {
  emulator = await startSendbirdEmulator({ apiToken: "emulator-token" });
  gone = await new Receiver(SECRET).start();
  gone.behaviour = () => 410;
  t = await startAuditServer({
    overrides: {
      sendbird: { app_id: "local", api_token: "emulator-token", base_url: emulator.url },
      ...webhookOverrides(gone.url, { events: ["channel.created"] }),
    },
  });
  admin = await t.adminToken();
  secrets.push(admin);
  for (const url of ["legacy_one", "legacy_bulk"]) {
    emulator.state.channels.set(url, {
      channel_url: url,
      name: `Legacy ${url}`,
      cover_url: "",
      custom_type: "",
      data: "{}",
      created_at: 1_700_000_000,
      members: ["1"],
      is_distinct: false,
      is_public: false,
      freeze: false,
      operators: [],
      bans: new Map(),
      mutes: new Map(),
      readReceipts: new Map(),
    });
    emulator.state.users.set("1", { user_id: "1", nickname: "1", profile_url: "", created_at: 0 });
    emulator.state.messages.set(url, []);
  }
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
  await gone?.close();
});

/** The id of a dead letter of the "backend" endpoint (a channel.created answered 410). */
async function aDeadLetter(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const res = await t.api("/api/v1/admin/webhooks/dead-letters", { token: admin });
    const { deliveries } = (await res.json()) as { deliveries: Array<{ id: number }> };
    if (deliveries[0]) return deliveries[0].id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no dead letter within 10 s");
}

const C = "/api/v1/chat/channels";
/** The message the pin cases pin and unpin. */
let pinnedSeq = 0;
const A = "/api/v1/admin";
const member = (id: string) => token(id);

interface Case {
  /** The route, as Hono names it. */
  route: string;
  name: string;
  /** Makes the call; answers the response and the path it called (checked against the route). */
  call: () => Promise<{ res: Response; path: string }>;
  status: number;
  /** The one entry it must write; null: it must write none. */
  expect: null | {
    action: string;
    actor: AuditLogEntry["actor"]["kind"];
    check?: (e: AuditLogEntry) => void;
  };
}

const key = (method: string, path: string, json?: unknown) => async () => ({
  res: await t.key(path, { method, ...(json !== undefined ? { json } : {}) }),
  path,
});
const asAdmin = (method: string, path: string, json?: unknown) => async () => ({
  res: await t.api(path, { method, token: admin, ...(json !== undefined ? { json } : {}) }),
  path,
});
const asUser = (user: string, method: string, path: string, json?: unknown) => async () => {
  const jwt = await member(user);
  secrets.push(jwt);
  return { res: await t.api(path, { method, token: jwt, ...(json !== undefined ? { json } : {}) }), path };
};

const cases: Case[] = [
  {
    route: `POST ${C}`,
    name: "create a channel (API key)",
    call: key("POST", C, { channel_url: "au_room", name: "Room", user_ids: ["1", "2", "3"] }),
    status: 201,
    expect: {
      action: "channel.create",
      actor: "api_key",
      check: (e) => {
        expect(e.actor.id).toMatch(/^sha256:[0-9a-f]{12}$/);
        expect(e.target).toEqual({ channel_url: "au_room" });
        expect(e.after).toMatchObject({ name: "Room", user_ids: ["1", "2", "3"] });
      },
    },
  },
  {
    route: `PUT ${C}/:channel_url`,
    name: "update a channel (admin)",
    call: asAdmin("PUT", `${C}/au_room`, { name: "Renamed" }),
    status: 200,
    expect: {
      action: "channel.update",
      actor: "admin",
      check: (e) => {
        expect(e.actor.id).toBe("admin");
        expect(e.before).toMatchObject({ name: "Room" });
        expect(e.after).toMatchObject({ name: "Renamed" });
      },
    },
  },
  {
    route: `PATCH ${C}/:channel_url`,
    name: "patch a channel",
    call: key("PATCH", `${C}/au_room`, { custom_type: "team" }),
    status: 200,
    expect: {
      action: "channel.update",
      actor: "api_key",
      check: (e) => expect(e.after).toMatchObject({ name: "Renamed", custom_type: "team" }),
    },
  },
  {
    route: `POST ${C}/:channel_url/members`,
    name: "add members",
    call: key("POST", `${C}/au_room/members`, { user_ids: ["4", "5"] }),
    status: 200,
    expect: {
      action: "member.add",
      actor: "api_key",
      check: (e) => expect(e.after).toEqual({ user_ids: ["4", "5"], member_count: 5 }),
    },
  },
  {
    route: `DELETE ${C}/:channel_url/members`,
    name: "remove members (body)",
    call: key("DELETE", `${C}/au_room/members`, { user_ids: ["5"] }),
    status: 200,
    expect: {
      action: "member.remove",
      actor: "api_key",
      check: (e) => expect(e.target).toEqual({ channel_url: "au_room", user_id: "5" }),
    },
  },
  {
    route: `DELETE ${C}/:channel_url/members/:user_id`,
    name: "remove one member",
    call: asAdmin("DELETE", `${C}/au_room/members/4`),
    status: 200,
    expect: { action: "member.remove", actor: "admin" },
  },
  {
    route: `POST ${C}/:channel_url/messages`,
    name: "an admin message (ADMM) by API key",
    call: key("POST", `${C}/au_room/messages`, { type: "ADMM", message: "maintenance at 5" }),
    status: 201,
    expect: {
      action: "message.send_admin",
      actor: "api_key",
      check: (e) => expect(e.after).toMatchObject({ seq: 1, message: "maintenance at 5" }),
    },
  },
  {
    route: `POST ${C}/:channel_url/messages`,
    name: "a backend's plain send as a user: chat traffic, not audited",
    call: key("POST", `${C}/au_room/messages`, { user_id: "1", message: "hello from the backend" }),
    status: 201,
    expect: null,
  },
  {
    route: `POST ${C}/:channel_url/messages`,
    name: "a member's own send: not audited",
    call: asUser("2", "POST", `${C}/au_room/messages`, { message: "my own words" }),
    status: 201,
    expect: null,
  },
  {
    route: `PATCH ${C}/:channel_url/messages/:seq`,
    name: "a member edits its own message: not audited",
    call: asUser("2", "PATCH", `${C}/au_room/messages/3`, { message: "my own words, fixed" }),
    status: 200,
    expect: null,
  },
  {
    route: `PATCH ${C}/:channel_url/messages/:seq`,
    name: "an API key edits a message",
    call: key("PATCH", `${C}/au_room/messages/2`, { message: "edited by the backend", user_id: "1" }),
    status: 200,
    expect: {
      action: "message.edit",
      actor: "api_key",
      check: (e) => expect(e.after).toMatchObject({ seq: 2, message: "edited by the backend" }),
    },
  },
  {
    route: `DELETE ${C}/:channel_url/messages/:seq`,
    name: "a member deletes its own message: not audited",
    call: asUser("2", "DELETE", `${C}/au_room/messages/3`),
    status: 204,
    expect: null,
  },
  {
    route: `DELETE ${C}/:channel_url/messages/:seq`,
    name: "an API key deletes a message",
    call: key("DELETE", `${C}/au_room/messages/2`),
    status: 204,
    expect: {
      action: "message.delete",
      actor: "api_key",
      check: (e) => expect(e.before).toEqual({ seq: 2 }),
    },
  },
  {
    route: `POST ${C}/:channel_url/read`,
    name: "a member's read mark: not audited",
    call: asUser("2", "POST", `${C}/au_room/read`, { seq: 1 }),
    status: 200,
    expect: null,
  },
  {
    route: `POST ${C}/:channel_url/files`,
    name: "a member uploads a file: not audited",
    call: async () => {
      const path = `${C}/au_room/files`;
      const form = new FormData();
      form.set("file", new File([new TextEncoder().encode("mine")], "mine.txt", { type: "text/plain" }));
      return { res: await t.api(path, { method: "POST", body: form, token: await member("1") }), path };
    },
    status: 201,
    expect: null,
  },
  {
    route: `POST ${C}/:channel_url/operators`,
    name: "add an operator",
    call: key("POST", `${C}/au_room/operators`, { user_ids: ["1"] }),
    status: 200,
    expect: {
      action: "moderation.operator_add",
      actor: "api_key",
      check: (e) => {
        expect(e.before).toMatchObject({ operators: [] });
        expect(e.after).toMatchObject({ operators: [1] });
      },
    },
  },
  {
    route: `DELETE ${C}/:channel_url/messages/:seq`,
    name: "an operator (member token) deletes another member's message: moderation, audited",
    call: async () => {
      const sent = await t.api(`${C}/au_room/messages`, {
        method: "POST",
        token: await member("2"),
        json: { message: "spam" },
      });
      const { seq } = (await sent.json()) as { seq: number };
      const path = `${C}/au_room/messages/${seq}`;
      return { res: await t.api(path, { method: "DELETE", token: await member("1") }), path };
    },
    status: 204,
    expect: {
      action: "message.delete",
      actor: "user",
      check: (e) => expect(e.actor.id).toBe("1"),
    },
  },
  {
    route: `POST ${C}/:channel_url/pins/:seq`,
    name: "an operator (member token) pins a message",
    call: async () => {
      const sent = await t.api(`${C}/au_room/messages`, {
        method: "POST",
        token: await member("2"),
        json: { message: "pin me" },
      });
      const { seq } = (await sent.json()) as { seq: number };
      pinnedSeq = seq;
      const path = `${C}/au_room/pins/${seq}`;
      return { res: await t.api(path, { method: "POST", token: await member("1") }), path };
    },
    status: 201,
    expect: {
      action: "message.pin",
      actor: "user",
      check: (e) => {
        expect(e.actor.id).toBe("1");
        expect(e.target).toEqual({ channel_url: "au_room" });
        expect(e.after).toMatchObject({ seq: pinnedSeq });
      },
    },
  },
  {
    route: `POST ${C}/:channel_url/pins/:seq`,
    name: "a member who is not an operator may not pin: refused, not audited",
    call: async () => {
      const path = `${C}/au_room/pins/${pinnedSeq}`;
      return { res: await t.api(path, { method: "POST", token: await member("2") }), path };
    },
    status: 403,
    expect: null,
  },
  {
    route: `DELETE ${C}/:channel_url/pins/:seq`,
    name: "an API key unpins a message",
    call: async () => {
      const path = `${C}/au_room/pins/${pinnedSeq}`;
      return { res: await t.key(path, { method: "DELETE" }), path };
    },
    status: 204,
    expect: {
      action: "message.unpin",
      actor: "api_key",
      check: (e) => expect(e.before).toMatchObject({ seq: pinnedSeq }),
    },
  },
  {
    route: `DELETE ${C}/:channel_url/pins/:seq`,
    name: "unpinning a message that is not pinned changes nothing: not audited",
    call: async () => {
      const path = `${C}/au_room/pins/${pinnedSeq}`;
      return { res: await t.key(path, { method: "DELETE" }), path };
    },
    status: 204,
    expect: null,
  },
  {
    route: `POST ${C}/:channel_url/bans`,
    name: "an operator (member token) bans: moderation is audited whoever does it",
    call: asUser("1", "POST", `${C}/au_room/bans`, { user_ids: ["3"], seconds: 600 }),
    status: 200,
    expect: {
      action: "moderation.ban",
      actor: "user",
      check: (e) => {
        expect(e.actor.id).toBe("1");
        expect(e.target).toEqual({ channel_url: "au_room", user_id: "3" });
        expect(e.before).toMatchObject({ banned: [] });
        expect((e.after as { banned: unknown[] }).banned).toHaveLength(1);
      },
    },
  },
  {
    route: `DELETE ${C}/:channel_url/bans/:user_id`,
    name: "lift a ban",
    call: key("DELETE", `${C}/au_room/bans/3`),
    status: 200,
    expect: { action: "moderation.unban", actor: "api_key" },
  },
  {
    route: `POST ${C}/:channel_url/mutes`,
    name: "mute",
    call: asAdmin("POST", `${C}/au_room/mutes`, { user_ids: ["2"] }),
    status: 200,
    expect: { action: "moderation.mute", actor: "admin" },
  },
  {
    route: `DELETE ${C}/:channel_url/mutes/:user_id`,
    name: "lift a mute",
    call: key("DELETE", `${C}/au_room/mutes/2`),
    status: 200,
    expect: { action: "moderation.unmute", actor: "api_key" },
  },
  {
    route: `PUT ${C}/:channel_url/freeze`,
    name: "freeze",
    call: key("PUT", `${C}/au_room/freeze`, { frozen: true }),
    status: 200,
    expect: {
      action: "moderation.freeze",
      actor: "api_key",
      check: (e) => {
        expect(e.before).toMatchObject({ frozen: false });
        expect(e.after).toMatchObject({ frozen: true });
      },
    },
  },
  {
    route: `DELETE ${C}/:channel_url/operators/:user_id`,
    name: "remove an operator",
    call: key("DELETE", `${C}/au_room/operators/1`),
    status: 200,
    expect: { action: "moderation.operator_remove", actor: "api_key" },
  },
  {
    route: `POST ${C}/:channel_url/files`,
    name: "a backend uploads a file",
    call: async () => {
      const path = `${C}/au_room/files`;
      const form = new FormData();
      form.set("file", new File([new TextEncoder().encode("notes")], "notes.txt", { type: "text/plain" }));
      return { res: await t.key(path, { method: "POST", body: form }), path };
    },
    status: 201,
    expect: {
      action: "file.upload",
      actor: "api_key",
      check: (e) => expect(e.after).toMatchObject({ name: "notes.txt", size: 5, mime_type: "text/plain" }),
    },
  },
  {
    route: `POST ${A}/tokens`,
    name: "mint a user token",
    call: async () => {
      const path = `${A}/tokens`;
      const res = await t.api(path, { method: "POST", token: admin, json: { user_id: "42", ttl_s: 600 } });
      secrets.push(((await res.clone().json()) as { token: string }).token);
      return { res, path };
    },
    status: 201,
    expect: {
      action: "token.mint",
      actor: "admin",
      check: (e) => {
        expect(e.target).toEqual({ user_id: "42" });
        expect(e.after).toMatchObject({ ttl_s: 600 });
      },
    },
  },
  {
    route: `POST /api/v1/chat/users/:user_id/revoke-tokens`,
    name: "revoke a user's tokens (API key)",
    call: key("POST", "/api/v1/chat/users/77/revoke-tokens"),
    status: 200,
    expect: {
      action: "token.revoke",
      actor: "api_key",
      check: (e) => {
        expect(e.target).toEqual({ user_id: "77" });
        expect(e.after).toMatchObject({ revoked_at: expect.any(String) });
      },
    },
  },
  {
    route: `POST ${A}/users/:user_id/revoke-tokens`,
    name: "revoke a user's tokens (admin)",
    call: asAdmin("POST", `${A}/users/78/revoke-tokens`),
    status: 200,
    expect: {
      action: "token.revoke",
      actor: "admin",
      check: (e) => expect(e.target).toEqual({ user_id: "78" }),
    },
  },
  {
    route: `POST /api/v1/chat/users/:user_id/push/devices`,
    name: "a user registers its own push device: not audited",
    call: asUser("2", "POST", "/api/v1/chat/users/2/push/devices", { kind: "fcm", token: "au-own-token" }),
    status: 201,
    expect: null,
  },
  {
    route: `POST /api/v1/chat/users/:user_id/push/devices`,
    name: "an API key registers a user's push device",
    call: key("POST", "/api/v1/chat/users/2/push/devices", { kind: "apns", token: "ab".repeat(32) }),
    status: 201,
    expect: {
      action: "push.device_register",
      actor: "api_key",
      check: (e) => {
        expect(e.target).toEqual({ user_id: "2" });
        expect(e.after).toMatchObject({ kind: "apns", address: "…abababab" });
        expect(JSON.stringify(e)).not.toContain("ab".repeat(32));
      },
    },
  },
  {
    route: `DELETE /api/v1/chat/users/:user_id/push/devices`,
    name: "an API key removes a user's push device",
    call: key("DELETE", "/api/v1/chat/users/2/push/devices", { token: "au-own-token" }),
    status: 200,
    expect: {
      action: "push.device_remove",
      actor: "api_key",
      check: (e) => expect(e.after).toEqual({ removed: 1 }),
    },
  },
  {
    route: `PUT /api/v1/chat/users/:user_id/push/settings`,
    name: "a user snoozes its own pushes: not audited",
    call: asUser("2", "PUT", "/api/v1/chat/users/2/push/settings", { muted: false }),
    status: 200,
    expect: null,
  },
  {
    route: `PUT /api/v1/chat/users/:user_id/push/settings`,
    name: "an API key mutes a user's pushes",
    call: key("PUT", "/api/v1/chat/users/2/push/settings", { muted: true }),
    status: 200,
    expect: {
      action: "push.mute",
      actor: "api_key",
      check: (e) => expect(e.target).toEqual({ user_id: "2" }),
    },
  },
  {
    route: `PUT /api/v1/chat/users/:user_id/push/channels/:channel_url`,
    name: "an API key mutes a channel's pushes for a user",
    call: key("PUT", "/api/v1/chat/users/2/push/channels/au_room", {
      muted: true,
      until: "2030-01-01T00:00:00Z",
    }),
    status: 200,
    expect: {
      action: "push.mute",
      actor: "api_key",
      check: (e) => expect(e.target).toEqual({ user_id: "2", channel_url: "au_room" }),
    },
  },
  {
    route: `PUT ${A}/flags/overrides/:channel_url`,
    name: "pin a channel to a provider",
    call: asAdmin("PUT", `${A}/flags/overrides/pinned_room`, { provider: "sendbird" }),
    status: 200,
    expect: {
      action: "flag.override_set",
      actor: "admin",
      check: (e) => {
        expect(e.before).toBeNull();
        expect(e.after).toEqual({ provider: "sendbird" });
      },
    },
  },
  {
    route: `DELETE ${A}/flags/overrides/:channel_url`,
    name: "remove the override",
    call: asAdmin("DELETE", `${A}/flags/overrides/pinned_room`),
    status: 204,
    expect: {
      action: "flag.override_delete",
      actor: "admin",
      check: (e) => expect(e.before).toEqual({ provider: "sendbird" }),
    },
  },
  {
    route: `PUT ${A}/flags/:env`,
    name: "set an environment's flag",
    call: asAdmin("PUT", `${A}/flags/stg`, { rollout_percent: 25 }),
    status: 200,
    expect: {
      action: "flag.set",
      actor: "admin",
      check: (e) => {
        expect(e.before).toMatchObject({ env: "stg" });
        expect(e.after).toMatchObject({ env: "stg", rollout_percent: 25 });
      },
    },
  },
  {
    route: `POST ${A}/channels/:channel_url/migrate`,
    name: "start a migration",
    call: asAdmin("POST", `${A}/channels/legacy_one/migrate`),
    status: 202,
    expect: {
      action: "migration.start",
      actor: "admin",
      check: (e) => expect(e.target).toEqual({ channel_url: "legacy_one" }),
    },
  },
  {
    route: `POST ${A}/migrations`,
    name: "start a bulk migration",
    call: asAdmin("POST", `${A}/migrations`, { q: "legacy_bulk" }),
    status: 202,
    expect: {
      action: "migration.start_bulk",
      actor: "admin",
      check: (e) =>
        expect(e.after).toMatchObject({ q: "legacy_bulk", jobs: [{ channel_url: "legacy_bulk" }] }),
    },
  },
  {
    route: `POST ${A}/webhooks/dead-letters/:id/redeliver`,
    name: "redeliver one dead webhook event",
    call: async () => {
      const path = `${A}/webhooks/dead-letters/${await aDeadLetter()}/redeliver`;
      return { res: await t.api(path, { method: "POST", token: admin }), path };
    },
    status: 200,
    expect: {
      action: "webhook.redeliver",
      actor: "admin",
      check: (e) => {
        expect(e.before).toMatchObject({ state: "dead" });
        expect(e.after).toMatchObject({ state: "pending" });
      },
    },
  },
  {
    route: `POST ${A}/webhooks/endpoints/:id/redeliver`,
    name: "redeliver every dead webhook event of an endpoint",
    call: asAdmin("POST", `${A}/webhooks/endpoints/backend/redeliver`),
    status: 200,
    expect: {
      action: "webhook.redeliver_all",
      actor: "admin",
      check: (e) => expect(e.after).toMatchObject({ endpoint_id: "backend" }),
    },
  },
  {
    route: `POST ${A}/login`,
    name: "a failed sign-in",
    call: async () => {
      const path = `${A}/login`;
      return {
        res: await t.api(path, {
          method: "POST",
          noKey: true,
          json: { username: "root", password: "guess-1" },
        }),
        path,
      };
    },
    status: 401,
    expect: {
      action: "admin.login_failed",
      actor: "admin",
      check: (e) => expect(e.actor.id).toBe("root"),
    },
  },
  {
    route: `POST ${A}/login`,
    name: "a sign-in",
    call: async () => {
      const path = `${A}/login`;
      const res = await t.api(path, {
        method: "POST",
        noKey: true,
        json: { username: "admin", password: SECRETS.adminPassword },
      });
      secrets.push(((await res.clone().json()) as { token: string }).token);
      return { res, path };
    },
    status: 200,
    expect: { action: "admin.login", actor: "admin" },
  },
  {
    route: `DELETE ${C}/:channel_url`,
    name: "delete a channel",
    call: key("DELETE", `${C}/au_room`),
    status: 204,
    expect: {
      action: "channel.delete",
      actor: "api_key",
      check: (e) => expect(e.before).toMatchObject({ name: "Renamed", member_count: 3 }),
    },
  },
  {
    route: `DELETE ${C}/:channel_url`,
    name: "a refused change (no such channel) writes nothing",
    call: key("DELETE", `${C}/au_room`),
    status: 404,
    expect: null,
  },
];

/** Routes that change state but are never audited, and why. */
const UNAUDITED: Record<string, string> = {
  [`POST ${C}/:channel_url/read`]: "a member's own read mark (member token only): chat traffic",
};

function mutatingRoutes(routes: ReadonlyArray<{ method: string; path: string }>): string[] {
  return [
    ...new Set(
      routes
        .filter((r) => !["GET", "HEAD", "OPTIONS", "ALL"].includes(r.method))
        .map((r) => `${r.method} ${r.path}`),
    ),
  ];
}

/** The mutating routes no case shows writing an entry and UNAUDITED does not excuse. */
function uncovered(mutating: string[]): string[] {
  const audited = new Set(cases.filter((c) => c.expect !== null).map((c) => c.route));
  return mutating.filter((r) => !audited.has(r) && !(r in UNAUDITED));
}

const toRegex = (path: string) => new RegExp(`^${path.replace(/:\w+/g, "[^/]+")}$`);

describe("the audit log of every mutating route", () => {
  for (const c of cases) {
    it(`${c.route}: ${c.name}`, async () => {
      const before = await t.newestId(admin);
      const { res, path } = await c.call();
      const [method, route] = c.route.split(" ") as [string, string];
      expect(res.status, await res.clone().text()).toBe(c.status);
      expect(toRegex(route).test(path), `${path} is not ${route}`).toBe(true);
      expect(method).toBeTruthy();
      const entries = await t.entriesAfter(before, admin);
      if (c.expect === null) {
        expect(entries).toEqual([]);
        return;
      }
      expect(entries.map((e) => e.action)).toEqual([c.expect.action]);
      const e = entries[0]!;
      expect(e.actor.kind).toBe(c.expect.actor);
      expect(e.node_id).toBe(t.server.bus.nodeId);
      expect(e.request_id).toBeTruthy();
      expect(e.ip).toBe("127.0.0.1");
      expect(Date.parse(e.at)).toBeGreaterThan(Date.now() - 60_000);
      c.expect.check?.(e);
    });
  }

  it("covers every non-GET route the app has, or names it", () => {
    const mutating = mutatingRoutes(t.server.app.routes);
    expect(mutating.length).toBeGreaterThan(20);
    expect(uncovered(mutating), "mutating routes with no test showing their audit entry").toEqual([]);
    // A route added tomorrow without a case is named.
    expect(uncovered([...mutating, "POST /api/v1/admin/something-new"])).toEqual([
      "POST /api/v1/admin/something-new",
    ]);
    for (const r of Object.keys(UNAUDITED)) {
      expect(mutating, `UNAUDITED lists ${r}, which is no route`).toContain(r);
      expect(
        cases.some((c) => c.route === r && c.expect === null),
        `${r}: no case shows it writes nothing`,
      ).toBe(true);
    }
  });

  it("logs each entry as one `audit` line, at info although the server logs at warn", async () => {
    const entries = (await (await t.api("/api/v1/admin/audit?limit=500", { token: admin })).json()) as {
      entries: AuditLogEntry[];
    };
    const logged = t.lines.filter((l) => l.msg === "audit");
    expect(logged.every((l) => l.level === 30)).toBe(true);
    expect(logged.map((l) => (l.audit as AuditLogEntry).id).sort()).toEqual(
      entries.entries.map((e) => e.id).sort(),
    );
    const one = logged.find((l) => (l.audit as AuditLogEntry).action === "channel.delete")!;
    expect(one.audit).toEqual(entries.entries.find((e) => e.action === "channel.delete"));
  });

  it("keeps no secret in the entries, the export or the logs (API key, password, tokens)", async () => {
    const stored = JSON.stringify(await t.server.store.listAudit({ limit: 1000 }));
    const exported = await (await fetch(`${t.url}${A}/audit/export?access_token=${admin}`)).text();
    const logs = JSON.stringify(t.lines);
    expect(secrets.length).toBeGreaterThan(5);
    for (const s of secrets) {
      expect(stored.includes(s), `an entry holds ${s.slice(0, 12)}…`).toBe(false);
      expect(exported.includes(s), `the export holds ${s.slice(0, 12)}…`).toBe(false);
      expect(logs.includes(s), `a log line holds ${s.slice(0, 12)}…`).toBe(false);
    }
    expect(exported.split("\n").filter(Boolean).length).toBeGreaterThan(20);
  });
});
