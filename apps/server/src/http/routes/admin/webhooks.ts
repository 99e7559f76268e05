import {
  ErrorCode,
  WebhookDeliveriesQuery,
  type WebhookDeliveriesResponse,
  type WebhookEndpointsResponse,
  type WebhookRedeliverResponse,
} from "@podchat/protocol";
import { Hono } from "hono";
import { ChatError } from "../../../chat/chat-error.ts";
import type { WebhookService } from "../../../webhooks/webhook-service.ts";
import type { AppEnv } from "../../principal.ts";
import { query } from "../../validate.ts";

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

  app.get("/endpoints", async (c) => {
    const body: WebhookEndpointsResponse = { endpoints: await webhooks.listEndpoints() };
    return c.json(body);
  });

  /** Recent deliveries of every state (delivered rows are kept `webhooks.retention_hours`). */
  app.get("/deliveries", async (c) => c.json(await page(query(c, WebhookDeliveriesQuery))));

  app.get("/dead-letters", async (c) => c.json(await page(query(c, WebhookDeliveriesQuery), "dead")));

  app.get("/deliveries/:id", async (c) => {
    const found = await webhooks.delivery(positiveId(c.req.param("id"), "id"));
    if (!found) throw new ChatError(ErrorCode.NOT_FOUND, "no such delivery");
    return c.json(found);
  });

  /** One dead letter back in the queue; 404 when there is no such delivery, 409 when it is not dead. */
  app.post("/dead-letters/:id/redeliver", async (c) => {
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
    return c.json(await webhooks.delivery(id));
  });

  /** Every dead letter of the endpoint back in the queue. */
  app.post("/endpoints/:id/redeliver", async (c) => {
    const endpointId = endpoint(c.req.param("id"));
    const body: WebhookRedeliverResponse = { redelivered: await webhooks.redeliver({ endpointId }) };
    return c.json(body);
  });

  return app;
}
