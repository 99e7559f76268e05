import { ErrorCode, InboxQuery, type TotalUnreadResponse, UserIdString } from "@podchat/protocol";
import { Hono } from "hono";
import { ChatError } from "../../chat/chat-error.ts";
import type { ChatService } from "../../chat/chat-service.ts";
import { validationError } from "../errors.ts";
import { type AppEnv, requireUserOrPrivileged } from "../principal.ts";
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

  app.get("/:user_id/channels", async (c) => {
    const userId = userParam(c);
    return c.json(await chat.listUserChannels(userId, query(c, InboxQuery)));
  });

  app.get("/:user_id/unread", async (c) => {
    const userId = userParam(c);
    const body: TotalUnreadResponse = await chat.inboxUnread(userId);
    return c.json(body);
  });

  return app;
}
