import { describe, expect, it } from "vitest";
import { createWebhooksStore, webhooksQuery } from "./webhooks-store";

describe("webhooks store", () => {
  it("builds the list query from the endpoint filter", () => {
    expect(webhooksQuery("")).toBe("limit=50");
    expect(webhooksQuery("backend", 20)).toBe("endpoint_id=backend&limit=20");
  });

  it("tracks redeliveries in flight and replaces the lists", () => {
    const store = createWebhooksStore({ endpoints: [], deadLetters: [], deliveries: [] });
    store.getState().setRedelivering("7", true);
    store.getState().setRedelivering("7", true);
    store.getState().setRedelivering("8", true);
    expect(store.getState().redelivering).toEqual(["7", "8"]);
    store.getState().setRedelivering("7", false);
    expect(store.getState().redelivering).toEqual(["8"]);
    store.getState().setEndpointFilter("backend");
    expect(store.getState().endpointFilter).toBe("backend");
  });
});
