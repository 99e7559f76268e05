import { ErrorCode, EventsPage, EventsQuery } from "@podchat/protocol";
import { Hono } from "hono";
import { ChatError } from "../../chat/chat-error.ts";
import type { EventFeed } from "../../webhooks/event-feed.ts";
import { describeRoute, errors, jsonResponse, queryParams } from "../openapi/index.ts";
import type { AppEnv } from "../principal.ts";
import { query } from "../validate.ts";

/** `GET /api/v1/events` (an API key only): the events feed, in position order. */
export function eventRoutes(feed: EventFeed) {
  const app = new Hono<AppEnv>();
  app.get(
    "/",
    describeRoute({
      summary: "The events feed: every webhook event, numbered, in order",
      description:
        "Events with position > `after` (default 0), oldest first, up to `limit` (default 100, at most " +
        "1000). Pass `next_after` as the next `after`; `has_more` says whether more are ready now. " +
        "`wait_ms` (bounded by events.max_wait_ms) waits for the first event when there is none. " +
        "An `after` older than the retention (events.retention_hours) answers 410 EVENTS_EXPIRED " +
        "with `oldest_position`. Needs events.feed.enabled (501 otherwise).",
      tags: ["events"],
      security: [{ apiKey: [] }],
      parameters: queryParams(EventsQuery),
      responses: {
        200: jsonResponse(EventsPage),
        ...errors(
          [400, "VALIDATION_FAILED: a bad query, or `after` beyond the last position (a restored database)"],
          401,
          [403, "FORBIDDEN: an API key only"],
          [410, "EVENTS_EXPIRED: `after` is past the retention; error.oldest_position is the oldest kept"],
          [501, "UNSUPPORTED: the feed is off (events.feed.enabled)"],
          503,
        ),
      },
    }),
    async (c) => {
      const p = c.get("principal");
      if (p.kind === "anonymous")
        throw new ChatError(ErrorCode.UNAUTHORIZED, "an API key (X-Api-Key) is required");
      if (p.kind !== "service") throw new ChatError(ErrorCode.FORBIDDEN, "the events feed needs an API key");
      const q = query(c, EventsQuery);
      const page = await feed.page(q.after ?? 0, q.limit ?? 100, q.wait_ms ?? 0, c.req.raw.signal);
      return c.json(page);
    },
  );
  return app;
}
