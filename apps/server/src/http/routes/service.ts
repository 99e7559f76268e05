import { Hono } from "hono";
import type { Metrics } from "../../observability/metrics.ts";
import * as z from "zod";
import { auth, describeRoute, errors, jsonResponse } from "../openapi/index.ts";
import type { AppEnv } from "../principal.ts";

/** `/healthz`, `/readyz`, `/metrics`: for load balancers and Prometheus, without credentials. */
export function serviceRoutes(d: { ready: () => Promise<boolean>; metrics: Metrics }) {
  const app = new Hono<AppEnv>();

  app.get(
    "/healthz",
    describeRoute({
      summary: "Liveness",
      tags: ["service"],
      security: auth.none,
      responses: { 200: jsonResponse(z.object({ status: z.literal("ok") }), "Alive") },
    }),
    (c) => c.json({ status: "ok" }),
  );

  app.get(
    "/readyz",
    describeRoute({
      summary: "Readiness: false while draining or while the store or the bus does not answer",
      tags: ["service"],
      security: auth.none,
      responses: {
        200: jsonResponse(z.object({ ready: z.literal(true) }), "Ready"),
        503: jsonResponse(z.object({ ready: z.literal(false) }), "Not ready"),
      },
    }),
    async (c) => ((await d.ready()) ? c.json({ ready: true }) : c.json({ ready: false }, 503)),
  );

  app.get(
    "/metrics",
    describeRoute({
      summary: "Prometheus metrics (text exposition format)",
      tags: ["service"],
      security: auth.none,
      responses: {
        200: { description: "The metrics", content: { "text/plain": { schema: { type: "string" } } } },
        ...errors(),
      },
    }),
    async (c) =>
      c.text(await d.metrics.registry.metrics(), 200, { "Content-Type": d.metrics.registry.contentType }),
  );

  return app;
}
