import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics of one server instance (own registry, so tests can run several). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    connections: new Gauge({ name: "podchat_connections", help: "Open chat sockets", registers: [registry] }),
    connectionsTotal: new Counter({
      name: "podchat_connections_total",
      help: "Sockets admitted",
      registers: [registry],
    }),
    refused: new Counter({
      name: "podchat_connections_refused_total",
      help: "Sockets refused, by error code",
      labelNames: ["code"],
      registers: [registry],
    }),
    messagesIn: new Counter({
      name: "podchat_messages_in_total",
      help: "Messages stored",
      registers: [registry],
    }),
    deliveries: new Counter({
      name: "podchat_deliveries_total",
      help: "Message frames sent to sockets",
      registers: [registry],
    }),
    errors: new Counter({
      name: "podchat_errors_total",
      help: "ERROR frames and REST errors, by code",
      labelNames: ["code"],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: "podchat_rate_limited_total",
      help: "Frames refused by rate limits",
      registers: [registry],
    }),
    /** @since 0.5 Push notifications, by outcome (sent, failed, gone, online, muted) and kind. */
    pushes: new Counter({
      name: "podchat_push_total",
      help: "Push notifications: sent, failed, gone (device removed), or skipped (online, muted)",
      labelNames: ["outcome", "kind"],
      registers: [registry],
    }),
    storeLatency: new Histogram({
      name: "podchat_store_append_seconds",
      help: "Time from accepting a message to it being durable",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
