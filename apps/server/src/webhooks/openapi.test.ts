import { WEBHOOK_EVENT_TYPES } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import { webhookOpenApi } from "./openapi.ts";

describe("webhookOpenApi", () => {
  it("has a POST with the signature headers and a body schema for every event type", () => {
    const doc = webhookOpenApi();
    expect(Object.keys(doc.webhooks)).toEqual([...WEBHOOK_EVENT_TYPES]);
    const sent = doc.webhooks["message.sent"] as {
      post: {
        parameters: Array<{ name: string }>;
        requestBody: { content: Record<string, { schema: { $ref: string } }> };
      };
    };
    expect(sent.post.parameters.map((p) => p.name)).toContain("podchat-webhook-signature");
    const ref = sent.post.requestBody.content["application/json"]!.schema.$ref.split("/").at(-1)!;
    expect(ref).toBe("WebhookMessageSentEvent");
    const body = doc.schemas[ref] as { properties: Record<string, unknown>; required: string[] };
    expect(body.required).toEqual(
      expect.arrayContaining(["id", "type", "created_at", "environment", "channel_url", "data"]),
    );
    expect(doc.schemas.WebhookDeliveriesResponse).toBeDefined();
  });
});
