import {
  ChannelCreatedEvent,
  ChannelDeletedEvent,
  ChannelUpdatedEvent,
  MemberAddedEvent,
  MemberRemovedEvent,
  MessageDeletedEvent,
  MessagePinnedEvent,
  MessageUnpinnedEvent,
  MessageSentEvent,
  MessageUpdatedEvent,
  ModerationBannedEvent,
  ModerationFrozenEvent,
  ModerationMutedEvent,
  ModerationOperatorsAddedEvent,
  ModerationOperatorsRemovedEvent,
  ModerationUnbannedEvent,
  ModerationUnfrozenEvent,
  ModerationUnmutedEvent,
  ReadUpdatedEvent,
  WEBHOOK_HEADERS,
  type WebhookEventType,
  WebhookDeliveriesResponse,
  WebhookDelivery,
  WebhookEndpointsResponse,
  WebhookRedeliverResponse,
} from "@podchat/protocol";
import { type core, z } from "zod";

const schema = (s: core.$ZodType) =>
  z.toJSONSchema(s, { io: "output", unrepresentable: "any", target: "draft-2020-12" });

const EVENTS: Record<WebhookEventType, core.$ZodType> = {
  "message.sent": MessageSentEvent,
  "message.updated": MessageUpdatedEvent,
  "message.deleted": MessageDeletedEvent,
  "message.pinned": MessagePinnedEvent,
  "message.unpinned": MessageUnpinnedEvent,
  "member.added": MemberAddedEvent,
  "member.removed": MemberRemovedEvent,
  "channel.created": ChannelCreatedEvent,
  "channel.updated": ChannelUpdatedEvent,
  "channel.deleted": ChannelDeletedEvent,
  "moderation.banned": ModerationBannedEvent,
  "moderation.unbanned": ModerationUnbannedEvent,
  "moderation.muted": ModerationMutedEvent,
  "moderation.unmuted": ModerationUnmutedEvent,
  "moderation.frozen": ModerationFrozenEvent,
  "moderation.unfrozen": ModerationUnfrozenEvent,
  "moderation.operators_added": ModerationOperatorsAddedEvent,
  "moderation.operators_removed": ModerationOperatorsRemovedEvent,
  "read.updated": ReadUpdatedEvent,
};

const schemaName = (type: string) =>
  `Webhook${type
    .split(/[._]/)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("")}Event`;

/**
 * The webhooks' part of the OpenAPI document, from the protocol's zod schemas: a component per
 * event and admin shape, and the events as OpenAPI 3.1 `webhooks`, each a POST with the
 * documented headers (merged into /openapi.json by http/openapi/document.ts; docs/webhooks.md).
 */
export function webhookOpenApi() {
  const schemas: Record<string, unknown> = {
    WebhookEndpointsResponse: schema(WebhookEndpointsResponse),
    WebhookDeliveriesResponse: schema(WebhookDeliveriesResponse),
    WebhookDelivery: schema(WebhookDelivery),
    WebhookRedeliverResponse: schema(WebhookRedeliverResponse),
  };
  const header = (description: string) => ({ required: true, schema: { type: "string" }, description });
  const webhooks: Record<string, unknown> = {};
  for (const [type, s] of Object.entries(EVENTS)) {
    const name = schemaName(type);
    schemas[name] = schema(s);
    webhooks[type] = {
      post: {
        summary: `${type} (sent to your endpoint)`,
        parameters: [
          {
            in: "header",
            name: WEBHOOK_HEADERS.id,
            ...header("the event id: idempotency id, same on every retry"),
          },
          {
            in: "header",
            name: WEBHOOK_HEADERS.timestamp,
            ...header("Unix seconds of this attempt's signature"),
          },
          {
            in: "header",
            name: WEBHOOK_HEADERS.signature,
            ...header('v1=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>'),
          },
          { in: "header", name: WEBHOOK_HEADERS.event, ...header("the event type") },
          { in: "header", name: WEBHOOK_HEADERS.attempt, ...header("1, 2, 3 …") },
        ],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } },
        },
        responses: {
          "2XX": { description: "Delivered" },
          "410": { description: "Stop: the event becomes a dead letter at once" },
          default: { description: "Retried with backoff" },
        },
      },
    };
  }
  return { schemas, webhooks };
}
