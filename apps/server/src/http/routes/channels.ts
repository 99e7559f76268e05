import {
  Channel,
  ChannelUrl,
  CreateChannelBody,
  EditMessageBody,
  ErrorCode,
  FreezeBody,
  HistoryQuery,
  ListChannelsQuery,
  ListChannelsResponse,
  MarkReadBody,
  MembersBody,
  MembersResponse,
  MessageFrame,
  ModerationState,
  ModerationUsersBody,
  ReadStateResponse,
  SendMessageBody,
  TransportResponse,
  UnreadResponse,
  UpdateChannelBody,
} from "@podchat/protocol";
import { Hono } from "hono";
import { ChatError } from "../../chat/chat-error.ts";
import type { ChatService } from "../../chat/chat-service.ts";
import type { Config } from "../../config/index.ts";
import { validationError } from "../errors.ts";
import { audit } from "../audit.ts";
import { type AppEnv, requirePrivileged, requireUserOrPrivileged } from "../principal.ts";
import {
  auth,
  describeRoute,
  errors,
  HistoryPage,
  jsonRequest,
  jsonResponse,
  noContent,
  param,
  queryParams,
} from "../openapi/index.ts";
import { jsonBody, query } from "../validate.ts";

/** What the audit log keeps of a channel (not its member list or last message). */
function channelView(ch: Channel | null) {
  if (!ch) return undefined;
  return {
    name: ch.name,
    ...(ch.custom_type !== undefined ? { custom_type: ch.custom_type } : {}),
    data: ch.data,
    provider: ch.provider,
    member_count: ch.member_count,
  };
}

/** Moderation state in the audit log, without the repeated channel_url. */
function moderationView(m: ModerationState) {
  const { channel_url: _, ...rest } = m;
  return rest;
}

function channelParam(raw: string): string {
  const r = ChannelUrl.safeParse(raw);
  if (!r.success) throw validationError(r.error, "channel_url");
  return r.data;
}

/** The target user of an action on one user. */
const oneUser = (ids: Array<string | number>) => (ids.length === 1 ? { user_id: String(ids[0]) } : {});

/** The error statuses of the routes that take a member token (or an API key / admin). */
const MEMBER = [
  400,
  401,
  [403, "NOT_MEMBER: the token's user is not a member"],
  [404, "CHANNEL_NOT_FOUND"],
] as const;
/** …of the routes for API keys and admins only. */
const PRIVILEGED = [
  400,
  401,
  [403, "FORBIDDEN: needs an API key or an admin token"],
  [404, "CHANNEL_NOT_FOUND"],
] as const;
/** …of the moderation writes (API key, admin, or an operator's member token). */
const OPERATOR = [
  400,
  401,
  [403, "NOT_MEMBER, or FORBIDDEN: not an operator"],
  [404, "CHANNEL_NOT_FOUND"],
] as const;

/** `/api/v1/chat/channels`: the REST face of ChatService (API key, admin, or member JWT). */
export function channelRoutes(chat: ChatService, config: Config) {
  const app = new Hono<AppEnv>();

  /** A member JWT may read and send in its own channels; API keys and admins anywhere. */
  async function authorizeMember(
    c: Parameters<typeof requireUserOrPrivileged>[0],
    url: string,
  ): Promise<string | null> {
    const userId = requireUserOrPrivileged(c);
    if (userId !== null) {
      const meta = await chat.getChannelMetadata(url);
      if (!meta) throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${url} does not exist`);
      if (!(await chat.isMember(url, userId)))
        throw new ChatError(ErrorCode.NOT_MEMBER, `you are not a member of ${url}`);
    }
    return userId;
  }

  app.post(
    "/",
    describeRoute({
      summary: "Create a group channel (on the provider the flag picks)",
      tags: ["channels"],
      security: auth.privileged,
      requestBody: jsonRequest(CreateChannelBody),
      responses: {
        201: jsonResponse(Channel, "Created"),
        ...errors(400, 401, 403, [409, "CHANNEL_EXISTS: the channel_url is taken"], 503),
      },
    }),
    async (c) => {
      requirePrivileged(c);
      const body = await jsonBody(c, CreateChannelBody);
      const created = await chat.createGroupChannel({
        channelUrl: body.channel_url,
        userIds: body.user_ids,
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.data !== undefined ? { data: body.data } : {}),
        ...(body.custom_type !== undefined ? { customType: body.custom_type } : {}),
      });
      await audit(c, {
        action: "channel.create",
        target: { channel_url: created.channel_url },
        after: { ...channelView(created), user_ids: body.user_ids.map(String) },
      });
      return c.json(created, 201);
    },
  );

  app.get(
    "/",
    describeRoute({
      summary: "List channels (paged; search by url or name, filter by provider)",
      tags: ["channels"],
      security: auth.privileged,
      parameters: queryParams(ListChannelsQuery),
      responses: { 200: jsonResponse(ListChannelsResponse), ...errors(400, 401, 403, 503) },
    }),
    async (c) => {
      requirePrivileged(c);
      return c.json(await chat.listChannels(query(c, ListChannelsQuery)));
    },
  );

  app.get(
    "/:channel_url",
    describeRoute({
      summary: "Channel metadata with members",
      tags: ["channels"],
      security: auth.chat,
      parameters: [param.channelUrl],
      responses: { 200: jsonResponse(Channel), ...errors(...MEMBER, 502, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      await authorizeMember(c, url);
      const meta = await chat.getChannelMetadata(url);
      if (!meta) throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${url} does not exist`);
      return c.json(meta);
    },
  );

  const update = async (c: Parameters<typeof requirePrivileged>[0]) => {
    requirePrivileged(c);
    const url = channelParam(c.req.param("channel_url")!);
    const body = await jsonBody(c, UpdateChannelBody);
    const before = await chat.getChannelMetadata(url);
    const updated = await chat.updateChannel(url, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.data !== undefined ? { data: body.data } : {}),
      ...(body.custom_type !== undefined ? { customType: body.custom_type } : {}),
    });
    await audit(c, {
      action: "channel.update",
      target: { channel_url: url },
      before: channelView(before),
      after: channelView(updated),
    });
    return c.json(updated);
  };
  app.put(
    "/:channel_url",
    describeRoute({
      summary: "Update a channel's name, data or custom_type",
      tags: ["channels"],
      security: auth.privileged,
      parameters: [param.channelUrl],
      requestBody: jsonRequest(UpdateChannelBody),
      responses: { 200: jsonResponse(Channel), ...errors(...PRIVILEGED, 413, 502, 503) },
    }),
    update,
  );
  app.patch(
    "/:channel_url",
    describeRoute({
      summary: "Update a channel (as PUT)",
      tags: ["channels"],
      security: auth.privileged,
      parameters: [param.channelUrl],
      requestBody: jsonRequest(UpdateChannelBody),
      responses: { 200: jsonResponse(Channel), ...errors(...PRIVILEGED, 413, 502, 503) },
    }),
    update,
  );

  app.delete(
    "/:channel_url",
    describeRoute({
      summary: "Delete a channel, its history and its files",
      tags: ["channels"],
      security: auth.privileged,
      parameters: [param.channelUrl],
      responses: { 204: noContent, ...errors(...PRIVILEGED, 502, 503) },
    }),
    async (c) => {
      requirePrivileged(c);
      const url = channelParam(c.req.param("channel_url"));
      const before = await chat.getChannelMetadata(url);
      await chat.deleteChannel(url);
      await audit(c, { action: "channel.delete", target: { channel_url: url }, before: channelView(before) });
      return c.body(null, 204);
    },
  );

  app.get(
    "/:channel_url/members",
    describeRoute({
      summary: "List members (numeric ids as numbers)",
      tags: ["members"],
      security: auth.chat,
      parameters: [param.channelUrl],
      responses: { 200: jsonResponse(MembersResponse), ...errors(...MEMBER, 502, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      await authorizeMember(c, url);
      return c.json({
        members: (await chat.listMembers(url)).map((id) => (/^\d+$/.test(id) ? Number(id) : id)),
      });
    },
  );

  app.post(
    "/:channel_url/members",
    describeRoute({
      summary: "Add members",
      tags: ["members"],
      security: auth.privileged,
      parameters: [param.channelUrl],
      requestBody: jsonRequest(MembersBody),
      responses: { 200: jsonResponse(Channel), ...errors(...PRIVILEGED, 413, 502, 503) },
    }),
    async (c) => {
      requirePrivileged(c);
      const url = channelParam(c.req.param("channel_url"));
      const body = await jsonBody(c, MembersBody);
      const out = await chat.addMembers(url, body.user_ids);
      await audit(c, {
        action: "member.add",
        target: { channel_url: url, ...oneUser(body.user_ids) },
        after: { user_ids: body.user_ids.map(String), member_count: out.member_count },
      });
      return c.json(out);
    },
  );

  app.delete(
    "/:channel_url/members",
    describeRoute({
      summary: "Remove members (their sockets are closed)",
      tags: ["members"],
      security: auth.privileged,
      parameters: [param.channelUrl],
      requestBody: jsonRequest(MembersBody),
      responses: { 200: jsonResponse(Channel), ...errors(...PRIVILEGED, 413, 502, 503) },
    }),
    async (c) => {
      requirePrivileged(c);
      const url = channelParam(c.req.param("channel_url"));
      const body = await jsonBody(c, MembersBody);
      const out = await chat.removeMembers(url, body.user_ids);
      await audit(c, {
        action: "member.remove",
        target: { channel_url: url, ...oneUser(body.user_ids) },
        before: { user_ids: body.user_ids.map(String) },
        after: { member_count: out.member_count },
      });
      return c.json(out);
    },
  );

  app.delete(
    "/:channel_url/members/:user_id",
    describeRoute({
      summary: "Remove one member",
      tags: ["members"],
      security: auth.privileged,
      parameters: [param.channelUrl, param.userId],
      responses: { 200: jsonResponse(Channel), ...errors(...PRIVILEGED, 502, 503) },
    }),
    async (c) => {
      requirePrivileged(c);
      const url = channelParam(c.req.param("channel_url"));
      const user = c.req.param("user_id");
      const out = await chat.removeMembers(url, [user]);
      await audit(c, {
        action: "member.remove",
        target: { channel_url: url, user_id: user },
        before: { user_ids: [user] },
        after: { member_count: out.member_count },
      });
      return c.json(out);
    },
  );

  app.get(
    "/:channel_url/messages",
    describeRoute({
      summary: "History, paged by seq (before_seq pages back, after_seq forward; neither: the newest)",
      description:
        "With include_changes=true the page is the seq log: MESSAGE_UPDATED and MESSAGE_DELETED entries at their own seq.",
      tags: ["messages"],
      security: auth.chat,
      parameters: [param.channelUrl, ...queryParams(HistoryQuery)],
      responses: { 200: jsonResponse(HistoryPage), ...errors(...MEMBER, 502, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      const q = query(c, HistoryQuery);
      if (q.before_seq !== undefined && q.after_seq !== undefined) {
        throw new ChatError(ErrorCode.VALIDATION_FAILED, "give before_seq or after_seq, not both", {
          field: "after_seq",
        });
      }
      await authorizeMember(c, url);
      return c.json(
        await chat.listMessages(url, {
          ...(q.before_seq !== undefined ? { beforeSeq: q.before_seq } : {}),
          ...(q.after_seq !== undefined ? { afterSeq: q.after_seq } : {}),
          ...(q.limit !== undefined ? { limit: q.limit } : {}),
          ...(q.include_changes === "true" ? { includeChanges: true } : {}),
        }),
      );
    },
  );

  app.post(
    "/:channel_url/messages",
    describeRoute({
      summary: "Send a message: a server-side send for a member, or an admin message (ADMM)",
      description:
        "A member token sends as itself only. A repeated req_id is stored once: the original comes back with 200.",
      tags: ["messages"],
      security: auth.chat,
      parameters: [param.channelUrl],
      requestBody: jsonRequest(SendMessageBody),
      responses: {
        201: jsonResponse(MessageFrame, "Stored"),
        200: jsonResponse(MessageFrame, "req_id seen before: the original"),
        ...errors(400, 401, [403, "FORBIDDEN, NOT_MEMBER, BANNED, MUTED or FROZEN"], 404, 413, 429, 502, 503),
      },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      const userId = await authorizeMember(c, url);
      const body = await jsonBody(c, SendMessageBody);
      if (userId !== null) {
        // A member sends as itself only, and never as the admin.
        if ((body.user_id !== undefined && body.user_id !== userId) || body.type === "ADMM") {
          throw new ChatError(ErrorCode.FORBIDDEN, "a member token can send only its own messages");
        }
        body.user_id = userId;
      }
      const sent = await chat.sendMessage(url, {
        message: body.message,
        ...(body.user_id !== undefined ? { userId: body.user_id } : {}),
        ...(body.type !== undefined ? { type: body.type } : {}),
        ...(body.req_id !== undefined ? { reqId: body.req_id } : {}),
        ...(body.custom_type !== undefined ? { customType: body.custom_type } : {}),
        ...(body.data !== undefined ? { data: body.data } : {}),
        ...(body.file !== undefined ? { file: body.file } : {}),
      });
      // Admin messages are audited; a backend's plain sends as a user are chat traffic, already in
      // the message log (docs/admin.md#audit-log). A repeated req_id changed nothing.
      if (body.type === "ADMM" && !sent.duplicate)
        await audit(c, {
          action: "message.send_admin",
          target: { channel_url: url },
          after: { message_id: sent.message.message_id, seq: sent.message.seq, message: body.message },
        });
      return c.json(sent.message, sent.duplicate ? 200 : 201);
    },
  );

  /** Moderation writes: API key, admins, or a member token of one of the channel's operators. */
  async function authorizeOperator(c: Parameters<typeof requireUserOrPrivileged>[0], url: string) {
    const userId = await authorizeMember(c, url);
    if (userId !== null && !(await chat.isOperator(url, userId)))
      throw new ChatError(ErrorCode.FORBIDDEN, "only the channel's operators may moderate it");
  }

  /** Moderation is audited whoever moderates (API key, admin, or an operator's token). */
  async function auditModeration(
    c: Parameters<typeof audit>[0],
    action: string,
    url: string,
    userIds: Array<string | number>,
    before: ModerationState,
    after: ModerationState,
  ) {
    await audit(c, {
      action,
      target: { channel_url: url, ...oneUser(userIds) },
      before: moderationView(before),
      after: moderationView(after),
    });
  }

  function seqParam(raw: string | undefined): number {
    if (!raw || !/^[1-9][0-9]{0,14}$/.test(raw))
      throw new ChatError(ErrorCode.VALIDATION_FAILED, "seq must be a positive integer", { field: "seq" });
    return Number(raw);
  }

  function memberOnly(userId: string | null): string {
    if (userId === null)
      throw new ChatError(
        ErrorCode.VALIDATION_FAILED,
        "read state is per member: call with the member's token",
        {
          status: 400,
        },
      );
    return userId;
  }

  app.patch(
    "/:channel_url/messages/:seq",
    describeRoute({
      summary: "Edit a message (its author, an API key or an admin); appends a MESSAGE_UPDATED seq entry",
      tags: ["messages"],
      security: auth.chat,
      parameters: [param.channelUrl, param.seq],
      requestBody: jsonRequest(EditMessageBody),
      responses: {
        200: jsonResponse(MessageFrame, "The edited message"),
        ...errors(
          400,
          401,
          [403, "NOT_MEMBER or NOT_AUTHOR"],
          [404, "CHANNEL_NOT_FOUND or MESSAGE_NOT_FOUND"],
          413,
          502,
          503,
        ),
      },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      const seq = seqParam(c.req.param("seq"));
      const userId = await authorizeMember(c, url);
      const body = await jsonBody(c, EditMessageBody);
      if (userId !== null && body.user_id !== undefined && body.user_id !== userId)
        throw new ChatError(ErrorCode.FORBIDDEN, "a member token can edit only its own messages");
      const editor = userId ?? body.user_id;
      const edited = await chat.editMessage(url, seq, {
        message: body.message,
        ...(body.data !== undefined ? { data: body.data } : {}),
        ...(editor !== undefined ? { userId: editor } : {}),
      });
      // A member editing its own message is chat traffic; a backend's or an admin's edit is audited.
      if (userId === null)
        await audit(c, {
          action: "message.edit",
          target: { channel_url: url, ...(editor !== undefined ? { user_id: String(editor) } : {}) },
          after: { seq, message: body.message, ...(body.data !== undefined ? { data: body.data } : {}) },
        });
      return c.json(edited);
    },
  );

  app.delete(
    "/:channel_url/messages/:seq",
    describeRoute({
      summary:
        "Delete a message as a tombstone (author, operator, API key or admin); appends a MESSAGE_DELETED seq entry",
      tags: ["messages"],
      security: auth.chat,
      parameters: [param.channelUrl, param.seq],
      responses: {
        204: noContent,
        ...errors(
          400,
          401,
          [403, "NOT_MEMBER or NOT_AUTHOR"],
          [404, "CHANNEL_NOT_FOUND or MESSAGE_NOT_FOUND"],
          502,
          503,
        ),
      },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      const seq = seqParam(c.req.param("seq"));
      const userId = await authorizeMember(c, url);
      // An operator's deletes are moderation (audited); a member deleting its own is chat traffic.
      const asOperator = userId !== null && (await chat.isOperator(url, userId));
      await chat.deleteMessage(url, seq, userId ?? undefined);
      if (userId === null || asOperator)
        await audit(c, { action: "message.delete", target: { channel_url: url }, before: { seq } });
      return c.body(null, 204);
    },
  );

  app.post(
    "/:channel_url/read",
    describeRoute({
      summary: "Mark the channel read up to seq (member token); broadcasts READ_RECEIPT",
      tags: ["reads"],
      security: auth.member,
      parameters: [param.channelUrl],
      requestBody: jsonRequest(MarkReadBody),
      responses: { 200: jsonResponse(UnreadResponse), ...errors(...MEMBER, 413, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      const userId = memberOnly(await authorizeMember(c, url));
      const body = await jsonBody(c, MarkReadBody);
      return c.json(await chat.markRead(url, userId, body.seq));
    },
  );

  app.get(
    "/:channel_url/unread",
    describeRoute({
      summary: "The calling member's read mark and unread count (member token)",
      tags: ["reads"],
      security: auth.member,
      parameters: [param.channelUrl],
      responses: { 200: jsonResponse(UnreadResponse), ...errors(...MEMBER, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      const userId = memberOnly(await authorizeMember(c, url));
      return c.json(await chat.unread(url, userId));
    },
  );

  app.get(
    "/:channel_url/read-state",
    describeRoute({
      summary: "Every member's read mark",
      tags: ["reads"],
      security: auth.chat,
      parameters: [param.channelUrl],
      responses: { 200: jsonResponse(ReadStateResponse), ...errors(...MEMBER, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      await authorizeMember(c, url);
      return c.json(await chat.readState(url));
    },
  );

  app.get(
    "/:channel_url/moderation",
    describeRoute({
      summary: "Operators, bans, mutes and frozen",
      tags: ["moderation"],
      security: auth.chat,
      parameters: [param.channelUrl],
      responses: { 200: jsonResponse(ModerationState), ...errors(...MEMBER, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      await authorizeMember(c, url);
      return c.json(await chat.moderation(url));
    },
  );

  app.post(
    "/:channel_url/operators",
    describeRoute({
      summary: "Add operators (API key, admin or an operator's token); broadcasts MODERATION",
      tags: ["moderation"],
      security: auth.chat,
      parameters: [param.channelUrl],
      requestBody: jsonRequest(ModerationUsersBody),
      responses: { 200: jsonResponse(ModerationState), ...errors(...OPERATOR, 413, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      await authorizeOperator(c, url);
      const body = await jsonBody(c, ModerationUsersBody);
      const before = await chat.moderation(url);
      const out = await chat.addOperators(url, body.user_ids);
      await auditModeration(c, "moderation.operator_add", url, body.user_ids, before, out);
      return c.json(out);
    },
  );

  app.delete(
    "/:channel_url/operators/:user_id",
    describeRoute({
      summary: "Remove an operator (API key, admin or an operator's token); broadcasts MODERATION",
      tags: ["moderation"],
      security: auth.chat,
      parameters: [param.channelUrl, param.userId],
      responses: { 200: jsonResponse(ModerationState), ...errors(...OPERATOR, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      await authorizeOperator(c, url);
      const user = c.req.param("user_id");
      const before = await chat.moderation(url);
      const out = await chat.removeOperators(url, [user]);
      await auditModeration(c, "moderation.operator_remove", url, [user], before, out);
      return c.json(out);
    },
  );

  for (const kind of ["bans", "mutes"] as const) {
    app.post(
      `/:channel_url/${kind}`,
      describeRoute({
        summary:
          kind === "bans"
            ? "Ban users, optionally for `seconds`; their sockets are closed; broadcasts MODERATION"
            : "Mute users, optionally for `seconds`; broadcasts MODERATION",
        tags: ["moderation"],
        security: auth.chat,
        parameters: [param.channelUrl],
        requestBody: jsonRequest(ModerationUsersBody),
        responses: { 200: jsonResponse(ModerationState), ...errors(...OPERATOR, 413, 503) },
      }),
      async (c) => {
        const url = channelParam(c.req.param("channel_url")!);
        await authorizeOperator(c, url);
        const body = await jsonBody(c, ModerationUsersBody);
        const before = await chat.moderation(url);
        const out =
          kind === "bans"
            ? await chat.ban(url, body.user_ids, body.seconds)
            : await chat.mute(url, body.user_ids, body.seconds);
        await auditModeration(
          c,
          kind === "bans" ? "moderation.ban" : "moderation.mute",
          url,
          body.user_ids,
          before,
          out,
        );
        return c.json(out);
      },
    );
    app.delete(
      `/:channel_url/${kind}/:user_id`,
      describeRoute({
        summary: kind === "bans" ? "Lift a ban; broadcasts MODERATION" : "Lift a mute; broadcasts MODERATION",
        tags: ["moderation"],
        security: auth.chat,
        parameters: [param.channelUrl, param.userId],
        responses: { 200: jsonResponse(ModerationState), ...errors(...OPERATOR, 503) },
      }),
      async (c) => {
        const url = channelParam(c.req.param("channel_url")!);
        await authorizeOperator(c, url);
        const user = c.req.param("user_id")!;
        const before = await chat.moderation(url);
        const out = kind === "bans" ? await chat.unban(url, user) : await chat.unmute(url, user);
        await auditModeration(
          c,
          kind === "bans" ? "moderation.unban" : "moderation.unmute",
          url,
          [user],
          before,
          out,
        );
        return c.json(out);
      },
    );
  }

  app.put(
    "/:channel_url/freeze",
    describeRoute({
      summary: "Freeze or unfreeze the channel (while frozen only operators send); broadcasts MODERATION",
      tags: ["moderation"],
      security: auth.chat,
      parameters: [param.channelUrl],
      requestBody: jsonRequest(FreezeBody),
      responses: { 200: jsonResponse(ModerationState), ...errors(...OPERATOR, 413, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      await authorizeOperator(c, url);
      const body = await jsonBody(c, FreezeBody);
      const before = await chat.moderation(url);
      const out = await chat.setFrozen(url, body.frozen);
      await auditModeration(
        c,
        body.frozen ? "moderation.freeze" : "moderation.unfreeze",
        url,
        [],
        before,
        out,
      );
      return c.json(out);
    },
  );

  app.get(
    "/:channel_url/transport",
    describeRoute({
      summary: "Which provider serves the channel, and how to connect to it",
      tags: ["channels"],
      security: auth.chat,
      parameters: [param.channelUrl],
      responses: { 200: jsonResponse(TransportResponse), ...errors(...MEMBER, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      await authorizeMember(c, url);
      const meta = await chat.getChannelMetadata(url);
      if (!meta) throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${url} does not exist`);
      const out: TransportResponse = { channel_url: url, provider: meta.provider };
      if (meta.provider === "websocket") {
        const base = config.server.public_url ?? new URL(c.req.url).origin;
        out.websocket = { url: `${base.replace(/^http/, "ws")}/api/v1/chat/ws/${encodeURIComponent(url)}` };
      } else {
        out.sendbird = { app_id: config.sendbird.app_id ?? "" };
      }
      return c.json(out);
    },
  );

  return app;
}
