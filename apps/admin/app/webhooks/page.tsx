import { WebhookDeliveriesResponse, WebhookEndpointsResponse } from "@podchat/protocol";
import { loadForPage, serverJson } from "@/lib/server-api";
import { WebhooksStoreProvider } from "@/providers/webhooks-store-provider";
import { webhooksQuery } from "@/stores/webhooks-store";
import { ErrorBanner } from "../_components/error-banner";
import { DeliveriesFilter, DeliveriesTable } from "./_components/deliveries-table";
import { EndpointsTable } from "./_components/endpoints-table";

export const dynamic = "force-dynamic";

export default async function WebhooksPage() {
  const q = webhooksQuery("");
  const { data, error } = await loadForPage(() =>
    Promise.all([
      serverJson("/api/v1/admin/webhooks/endpoints", WebhookEndpointsResponse),
      serverJson(`/api/v1/admin/webhooks/dead-letters?${q}`, WebhookDeliveriesResponse),
      serverJson(`/api/v1/admin/webhooks/deliveries?${q}`, WebhookDeliveriesResponse),
    ]),
  );
  return (
    <>
      <h1>Webhooks</h1>
      <ErrorBanner error={error?.toJSON()} />
      {data ? (
        <WebhooksStoreProvider
          init={{
            endpoints: data[0].endpoints,
            deadLetters: data[1].deliveries,
            deliveries: data[2].deliveries,
          }}
        >
          <EndpointsTable />
          <DeliveriesFilter />
          <DeliveriesTable kind="dead" />
          <DeliveriesTable kind="recent" />
        </WebhooksStoreProvider>
      ) : null}
    </>
  );
}
