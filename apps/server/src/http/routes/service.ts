import { timingSafeEqual } from "node:crypto";
import { ErrorCode } from "@podchat/protocol";
import { Hono } from "hono";
import * as z from "zod";
import { ChatError } from "../../chat/chat-error.ts";
import type { Metrics } from "../../observability/metrics.ts";
import { auth, describeRoute, errors, jsonResponse } from "../openapi/index.ts";
import type { AppEnv } from "../principal.ts";

export interface ServiceRoutesDeps {
  ready: () => Promise<boolean>;
  metrics: Metrics;
  /** observability.metrics_token: `/metrics` wants it as a Bearer token. */
  metricsToken?: string | undefined;
  /** False when `/metrics` is served on its own listener (observability.metrics_listen). */
  serveMetrics?: boolean;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `/healthz`, `/readyz` for load balancers, without credentials; `/metrics` for Prometheus, open
 * unless observability.metrics_token is set (then Bearer) or it lives on its own listener.
 */
export function serviceRoutes(d: ServiceRoutesDeps) {
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

  if (d.serveMetrics !== false) app.route("/", metricsRoute(d));
  return app;
}

/** `/metrics` alone: on the main app, or on the metrics listener. */
export function metricsRoute(d: Pick<ServiceRoutesDeps, "metrics" | "metricsToken">) {
  const app = new Hono<AppEnv>();
  const token = d.metricsToken;
  app.get(
    "/metrics",
    describeRoute({
      summary: "Prometheus metrics (text exposition format)",
      description: token
        ? "Needs `Authorization: Bearer <observability.metrics_token>`."
        : "Open: no observability.metrics_token is set.",
      tags: ["service"],
      security: token ? auth.metrics : auth.none,
      responses: {
        200: { description: "The metrics", content: { "text/plain": { schema: { type: "string" } } } },
        ...(token ? errors(401) : errors()),
      },
    }),
    async (c) => {
      if (token) {
        const m = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
        if (!m || !sameSecret(m[1]!, token)) {
          c.header("WWW-Authenticate", 'Bearer realm="metrics"');
          throw new ChatError(ErrorCode.UNAUTHORIZED, "/metrics needs Authorization: Bearer <metrics token>");
        }
      }
      return c.text(await d.metrics.registry.metrics(), 200, {
        "Content-Type": d.metrics.registry.contentType,
      });
    },
  );
  return app;
}
