/*
 * "List group channels by user" — `GET /v3/users/{user_id}/my_group_channels`, following
 * https://sendbird.com/docs/chat/v3/platform-api/user/managing-joined-group-channels/list-group-channels-by-user
 * and the Platform SDK's `listMyGroupChannels` (sendbird-platform-sdk-typescript, UserApi.md):
 * `token`, `limit` 1..100 (default 10), `order`, `show_empty` (default false), `show_member`,
 * `show_read_receipt`, `custom_types`, `channel_urls`, `name`, `name_contains`, `name_startswith`,
 * `unread_filter` all | unread_message, `member_state_filter`, `hidden_mode`, `distinct_mode`,
 * `public_mode`, `super_mode`, `created_after` / `created_before` (Unix ms), `show_frozen`.
 * Answers `{ channels: [...], next: "<token or empty>" }`; an unknown user is 400201.
 *
 * Where the docs are silent the emulator decides, and says so here:
 * - `chronological` lists the most recently created first; `latest_last_message` the most recent
 *   last message first, a channel without messages counting by its creation time; ties go to the
 *   channel created later. `metadata_value_alphabetical` needs `metadata_order_key` (400105); the
 *   emulator keeps no channel metadata, so it then orders like `chronological`.
 * - `name_startswith` and `name_contains` ignore case, like the emulator's `name_contains` of
 *   "List group channels".
 * - There are no invitations, hidden channels or Supergroups here: every member is `joined`, so
 *   `member_state_filter` invited_* and `hidden_mode` hidden_* and `super_mode=super` find nothing.
 */
import type { Hono } from "hono";
import type { EmulatorChannel, EmulatorState } from "./emulator-state.ts";
import { paginate } from "./paging.ts";
import { MyGroupChannelsQuery, parseOrThrow } from "./request-schemas.ts";
import { EmulatorHttpError, SendbirdErrorCode, invalidValue, notFound } from "./sendbird-error.ts";
import { myGroupChannelResource, unreadCountOf } from "./sendbird-resources.ts";

type Query = ReturnType<typeof MyGroupChannelsQuery.parse>;

export function registerUserChannelRoutes(app: Hono, state: EmulatorState): void {
  app.get("/v3/users/:user_id/my_group_channels", (c) => {
    const userId = c.req.param("user_id");
    if (!state.users.has(userId)) throw notFound("user");
    const query = parseOrThrow(MyGroupChannelsQuery, c.req.query());
    if (query.order === "metadata_value_alphabetical" && !query.metadata_order_key) {
      throw new EmulatorHttpError(
        400,
        SendbirdErrorCode.MISSING_REQUIRED_PARAMETER,
        '"metadata_order_key" is required.',
      );
    }
    const mine = [...state.channels.values()].filter((ch) => ch.members.includes(userId));
    const matching = sortChannels(state, mine.filter(matches(state, userId, query)), query.order);
    const { page, next } = paginate(matching, query.token, query.limit);
    const options = { showMember: query.show_member, showReadReceipt: query.show_read_receipt };
    return c.json({
      channels: page.map((ch) => myGroupChannelResource(state, ch, userId, options)),
      next,
    });
  });
}

function matches(state: EmulatorState, userId: string, q: Query) {
  // An empty list filters nothing (as an absent one).
  const customTypes = q.custom_types ? splitList(q.custom_types, "custom_types") : [];
  const urls = q.channel_urls ? splitList(q.channel_urls, "channel_urls") : [];
  const contains = q.name_contains?.toLowerCase();
  const startsWith = q.name_startswith?.toLowerCase();
  return (ch: EmulatorChannel): boolean => {
    const messages = state.messages.get(ch.channel_url) ?? [];
    const createdMs = ch.created_at * 1000;
    return (
      (q.show_empty || messages.length > 0) &&
      (q.show_frozen || !ch.freeze) &&
      (q.member_state_filter === "all" || q.member_state_filter === "joined_only") &&
      (q.hidden_mode === "unhidden_only" || q.hidden_mode === "all") &&
      q.super_mode !== "super" &&
      (q.distinct_mode === "all" || (q.distinct_mode === "distinct") === ch.is_distinct) &&
      (q.public_mode === "all" || (q.public_mode === "public") === ch.is_public) &&
      (q.unread_filter === "all" || unreadCountOf(messages, ch, userId) > 0) &&
      (q.created_after === undefined || createdMs > q.created_after) &&
      (q.created_before === undefined || createdMs < q.created_before) &&
      (customTypes.length === 0 || customTypes.includes(ch.custom_type)) &&
      (urls.length === 0 || urls.includes(ch.channel_url)) &&
      (q.name === undefined || ch.name === q.name) &&
      (contains === undefined || ch.name.toLowerCase().includes(contains)) &&
      (startsWith === undefined || ch.name.toLowerCase().startsWith(startsWith))
    );
  };
}

function sortChannels(state: EmulatorState, channels: EmulatorChannel[], order: Query["order"]) {
  // Map order is creation order: a later index breaks ties of equal times (created later first).
  const index = new Map([...state.channels.keys()].map((url, i) => [url, i]));
  const lastActivity = (ch: EmulatorChannel) =>
    state.messages.get(ch.channel_url)?.at(-1)?.created_at ?? ch.created_at * 1000;
  const newerFirst = (a: number, b: number, x: EmulatorChannel, y: EmulatorChannel) =>
    b - a || (index.get(y.channel_url) ?? 0) - (index.get(x.channel_url) ?? 0);
  const by: Record<Query["order"], (x: EmulatorChannel, y: EmulatorChannel) => number> = {
    chronological: (x, y) => newerFirst(x.created_at, y.created_at, x, y),
    metadata_value_alphabetical: (x, y) => newerFirst(x.created_at, y.created_at, x, y),
    latest_last_message: (x, y) => newerFirst(lastActivity(x), lastActivity(y), x, y),
    channel_name_alphabetical: (x, y) =>
      x.name < y.name ? -1 : x.name > y.name ? 1 : newerFirst(x.created_at, y.created_at, x, y),
  };
  return [...channels].sort(by[order]);
}

/** A comma-separated list whose items are each urlencoded, as the docs recommend. */
function splitList(list: string, field: string): string[] {
  return list
    .split(",")
    .filter(Boolean)
    .map((item) => {
      try {
        return decodeURIComponent(item);
      } catch {
        throw invalidValue(field);
      }
    });
}
