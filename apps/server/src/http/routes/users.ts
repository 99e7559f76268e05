import { ErrorCode, InboxQuery, InboxResponse, TotalUnreadResponse, UserIdString } from "@podchat/protocol";
import { Hono } from "hono";
import { ChatError } from "../../chat/chat-error.ts";
import type { ChatService } from "../../chat/chat-service.ts";
import { validationError } from "../errors.ts";
import { type AppEnv, requireUserOrPrivileged } from "../principal.ts";
import { auth, describeRoute, errors, jsonResponse, param, queryParams } from "../openapi/index.ts";
import { query } from "../validate.ts";

/**
 * `/api/v1/chat/users/{user_id}`: a user's channel list (the inbox) and unread badge (@since 0.3).
 * The user's own token, an API key or an admin token.
 */
export function userRoutes(chat: ChatService) {
  const app = new Hono<AppEnv>();

  function userParam(c: Parameters<typeof requireUserOrPrivileged>[0]): string {
    const r = UserIdString.safeParse(c.req.param("user_id"));
    if (!r.success) throw validationError(r.error, "user_id");
    const caller = requireUserOrPrivileged(c);
    if (caller !== null && caller !== r.data)
      throw new ChatError(ErrorCode.FORBIDDEN, "a user token reads only its own channel list");
    return r.data;
  }

  app.get(
    "/:user_id/channels",
    describeRoute({
      summary: "The user's channel list (the inbox): newest activity first, with unread counts",
      tags: ["users"],
      security: auth.chat,
      parameters: [param.userId, ...queryParams(InboxQuery)],
      responses: {
        200: jsonResponse(InboxResponse),
        ...errors(400, 401, [403, "FORBIDDEN: a user token reads only its own list"], 503),
      },
    }),
    async (c) => {
      const userId = userParam(c);
      return c.json(await chat.listUserChannels(userId, query(c, InboxQuery)));
    },
  );

  app.get(
    "/:user_id/unread",
    describeRoute({
      summary: "The user's total unread count over all its channels (the badge)",
      tags: ["users"],
      security: auth.chat,
      parameters: [param.userId],
      responses: {
        200: jsonResponse(TotalUnreadResponse),
        ...errors(400, 401, [403, "FORBIDDEN: a user token reads only its own count"], 503),
      },
    }),
    async (c) => {
      const userId = userParam(c);
      const body: TotalUnreadResponse = await chat.inboxUnread(userId);
      return c.json(body);
    },
  );

  return app;
}
