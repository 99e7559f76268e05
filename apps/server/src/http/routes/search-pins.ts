import {
  ChannelUrl,
  ErrorCode,
  Pin,
  PinsResponse,
  SearchLimits,
  SearchQuery,
  SearchResponse,
  UserIdString,
} from "@podchat/protocol";
import { Hono } from "hono";
import { ChatError } from "../../chat/chat-error.ts";
import type { ChatService } from "../../chat/chat-service.ts";
import { audit } from "../audit.ts";
import { validationError } from "../errors.ts";
import {
  auth,
  describeRoute,
  errors,
  jsonResponse,
  noContent,
  param,
  queryParams,
} from "../openapi/index.ts";
import { type AppEnv, requireUserOrPrivileged } from "../principal.ts";
import { query } from "../validate.ts";

function channelParam(raw: string): string {
  const r = ChannelUrl.safeParse(raw);
  if (!r.success) throw validationError(r.error, "channel_url");
  return r.data;
}

function seqParam(raw: string | undefined): number {
  if (!raw || !/^[1-9][0-9]{0,14}$/.test(raw))
    throw new ChatError(ErrorCode.VALIDATION_FAILED, "seq must be a positive integer", { field: "seq" });
  return Number(raw);
}

const searchInput = (q: SearchQuery) => ({
  q: q.q,
  limit: q.limit ?? SearchLimits.pageDefault,
  ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
});

const MEMBER = [
  400,
  401,
  [403, "NOT_MEMBER: the token's user is not a member"],
  [404, "CHANNEL_NOT_FOUND"],
] as const;
const OPERATOR = [
  400,
  401,
  [403, "NOT_MEMBER, or FORBIDDEN: not an operator"],
  [404, "CHANNEL_NOT_FOUND or MESSAGE_NOT_FOUND"],
] as const;

/**
 * Message search and pins under `/api/v1/chat/channels` (@since 0.5): a member token (pins: an
 * operator's), an API key or an admin token. Sendbird channels answer UNSUPPORTED (501).
 */
export function channelSearchPinRoutes(chat: ChatService) {
  const app = new Hono<AppEnv>();
  const caller = (c: Parameters<typeof requireUserOrPrivileged>[0]) =>
    requireUserOrPrivileged(c) ?? undefined;

  app.get(
    "/:channel_url/messages/search",
    describeRoute({
      summary: "Search the channel's messages: every term of q as a substring, newest first, cursor-paged",
      description:
        "Deleted messages never match; edited ones match their current text. Terms of 1–2 characters (e.g. a two-syllable Korean word) are matched among the channel's newest 50,000 seqs only.",
      tags: ["messages"],
      security: auth.chat,
      parameters: [param.channelUrl, ...queryParams(SearchQuery)],
      responses: { 200: jsonResponse(SearchResponse), ...errors(...MEMBER, 501, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      const q = query(c, SearchQuery);
      return c.json(await chat.searchMessages(url, searchInput(q), caller(c)));
    },
  );

  app.get(
    "/:channel_url/pins",
    describeRoute({
      summary: "The channel's pinned messages, most recently pinned first",
      tags: ["pins"],
      security: auth.chat,
      parameters: [param.channelUrl],
      responses: { 200: jsonResponse(PinsResponse), ...errors(...MEMBER, 501, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      return c.json(await chat.listPins(url, caller(c)));
    },
  );

  app.post(
    "/:channel_url/pins/:seq",
    describeRoute({
      summary: "Pin a message (operator, API key or admin); broadcasts MESSAGE_PINNED",
      description:
        "201 when pinned now, 200 when it was pinned already (the pin is unchanged). At most 100 pins a channel.",
      tags: ["pins"],
      security: auth.chat,
      parameters: [param.channelUrl, param.seq],
      responses: {
        200: jsonResponse(Pin, "Already pinned"),
        201: jsonResponse(Pin, "Pinned"),
        ...errors(...OPERATOR, 501, 503),
      },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      const seq = seqParam(c.req.param("seq"));
      const r = await chat.pinMessage(url, seq, caller(c));
      if (r.created)
        await audit(c, {
          action: "message.pin",
          target: { channel_url: url },
          after: { seq, message_id: r.pin.message.message_id },
        });
      return c.json(r.pin, r.created ? 201 : 200);
    },
  );

  app.delete(
    "/:channel_url/pins/:seq",
    describeRoute({
      summary: "Unpin a message (operator, API key or admin); broadcasts MESSAGE_UNPINNED when it was pinned",
      tags: ["pins"],
      security: auth.chat,
      parameters: [param.channelUrl, param.seq],
      responses: { 204: noContent, ...errors(...OPERATOR, 501, 503) },
    }),
    async (c) => {
      const url = channelParam(c.req.param("channel_url"));
      const seq = seqParam(c.req.param("seq"));
      const was = await chat.unpinMessage(url, seq, caller(c));
      if (was)
        await audit(c, {
          action: "message.unpin",
          target: { channel_url: url },
          before: { seq, message_id: was.message.message_id },
        });
      return c.body(null, 204);
    },
  );

  return app;
}

/** `GET /api/v1/chat/users/{user_id}/messages/search`: across the user's channels (@since 0.5). */
export function userSearchRoutes(chat: ChatService) {
  const app = new Hono<AppEnv>();
  app.get(
    "/:user_id/messages/search",
    describeRoute({
      summary: "Search the messages of every channel the user is in (podchat's own chat), newest first",
      description:
        "The user's own token, an API key or an admin token. Each message carries its channel_url. Sendbird channels are not searched.",
      tags: ["users"],
      security: auth.chat,
      parameters: [param.userId, ...queryParams(SearchQuery)],
      responses: {
        200: jsonResponse(SearchResponse),
        ...errors(400, 401, [403, "FORBIDDEN: a user token searches only its own channels"], 503),
      },
    }),
    async (c) => {
      const r = UserIdString.safeParse(c.req.param("user_id"));
      if (!r.success) throw validationError(r.error, "user_id");
      const who = requireUserOrPrivileged(c);
      if (who !== null && who !== r.data)
        throw new ChatError(ErrorCode.FORBIDDEN, "a user token searches only its own channels");
      return c.json(await chat.searchUserMessages(r.data, searchInput(query(c, SearchQuery))));
    },
  );
  return app;
}
