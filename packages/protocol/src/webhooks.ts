import * as z from "zod/mini";
import { DataObject, Seq, Timestamp, WireUserId } from "./common.ts";
import { intFromQuery, ProviderName } from "./rest.ts";
import { MessageFrame } from "./server-frames.ts";

/**
 * Webhooks: events podchat POSTs to an application's backend (docs/webhooks.md). Each request
 * carries one event; the event's `id` is its idempotency id (the same on every retry).
 * @since 0.4
 */

/** Every event type, in the order the docs list them. */
export const WEBHOOK_EVENT_TYPES = [
  "message.sent",
  "message.updated",
  "message.deleted",
  "message.pinned",
  "message.unpinned",
  "member.added",
  "member.removed",
  "channel.created",
  "channel.updated",
  "channel.deleted",
  "moderation.banned",
  "moderation.unbanned",
  "moderation.muted",
  "moderation.unmuted",
  "moderation.frozen",
  "moderation.unfrozen",
  "moderation.operators_added",
  "moderation.operators_removed",
  "read.updated",
] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/**
 * What an endpoint subscribes to: an event type, `*` (everything) or a family such as
 * `moderation.*`.
 */
export function isWebhookEventFilter(s: string): boolean {
  return (
    s === "*" ||
    (WEBHOOK_EVENT_TYPES as readonly string[]).includes(s) ||
    (s.endsWith(".*") && WEBHOOK_EVENT_TYPES.some((t) => t.startsWith(s.slice(0, -1))))
  );
}
export const WEBHOOK_EVENT_FILTER_HELP = `an event type (${WEBHOOK_EVENT_TYPES.join(", ")}), a family like "message.*", or "*"`;
export const WebhookEventFilter = z
  .string()
  .check(z.refine(isWebhookEventFilter, { message: WEBHOOK_EVENT_FILTER_HELP }));

/** Whether `type` matches one of an endpoint's filters. */
export function webhookEventMatches(filters: readonly string[], type: WebhookEventType): boolean {
  return filters.some(
    (f) => f === "*" || f === type || (f.endsWith(".*") && type.startsWith(f.slice(0, -1))),
  );
}

/** Request headers of every delivery. The signature is `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. */
export const WEBHOOK_HEADERS = {
  id: "podchat-webhook-id",
  timestamp: "podchat-webhook-timestamp",
  signature: "podchat-webhook-signature",
  event: "podchat-webhook-event",
  attempt: "podchat-webhook-attempt",
} as const;

/** How old a timestamp a receiver should still accept (seconds); older requests may be replays. */
export const WEBHOOK_TOLERANCE_S = 300;

/** A channel as events show it. */
export const WebhookChannel = z.object({
  channel_url: z.string(),
  name: z.string(),
  custom_type: z.nullable(z.string()),
  data: DataObject,
  provider: ProviderName,
  created_at: Timestamp,
  member_count: z.int(),
});
export type WebhookChannel = z.infer<typeof WebhookChannel>;

const envelope = {
  /** The idempotency id: one per event, the same on every attempt and every redelivery. */
  id: z.string(),
  created_at: Timestamp,
  /** The server's APP_ENV (dev, stg, prod). */
  environment: z.string(),
  channel_url: z.string(),
};

const event = <T extends string, D extends z.ZodMiniType>(type: T, data: D) =>
  z.object({ ...envelope, type: z.literal(type), data });

const Users = z.object({ user_ids: z.array(WireUserId) });
const Restricted = z.object({
  user_ids: z.array(WireUserId),
  /** End of the ban/mute, or null = until lifted. */
  until: z.nullable(Timestamp),
});
const ChangedBy = {
  /** Who made the change; null = a privileged caller (API key, admin). */
  user_id: z.nullable(WireUserId),
};

export const MessageSentEvent = event("message.sent", z.object({ message: MessageFrame }));
/** `message` is the message as it is after the edit; `seq` the edit's own entry in the seq log. */
export const MessageUpdatedEvent = event(
  "message.updated",
  z.object({ message: MessageFrame, seq: Seq, ...ChangedBy }),
);
/** `message` is the tombstone; `seq` the deletion's own entry in the seq log. */
export const MessageDeletedEvent = event(
  "message.deleted",
  z.object({ message: MessageFrame, seq: Seq, ...ChangedBy }),
);
/** @since 0.5 `message` as it is now, `pinned_at` when it was pinned; `user_id` who pinned it. */
export const MessagePinnedEvent = event(
  "message.pinned",
  z.object({ message: MessageFrame, pinned_at: Timestamp, ...ChangedBy }),
);
/** @since 0.5 An unpin (not sent when a pinned message is deleted: message.deleted says it). */
export const MessageUnpinnedEvent = event(
  "message.unpinned",
  z.object({ message: MessageFrame, pinned_at: Timestamp, ...ChangedBy }),
);
/** Only the users that really joined (already-members are left out); the event is not sent when none did. */
export const MemberAddedEvent = event(
  "member.added",
  z.object({ user_ids: z.array(WireUserId), member_count: z.int() }),
);
export const MemberRemovedEvent = event(
  "member.removed",
  z.object({ user_ids: z.array(WireUserId), member_count: z.int() }),
);
export const ChannelCreatedEvent = event(
  "channel.created",
  z.object({ channel: WebhookChannel, user_ids: z.array(WireUserId) }),
);
/** `changed`: the fields the update set (name, custom_type, data, provider). */
export const ChannelUpdatedEvent = event(
  "channel.updated",
  z.object({ channel: WebhookChannel, changed: z.array(z.string()) }),
);
/** The channel as it was just before it was deleted. */
export const ChannelDeletedEvent = event("channel.deleted", z.object({ channel: WebhookChannel }));
export const ModerationBannedEvent = event("moderation.banned", Restricted);
export const ModerationUnbannedEvent = event("moderation.unbanned", Users);
export const ModerationMutedEvent = event("moderation.muted", Restricted);
export const ModerationUnmutedEvent = event("moderation.unmuted", Users);
export const ModerationFrozenEvent = event("moderation.frozen", z.object({ frozen: z.literal(true) }));
export const ModerationUnfrozenEvent = event("moderation.unfrozen", z.object({ frozen: z.literal(false) }));
export const ModerationOperatorsAddedEvent = event("moderation.operators_added", Users);
export const ModerationOperatorsRemovedEvent = event("moderation.operators_removed", Users);
/** A member's read mark moved forward. */
export const ReadUpdatedEvent = event(
  "read.updated",
  z.object({ user_id: WireUserId, last_read_seq: Seq, last_seq: Seq, unread_count: z.int() }),
);

/** The body of every webhook request. */
export const WebhookEvent = z.discriminatedUnion("type", [
  MessageSentEvent,
  MessageUpdatedEvent,
  MessageDeletedEvent,
  MessagePinnedEvent,
  MessageUnpinnedEvent,
  MemberAddedEvent,
  MemberRemovedEvent,
  ChannelCreatedEvent,
  ChannelUpdatedEvent,
  ChannelDeletedEvent,
  ModerationBannedEvent,
  ModerationUnbannedEvent,
  ModerationMutedEvent,
  ModerationUnmutedEvent,
  ModerationFrozenEvent,
  ModerationUnfrozenEvent,
  ModerationOperatorsAddedEvent,
  ModerationOperatorsRemovedEvent,
  ReadUpdatedEvent,
]);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

// Admin API (`/api/v1/admin/webhooks/...`).

export const WebhookDeliveryState = z.enum(["pending", "delivered", "dead"]);
export type WebhookDeliveryState = z.infer<typeof WebhookDeliveryState>;

/** `GET /api/v1/admin/webhooks/endpoints`: the configured endpoints, secrets masked. */
export const WebhookEndpointView = z.object({
  id: z.string(),
  url: z.string(),
  /** `abcd…wxyz`: enough to tell secrets apart, never the secret. */
  secret: z.string(),
  events: z.array(z.string()),
  environments: z.nullable(z.array(z.string())),
  /** False when `environments` leaves out this server's environment: nothing is recorded for it. */
  active: z.boolean(),
  pending: z.int(),
  dead: z.int(),
});
export type WebhookEndpointView = z.infer<typeof WebhookEndpointView>;
export const WebhookEndpointsResponse = z.object({ endpoints: z.array(WebhookEndpointView) });
export type WebhookEndpointsResponse = z.infer<typeof WebhookEndpointsResponse>;

/** One event for one endpoint, with its delivery state. */
export const WebhookDelivery = z.object({
  /** The delivery's own id (for redeliver). */
  id: z.string(),
  endpoint_id: z.string(),
  event_id: z.string(),
  type: WebhookEventType,
  channel_url: z.string(),
  state: WebhookDeliveryState,
  attempts: z.int(),
  created_at: Timestamp,
  updated_at: Timestamp,
  next_attempt_at: z.nullable(Timestamp),
  delivered_at: z.nullable(Timestamp),
  /** HTTP status of the last attempt; null when it got none (timeout, refused). */
  last_status: z.nullable(z.int()),
  last_error: z.nullable(z.string()),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

/** `GET /api/v1/admin/webhooks/dead-letters` and `/deliveries`: newest first. */
export const WebhookDeliveriesResponse = z.object({
  deliveries: z.array(WebhookDelivery),
  next_cursor: z.nullable(z.string()),
});
export type WebhookDeliveriesResponse = z.infer<typeof WebhookDeliveriesResponse>;

export const WebhookDeliveriesQuery = z.object({
  endpoint_id: z.optional(z.string().check(z.maxLength(100))),
  state: z.optional(WebhookDeliveryState),
  limit: z.optional(z.string().check(z.regex(/^[0-9]{1,3}$/))),
  cursor: z.optional(z.string().check(z.maxLength(40))),
});
export type WebhookDeliveriesQuery = z.infer<typeof WebhookDeliveriesQuery>;

/** `POST /api/v1/admin/webhooks/endpoints/{id}/redeliver`: how many dead letters were queued again. */
export const WebhookRedeliverResponse = z.object({ redelivered: z.int() });
export type WebhookRedeliverResponse = z.infer<typeof WebhookRedeliverResponse>;

// The events feed (`GET /api/v1/events`, docs/webhooks.md#the-events-feed).

/** One event of the feed: a webhook event (the same id and body) with its position. */
export const FeedEvent = z.intersection(z.object({ position: z.number() }), WebhookEvent);
export type FeedEvent = z.infer<typeof FeedEvent>;

/** `GET /api/v1/events` query: events with position > `after`, up to `limit`; `wait_ms` long-polls. */
export const EventsQuery = z.object({
  after: z.optional(intFromQuery),
  limit: z.optional(
    z.pipe(intFromQuery, z.number().check(z.minimum(1, "must be 1–1000"), z.maximum(1000, "must be 1–1000"))),
  ),
  wait_ms: z.optional(intFromQuery),
});

/** `GET /api/v1/events`: events in position order; pass `next_after` as the next `after`. */
export const EventsPage = z.object({
  events: z.array(FeedEvent),
  next_after: z.number(),
  has_more: z.boolean(),
});
export type EventsPage = z.infer<typeof EventsPage>;

// Pre-store message hooks (docs/configuration.md#message-hooks).

/** What an `http` message hook POSTs to the app's backend (signed like webhooks). */
export const MessageHookRequest = z.object({
  channel_url: z.string(),
  user_id: z.nullable(z.string()),
  /** MESG text, a FILE/IMAGE caption, or an edit's new text. */
  message: z.string(),
  custom_type: z.nullable(z.string()),
  data: z.nullable(DataObject),
  /** What is being checked. */
  kind: z.enum(["send", "edit"]),
});
export type MessageHookRequest = z.infer<typeof MessageHookRequest>;

/** The backend's answer: accept, reject (with an optional reason shown to the sender) or rewrite. */
export const MessageHookAnswer = z.discriminatedUnion("action", [
  z.object({ action: z.literal("accept") }),
  z.object({ action: z.literal("reject"), reason: z.optional(z.string().check(z.maxLength(500))) }),
  z.object({ action: z.literal("rewrite"), message: z.string() }),
]);
export type MessageHookAnswer = z.infer<typeof MessageHookAnswer>;
