"use client";
import { linePath, niceMax } from "@/lib/series";
import { useOverviewStore } from "@/providers/overview-store-provider";
import { OVERVIEW_WINDOW_MS } from "@/stores/overview-store";

const W = 640;
const H = 140;

/** Messages/s and connections over the last minutes, as inline SVG. Each line has its own scale. */
export function TrafficChart() {
  const samples = useOverviewStore((s) => s.samples);
  const to = samples.at(-1)?.t ?? Date.now();
  const from = to - OVERVIEW_WINDOW_MS;
  const maxRate = niceMax(Math.max(0, ...samples.map((s) => s.messagesPerS)));
  const maxConn = niceMax(Math.max(0, ...samples.map((s) => s.connections)));
  const box = { width: W, height: H, from, to };
  return (
    <figure style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        height={H}
        role="img"
        aria-label="Messages per second and connections, last 5 minutes"
      >
        <rect x={0} y={0} width={W} height={H} fill="#fafbfc" stroke="#dde1e7" />
        <path
          d={linePath(samples, (s) => s.connections, { ...box, max: maxConn })}
          fill="none"
          stroke="#127a3d"
          strokeWidth={2}
        />
        <path
          d={linePath(samples, (s) => s.messagesPerS, { ...box, max: maxRate })}
          fill="none"
          stroke="#2457d6"
          strokeWidth={2}
        />
      </svg>
      <figcaption className="legend">
        <span style={{ color: "#2457d6" }}>messages/s (max {maxRate})</span>
        <span style={{ color: "#127a3d" }}>connections (max {maxConn})</span>
        <span className="muted">{samples.length} samples, last 5 minutes</span>
      </figcaption>
    </figure>
  );
}
