import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import type { Context } from "hono";
import * as z from "zod";
import type {
  EmulatorChannel,
  EmulatorMessage,
  EmulatorRestriction,
  EmulatorState,
  EmulatorUser,
} from "./emulator-state.ts";
import type { FaultQueue } from "./faults.ts";
import { registerUserChannelRoutes } from "./my-group-channels.ts";
import { paginate } from "./paging.ts";
import {
  CreateChannelBody,
  CreateUserBody,
  FreezeBody,
  InviteBody,
  ListChannelsQuery,
  ListMembersQuery,
  ListMessagesQuery,
  OperatorIdsBody,
  OperatorIdsQuery,
  PageQuery,
  RestrictBody,
  SendMessageBody,
  ShowMemberQuery,
  UpdateChannelBody,
  UpdateMessageBody,
  UserIdBody,
  UserIdsBody,
  UserIdsQuery,
  parseOrThrow,
} from "./request-schemas.ts";
import {
  briefUser,
  channelResource,
  isActive,
  memberResource,
  messageResource,
  unreadCountOf,
  userResource,
} from "./sendbird-resources.ts";
import {
  EmulatorHttpError,
  SendbirdErrorCode,
  defaultMessageFor,
  invalidValue,
  notFound,
} from "./sendbird-error.ts";

export interface EmulatorAppDeps {
  state: EmulatorState;
  faults: FaultQueue;
  apiToken: string;
}

const FaultCommand = z.discriminatedUnion("action", [
  z.object({
    action: z.literal("fail"),
    count: z.number().int().min(0).max(1000),
    status: z.number().int().min(400).max(599),
    code: z.number().int().optional(),
    retry_after_ms: z.number().int().min(0).optional(),
  }),
  z.object({
    action: z.literal("delay"),
    count: z.number().int().min(0).max(1000),
    ms: z.number().int().min(0).max(600_000),
  }),
  z.object({ action: z.literal("reset") }),
]);

/**
 * The emulator's HTTP app: the Sendbird Platform API v3 endpoints podchat's `SendbirdService` uses,
 * under `/v3`, plus a control surface under `/__emulator` for tests in other processes.
 */
export function createEmulatorApp({ state, faults, apiToken }: EmulatorAppDeps): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof EmulatorHttpError) {
      return c.json(err.toBody(), err.status as 400, err.headers);
    }
    return c.json(
      { error: true, code: SendbirdErrorCode.INTERNAL_SERVER_ERROR, message: "Internal server error." },
      500,
    );
  });

  app.notFound((c) =>
    c.json(
      { error: true, code: SendbirdErrorCode.INVALID_REQUEST_URL, message: "Invalid request URL." },
      404,
    ),
  );

  app.post("/__emulator/faults", async (c) => {
    const command = parseOrThrow(FaultCommand, await readJson(c));
    if (command.action === "fail") {
      const options = command.retry_after_ms === undefined ? {} : { retryAfterMs: command.retry_after_ms };
      faults.failNext(command.count, command.status, command.code, options);
    } else if (command.action === "delay") {
      faults.delayNext(command.count, command.ms);
    } else {
      faults.reset();
    }
    return c.json({ pending: faults.pending });
  });

  app.post("/__emulator/reset", (c) => {
    faults.reset();
    state.clear();
    return c.json({});
  });

  app.use("/v3/*", async (c, next) => {
    const fault = faults.take();
    const url = new URL(c.req.url);
    state.requests.push({
      method: c.req.method,
      path: url.pathname,
      query: url.search.slice(1),
      outcome: fault?.kind === "fail" ? "fault" : "handled",
    });
    if (fault?.kind === "delay") await faults.hold(fault.ms);
    if (fault?.kind === "fail") throw injectedFailure(fault.status, fault.code, fault.retryAfterMs);
    if (c.req.header("Api-Token") !== apiToken) {
      throw new EmulatorHttpError(
        401,
        SendbirdErrorCode.INVALID_API_TOKEN,
        defaultMessageFor(SendbirdErrorCode.INVALID_API_TOKEN),
      );
    }
    await next();
  });

  // --- users ---------------------------------------------------------------------------------

  app.post("/v3/users", async (c) => {
    const body = parseOrThrow(CreateUserBody, await readJson(c));
    if (state.users.has(body.user_id)) throw alreadyExists("user_id");
    const user = {
      user_id: body.user_id,
      nickname: body.nickname,
      profile_url: body.profile_url,
      created_at: Math.floor(state.now() / 1000),
    };
    state.users.set(user.user_id, user);
    return c.json(userResource(user));
  });

  registerUserChannelRoutes(app, state);

  app.get("/v3/users/:user_id", (c) => {
    const user = state.users.get(c.req.param("user_id"));
    if (!user) throw notFound("user");
    return c.json(userResource(user));
  });

  // --- group channels ------------------------------------------------------------------------

  app.post("/v3/group_channels", async (c) => {
    const body = parseOrThrow(CreateChannelBody, await readJson(c));
    const userIds = unique([...(body.user_ids ?? []), ...(body.users ?? []).map((u) => u.user_id)]);
    requireUsers(state, userIds);
    if (body.is_distinct) {
      // "If set to true, returns a channel with the same users in the user_ids field or creates a
      // new one if no channel exists" (Create a group channel).
      const same = [...state.channels.values()].find(
        (ch) => ch.is_distinct && sameMembers(ch.members, userIds),
      );
      if (same) return c.json({ ...channelResource(state, same, true), is_created: false });
    }
    const channelUrl = body.channel_url ?? `sendbird_group_channel_${randomBytes(12).toString("hex")}`;
    if (state.channels.has(channelUrl)) throw alreadyExists("channel_url");
    const channel: EmulatorChannel = {
      channel_url: channelUrl,
      name: body.name ?? "group channel",
      cover_url: body.cover_url ?? "",
      custom_type: body.custom_type ?? "",
      data: body.data ?? "",
      created_at: Math.floor(state.now() / 1000),
      members: userIds,
      is_distinct: body.is_distinct ?? false,
      is_public: body.is_public ?? false,
      freeze: false,
      operators: [],
      bans: new Map(),
      mutes: new Map(),
      readReceipts: new Map(),
    };
    state.channels.set(channelUrl, channel);
    state.messages.set(channelUrl, []);
    return c.json({ ...channelResource(state, channel, true), is_created: true });
  });

  app.get("/v3/group_channels", (c) => {
    const query = parseOrThrow(ListChannelsQuery, c.req.query());
    const urls = query.channel_urls?.split(",").filter(Boolean);
    const needle = query.name_contains?.toLowerCase();
    const matching = [...state.channels.values()].filter(
      (ch) =>
        (query.show_empty || (state.messages.get(ch.channel_url)?.length ?? 0) > 0) &&
        (!urls || urls.includes(ch.channel_url)) &&
        (!needle || ch.name.toLowerCase().includes(needle)),
    );
    const { page, next } = paginate(matching, query.token, query.limit);
    return c.json({ channels: page.map((ch) => channelResource(state, ch, query.show_member)), next });
  });

  app.get("/v3/group_channels/:channel_url", (c) => {
    const query = parseOrThrow(ShowMemberQuery, c.req.query());
    return c.json(
      channelResource(
        state,
        requireChannel(state, c.req.param("channel_url")),
        query.show_member,
        query.show_read_receipt,
      ),
    );
  });

  app.put("/v3/group_channels/:channel_url", async (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const body = parseOrThrow(UpdateChannelBody, await readJson(c));
    if (body.name !== undefined) channel.name = body.name;
    if (body.cover_url !== undefined) channel.cover_url = body.cover_url;
    if (body.custom_type !== undefined) channel.custom_type = body.custom_type;
    if (body.data !== undefined) channel.data = body.data;
    return c.json(channelResource(state, channel, false));
  });

  app.delete("/v3/group_channels/:channel_url", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    state.channels.delete(channel.channel_url);
    state.messages.delete(channel.channel_url);
    return c.json({});
  });

  // --- members -------------------------------------------------------------------------------

  app.post("/v3/group_channels/:channel_url/invite", async (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const body = parseOrThrow(InviteBody, await readJson(c));
    const userIds = unique([...(body.user_ids ?? []), ...(body.users ?? []).map((u) => u.user_id)]);
    requireUsers(state, userIds);
    const banned = userIds.find((id) => isActive(channel.bans.get(id), state.now()));
    if (banned !== undefined) {
      throw new EmulatorHttpError(
        400,
        SendbirdErrorCode.BANNED_USER_ENTER_CHANNEL_NOT_ALLOWED,
        `"${banned}" is banned from the channel.`,
      );
    }
    for (const id of userIds) if (!channel.members.includes(id)) channel.members.push(id);
    return c.json(channelResource(state, channel, true));
  });

  app.put("/v3/group_channels/:channel_url/leave", async (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const body = parseOrThrow(UserIdsBody, await readJson(c));
    const leaving = new Set(body.user_ids);
    channel.members = channel.members.filter((id) => !leaving.has(id));
    return c.json({});
  });

  app.get("/v3/group_channels/:channel_url/members", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const query = parseOrThrow(ListMembersQuery, c.req.query());
    const users = channel.members.flatMap((id) => {
      const user = state.users.get(id);
      return user ? [user] : [];
    });
    const { page, next } = paginate(users, query.token, query.limit);
    return c.json({ members: page.map((u) => memberResource(u, channel, state.now())), next });
  });

  // --- messages ------------------------------------------------------------------------------

  app.post("/v3/group_channels/:channel_url/messages", async (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const body = parseOrThrow(SendMessageBody, await readJson(c));
    let userId: string | null = null;
    if (body.message_type === "MESG" || body.message_type === "FILE") {
      // Text and file messages in group channels must come from a member (admin messages need not).
      requireMember(state, channel, body.user_id);
      userId = body.user_id;
    }
    const list = state.messages.get(channel.channel_url) ?? [];
    const message: EmulatorMessage = {
      message_id: state.nextMessageId++,
      type: body.message_type,
      channel_url: channel.channel_url,
      user_id: userId,
      message: body.message_type === "FILE" ? "" : body.message,
      custom_type: body.custom_type ?? "",
      data: body.data ?? "",
      // Never older than the previous message, so created_at order is id order as on Sendbird.
      created_at: Math.max(state.now(), list.at(-1)?.created_at ?? 0),
      updated_at: 0,
      ...(body.message_type === "FILE"
        ? {
            file: {
              url: body.url,
              name: body.file_name ?? "",
              type: body.file_type ?? "",
              size: body.file_size ?? 0,
            },
            thumbnails: body.thumbnails ?? [],
          }
        : {}),
    };
    list.push(message);
    state.messages.set(channel.channel_url, list);
    // "the Sendbird server updates the member's read receipt to the time when the message was sent".
    if (userId !== null) channel.readReceipts.set(userId, message.created_at);
    return c.json(messageResource(state, message));
  });

  // --- read receipts (static paths before `/messages/:message_id`) -------------------------------

  app.put("/v3/group_channels/:channel_url/messages/mark_as_read", async (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const body = parseOrThrow(UserIdBody, await readJson(c));
    requireMember(state, channel, body.user_id);
    const last = state.messages.get(channel.channel_url)?.at(-1)?.created_at ?? 0;
    channel.readReceipts.set(body.user_id, Math.max(state.now(), last));
    return c.json({});
  });

  app.get("/v3/group_channels/:channel_url/messages/unread_count", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const query = parseOrThrow(UserIdsQuery, c.req.query());
    const all = state.messages.get(channel.channel_url) ?? [];
    const unread: Record<string, number> = {};
    for (const id of splitIds(query.user_ids)) {
      if (channel.members.includes(id)) unread[id] = unreadCountOf(all, channel, id);
    }
    return c.json({ unread });
  });

  app.get("/v3/group_channels/:channel_url/messages/total_count", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    return c.json({ total: state.messages.get(channel.channel_url)?.length ?? 0 });
  });

  // --- one message ------------------------------------------------------------------------------

  app.get("/v3/group_channels/:channel_url/messages/:message_id", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    return c.json(messageResource(state, requireMessage(state, channel, c.req.param("message_id"))));
  });

  app.put("/v3/group_channels/:channel_url/messages/:message_id", async (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const message = requireMessage(state, channel, c.req.param("message_id"));
    const body = parseOrThrow(UpdateMessageBody, await readJson(c));
    if (body.message_type !== message.type) throw invalidValue("message_type");
    if (body.message !== undefined && message.type !== "FILE") message.message = body.message;
    if (body.custom_type !== undefined) message.custom_type = body.custom_type;
    if (body.data !== undefined) message.data = body.data;
    message.updated_at = Math.max(state.now(), message.created_at);
    return c.json(messageResource(state, message));
  });

  app.delete("/v3/group_channels/:channel_url/messages/:message_id", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const message = requireMessage(state, channel, c.req.param("message_id"));
    const list = state.messages.get(channel.channel_url) ?? [];
    state.messages.set(
      channel.channel_url,
      list.filter((m) => m !== message),
    );
    return c.json({});
  });

  // --- moderation -------------------------------------------------------------------------------

  app.put("/v3/group_channels/:channel_url/freeze", async (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const body = parseOrThrow(FreezeBody, await readJson(c));
    channel.freeze = body.freeze;
    return c.json(channelResource(state, channel, false));
  });

  app.post("/v3/group_channels/:channel_url/ban", async (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const body = parseOrThrow(RestrictBody, await readJson(c));
    const user = requireUser(state, body.user_id);
    const now = state.now();
    const seconds = body.seconds ?? -1;
    // "If set to -1, a user will be banned for ten years".
    const ban: EmulatorRestriction = {
      start_at: now,
      end_at: now + (seconds === -1 ? tenYearsMs : seconds * 1000),
      description: body.description ?? "",
    };
    channel.bans.set(user.user_id, ban);
    // "A banned member is immediately expelled from a channel".
    channel.members = channel.members.filter((id) => id !== user.user_id);
    channel.operators = channel.operators.filter((id) => id !== user.user_id);
    return c.json({ user: briefUser(user), ...ban });
  });

  app.get("/v3/group_channels/:channel_url/ban", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const query = parseOrThrow(PageQuery, c.req.query());
    const now = state.now();
    const entries = activeEntries(channel.bans, now);
    const { page, next } = paginate(entries, query.token, query.limit);
    return c.json({
      banned_list: page.map(([id, ban]) => ({ user: briefUser(userOrStub(state, id)), ...ban })),
      next,
    });
  });

  app.get("/v3/group_channels/:channel_url/ban/:banned_user_id", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const userId = c.req.param("banned_user_id");
    const ban = channel.bans.get(userId);
    if (!isActive(ban, state.now()) || !ban) throw notFound("banned user");
    return c.json({ user: briefUser(userOrStub(state, userId)), ...ban });
  });

  app.delete("/v3/group_channels/:channel_url/ban/:banned_user_id", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    lift(state, channel.bans, c.req.param("banned_user_id"), "banned user");
    return c.json({});
  });

  app.post("/v3/group_channels/:channel_url/mute", async (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const body = parseOrThrow(RestrictBody, await readJson(c));
    const user = requireUser(state, body.user_id);
    const now = state.now();
    const seconds = body.seconds ?? -1;
    channel.mutes.set(user.user_id, {
      start_at: now,
      end_at: seconds === -1 ? -1 : now + seconds * 1000,
      description: body.description ?? "",
    });
    // The official SDK types the answer as the group channel (gcMuteUser → SendBirdGroupChannel).
    return c.json(channelResource(state, channel, false));
  });

  app.get("/v3/group_channels/:channel_url/mute", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const query = parseOrThrow(PageQuery, c.req.query());
    const now = state.now();
    const entries = activeEntries(channel.mutes, now);
    const { page, next } = paginate(entries, query.token, query.limit);
    return c.json({
      muted_list: page.map(([id, mute]) => ({
        ...briefUser(userOrStub(state, id)),
        remaining_duration: mute.end_at === -1 ? -1 : mute.end_at - now,
        end_at: mute.end_at,
        description: mute.description,
      })),
      next,
    });
  });

  app.delete("/v3/group_channels/:channel_url/mute/:muted_user_id", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    lift(state, channel.mutes, c.req.param("muted_user_id"), "muted user");
    return c.json({});
  });

  app.post("/v3/group_channels/:channel_url/operators", async (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const body = parseOrThrow(OperatorIdsBody, await readJson(c));
    const ids = unique(body.operator_ids);
    requireUsers(state, ids);
    // "If the channel ... is private and the users in operator_ids aren't members of the channel
    // yet, they need an invitation first." (The exact error code is not documented.)
    if (!channel.is_public && ids.some((id) => !channel.members.includes(id))) {
      throw invalidValue("operator_ids");
    }
    for (const id of ids) if (!channel.operators.includes(id)) channel.operators.push(id);
    // The official SDK's GcRegisterOperatorsResponse: the ids registered.
    return c.json({ operator_ids: ids });
  });

  app.get("/v3/group_channels/:channel_url/operators", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const query = parseOrThrow(PageQuery, c.req.query());
    const { page, next } = paginate(channel.operators, query.token, query.limit);
    return c.json({ operators: page.map((id) => briefUser(userOrStub(state, id))), next });
  });

  app.delete("/v3/group_channels/:channel_url/operators", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const query = parseOrThrow(OperatorIdsQuery, c.req.query());
    if (query.delete_all) {
      channel.operators = [];
      return c.json({});
    }
    const ids = splitIds(query.operator_ids ?? "");
    if (ids.length === 0) {
      throw new EmulatorHttpError(
        400,
        SendbirdErrorCode.MISSING_REQUIRED_PARAMETER,
        '"operator_ids" is required.',
      );
    }
    if (ids.some((id) => !channel.operators.includes(id))) {
      throw new EmulatorHttpError(
        400,
        SendbirdErrorCode.INVALID_VALUE,
        'Invalid value: "The list contains a non-operator id".',
      );
    }
    channel.operators = channel.operators.filter((id) => !ids.includes(id));
    return c.json({});
  });

  app.get("/v3/group_channels/:channel_url/messages", (c) => {
    const channel = requireChannel(state, c.req.param("channel_url"));
    const query = parseOrThrow(ListMessagesQuery, c.req.query());
    const all = (state.messages.get(channel.channel_url) ?? []).filter(
      (m) =>
        (query.message_type === undefined || m.type === query.message_type) &&
        (query.sender_id === undefined || m.user_id === query.sender_id),
    );
    let key: (m: EmulatorMessage) => number;
    let anchor: number;
    if (query.message_id !== undefined) {
      key = (m) => m.message_id;
      anchor = query.message_id;
    } else if (query.message_ts !== undefined) {
      key = (m) => m.created_at;
      anchor = query.message_ts;
    } else {
      throw new EmulatorHttpError(
        400,
        SendbirdErrorCode.MISSING_REQUIRED_PARAMETER,
        '"message_ts" or "message_id" is required.',
      );
    }
    const before = all.filter((m) => key(m) < anchor);
    const exact = query.include ? all.filter((m) => key(m) === anchor) : [];
    const after = all.filter((m) => key(m) > anchor);
    const picked = [
      ...(query.prev_limit > 0 ? before.slice(-query.prev_limit) : []),
      ...exact,
      ...after.slice(0, query.next_limit),
    ];
    if (query.reverse) picked.reverse();
    return c.json({ messages: picked.map((m) => messageResource(state, m)) });
  });

  return app;
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return text === "" ? {} : JSON.parse(text);
  } catch {
    throw new EmulatorHttpError(400, SendbirdErrorCode.INVALID_JSON_BODY, "Invalid JSON request body.");
  }
}

function requireChannel(state: EmulatorState, channelUrl: string): EmulatorChannel {
  const channel = state.channels.get(channelUrl);
  if (!channel) throw notFound("channel");
  return channel;
}

function requireUsers(state: EmulatorState, userIds: readonly string[]): void {
  for (const id of userIds) if (!state.users.has(id)) throw notFound(`user ${id}`);
}

function requireUser(state: EmulatorState, userId: string): EmulatorUser {
  const user = state.users.get(userId);
  if (!user) throw notFound("user");
  return user;
}

function requireMember(state: EmulatorState, channel: EmulatorChannel, userId: string): void {
  requireUser(state, userId);
  if (!channel.members.includes(userId)) {
    throw new EmulatorHttpError(
      400,
      SendbirdErrorCode.UNAUTHORIZED_REQUEST,
      `"${userId}" is not a member of the channel.`,
    );
  }
}

function requireMessage(state: EmulatorState, channel: EmulatorChannel, rawId: string): EmulatorMessage {
  const id = /^[0-9]{1,16}$/.test(rawId) ? Number(rawId) : Number.NaN;
  const message = state.messages.get(channel.channel_url)?.find((m) => m.message_id === id);
  if (!message) throw notFound("message");
  return message;
}

/** Lifts a ban or mute; one that is not there (or has run out) is 400201, as on Sendbird. */
function lift(
  state: EmulatorState,
  restrictions: Map<string, EmulatorRestriction>,
  userId: string,
  what: string,
): void {
  if (!isActive(restrictions.get(userId), state.now())) throw notFound(what);
  restrictions.delete(userId);
}

function activeEntries(
  restrictions: Map<string, EmulatorRestriction>,
  now: number,
): Array<[string, EmulatorRestriction]> {
  return [...restrictions].filter(([, restriction]) => isActive(restriction, now));
}

/** A deleted user still shows up in moderation lists by id. */
function userOrStub(state: EmulatorState, userId: string): EmulatorUser {
  return state.users.get(userId) ?? { user_id: userId, nickname: "", profile_url: "", created_at: 0 };
}

const tenYearsMs = 10 * 365 * 86_400_000;

/**
 * A comma-separated id list. The docs ask for "urlencoded" ids (`?user_ids=urlencoded_id_1,...`)
 * and the official SDK encodes the whole value once (commas as %2C): either way one decoding,
 * which the router has already done, gives the ids. Decoding again would take `u%2540x` for `u@x`.
 */
function splitIds(list: string): string[] {
  return list.split(",").filter(Boolean);
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && b.every((id) => a.includes(id));
}

function alreadyExists(field: string): EmulatorHttpError {
  return new EmulatorHttpError(
    400,
    SendbirdErrorCode.RESOURCE_ALREADY_EXISTS,
    `"${field}" violates a unique constraint.`,
  );
}

function injectedFailure(status: number, code: number, retryAfterMs: number | undefined): EmulatorHttpError {
  if (status !== 429) return new EmulatorHttpError(status, code, defaultMessageFor(code));
  const ms = retryAfterMs ?? 1000;
  const seconds = ms / 1000;
  return new EmulatorHttpError(
    429,
    code,
    `Too many requests (scope: app, limit: 10;w=1, remaining: 0, retry_after: ${seconds}s, reset: ${seconds}s)`,
    {
      "Retry-After": String(Math.ceil(seconds)),
      "X-RateLimit-Limit": "10;w=1",
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": String(seconds),
      "X-RateLimit-RetryAfter": String(seconds),
    },
  );
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
