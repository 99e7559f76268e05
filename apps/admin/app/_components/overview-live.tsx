"use client";
import { Overview } from "@podchat/protocol";
import { adminPath } from "@/lib/client-api";
import { formatRate } from "@/lib/format";
import { useEventSource } from "@/lib/use-event-source";
import { useOverviewStore } from "@/providers/overview-store-provider";
import { ErrorBanner } from "./error-banner";
import { InstancesTable } from "./instances-table";
import { TrafficChart } from "./traffic-chart";

/** Totals, instances and the chart, kept current by the `overview` SSE stream. */
export function OverviewLive() {
  const overview = useOverviewStore((s) => s.overview);
  const stream = useOverviewStore((s) => s.stream);
  const error = useOverviewStore((s) => s.error);
  const receive = useOverviewStore((s) => s.receive);
  const setStream = useOverviewStore((s) => s.setStream);

  useEventSource(
    adminPath("/stream"),
    adminPath("/overview"),
    {
      overview: (data) => {
        const parsed = Overview.safeParse(data);
        if (parsed.success) receive(parsed.data);
      },
    },
    { onOpen: () => setStream("live"), onDown: (e) => setStream("down", e) },
  );

  const totals = overview?.totals;
  return (
    <>
      <ErrorBanner error={error} />
      <p className="muted" role="status" aria-label="Stream status">
        {stream === "live"
          ? "● live"
          : stream === "connecting"
            ? "connecting…"
            : "○ live updates interrupted, retrying"}
      </p>
      <section className="grid" aria-label="Totals">
        <Stat label="Connections" value={totals ? String(totals.connections) : "—"} />
        <Stat label="Active channels" value={totals ? String(totals.active_channels) : "—"} />
        <Stat label="Channels (websocket)" value={totals ? String(totals.channels.websocket) : "—"} />
        <Stat label="Channels (sendbird)" value={totals ? String(totals.channels.sendbird) : "—"} />
        <Stat label="Messages/s" value={totals ? formatRate(totals.messages_per_s) : "—"} />
      </section>
      <h2>Last minutes</h2>
      <div className="card">
        <TrafficChart />
      </div>
      <h2>Instances</h2>
      <InstancesTable instances={overview?.instances ?? []} />
    </>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <section className="card" aria-label={label}>
      <div className="muted">{label}</div>
      <div className="stat">{value}</div>
    </section>
  );
}
