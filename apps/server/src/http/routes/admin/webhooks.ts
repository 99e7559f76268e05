import {
  ErrorCode,
  WebhookDeliveriesQuery,
  WebhookDeliveriesResponse,
  WebhookDelivery,
  WebhookEndpointsResponse,
  WebhookRedeliverResponse,
} from "@podchat/protocol";
import { Hono } from "hono";
import { ChatError } from "../../../chat/chat-error.ts";
import type { WebhookService } from "../../../webhooks/webhook-service.ts";
import { audit } from "../../audit.ts";
import { auth, describeRoute, errors, jsonResponse, param, queryParams } from "../../openapi/index.ts";
import type { AppEnv } from "../../principal.ts";
import { query } from "../../validate.ts";

const adminOnly = [403, "FORBIDDEN: admins only"] as const;

const positiveId = (raw: string, field: string): number => {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) {
    throw new ChatError(ErrorCode.VALIDATION_FAILED, `${field} must be a delivery id`, {
      field,
      status: 400,
    });
  }
  return Number(raw);
};

/**
 * `/api/v1/admin/webhooks`: endpoints (secrets masked), deliveries and dead letters, redelivery.
 * Mounted behind the admin's auth (admin-routes.ts).
 */
export function webhookRoutes(webhooks: WebhookService) {
  const app = new Hono<AppEnv>();

  const endpoint = (id: string) => {
    if (!webhooks.hasEndpoint(id)) throw new ChatError(ErrorCode.NOT_FOUND, `no webhook endpoint ${id}`);
    return id;
  };

  const page = async (q: WebhookDeliveriesQuery, state?: "dead"): Promise<WebhookDeliveriesResponse> => {
    const s = state ?? q.state;
    return webhooks.deliveries({
      limit: Math.max(1, Math.min(Number(q.limit ?? 50), 200)),
      ...(q.endpoint_id ? { endpointId: q.endpoint_id } : {}),
      ...(s ? { state: s } : {}),
      ...(q.cursor ? { cursor: positiveId(q.cursor, "cursor") } : {}),
    });
  };

  app.get(
    "/endpoints",
    describeRoute({
      summary: "The configured webhook endpoints (secrets masked) with their queue counts",
      tags: ["admin", "webhooks"],
      security: auth.admin,
      responses: { 200: jsonResponse(WebhookEndpointsResponse), ...errors(401, adminOnly, 503) },
    }),
    async (c) => {
      const body: WebhookEndpointsResponse = { endpoints: await webhooks.listEndpoints() };
      return c.json(body);
    },
  );

  /** Recent deliveries of every state (delivered rows are kept `webhooks.retention_hours`). */
  app.get(
    "/deliveries",
    describeRoute({
      summary: "Recent webhook deliveries of every state, newest first (cursor-paged)",
      tags: ["admin", "webhooks"],
      security: auth.admin,
      parameters: queryParams(WebhookDeliveriesQuery),
      responses: { 200: jsonResponse(WebhookDeliveriesResponse), ...errors(400, 401, adminOnly, 503) },
    }),
    async (c) => c.json(await page(query(c, WebhookDeliveriesQuery))),
  );

  app.get(
    "/dead-letters",
    describeRoute({
      summary: "Webhook events that ran out of attempts (or got 410 Gone), newest first",
      tags: ["admin", "webhooks"],
      security: auth.admin,
      parameters: queryParams(WebhookDeliveriesQuery),
      responses: { 200: jsonResponse(WebhookDeliveriesResponse), ...errors(400, 401, adminOnly, 503) },
    }),
    async (c) => c.json(await page(query(c, WebhookDeliveriesQuery), "dead")),
  );

  app.get(
    "/deliveries/:id",
    describeRoute({
      summary: "One webhook delivery with its attempts' outcome",
      tags: ["admin", "webhooks"],
      security: auth.admin,
      parameters: [param.deliveryId],
      responses: { 200: jsonResponse(WebhookDelivery), ...errors(400, 401, adminOnly, 404, 503) },
    }),
    async (c) => {
      const found = await webhooks.delivery(positiveId(c.req.param("id"), "id"));
      if (!found) throw new ChatError(ErrorCode.NOT_FOUND, "no such delivery");
      return c.json(found);
    },
  );

  /** One dead letter back in the queue; 404 when there is no such delivery, 409 when it is not dead. */
  app.post(
    "/dead-letters/:id/redeliver",
    describeRoute({
      summary: "Puts one dead letter back in the queue (same event id: receivers deduplicate)",
      tags: ["admin", "webhooks"],
      security: auth.admin,
      parameters: [param.deliveryId],
      responses: {
        200: jsonResponse(WebhookDelivery, "The delivery, pending again"),
        ...errors(400, 401, adminOnly, 404, [409, "VALIDATION_FAILED: not a dead letter"], 503),
      },
    }),
    async (c) => {
      const id = positiveId(c.req.param("id"), "id");
      const found = await webhooks.delivery(id);
      if (!found) throw new ChatError(ErrorCode.NOT_FOUND, "no such delivery");
      if (found.state !== "dead" || (await webhooks.redeliver({ id })) === 0) {
        throw new ChatError(
          ErrorCode.VALIDATION_FAILED,
          `delivery ${id} is ${found.state}, not a dead letter`,
          {
            status: 409,
          },
        );
      }
      const after = await webhooks.delivery(id);
      await audit(c, {
        action: "webhook.redeliver",
        target: { channel_url: found.channel_url },
        before: { id, state: found.state },
        after: { id, state: after?.state },
      });
      return c.json(after);
    },
  );

  /** Every dead letter of the endpoint back in the queue. */
  app.post(
    "/endpoints/:id/redeliver",
    describeRoute({
      summary: "Puts every dead letter of one endpoint back in the queue",
      tags: ["admin", "webhooks"],
      security: auth.admin,
      parameters: [param.endpointId],
      responses: { 200: jsonResponse(WebhookRedeliverResponse), ...errors(401, adminOnly, 404, 503) },
    }),
    async (c) => {
      const endpointId = endpoint(c.req.param("id"));
      const body: WebhookRedeliverResponse = { redelivered: await webhooks.redeliver({ endpointId }) };
      await audit(c, { action: "webhook.redeliver_all", after: { endpoint_id: endpointId, ...body } });
      return c.json(body);
    },
  );

  return app;
}
