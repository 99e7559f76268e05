import type { Overview } from "@podchat/protocol";
import { createStore } from "zustand/vanilla";
import type { ApiErrorData } from "@/lib/api-error";
import { appendSample, type Sample } from "@/lib/series";

/** How long the chart looks back. */
export const OVERVIEW_WINDOW_MS = 5 * 60_000;

export type StreamState = "connecting" | "live" | "down";

export interface OverviewState {
  overview: Overview | null;
  samples: Sample[];
  stream: StreamState;
  /** Why the stream is down, when known. */
  error: ApiErrorData | null;
}

export interface OverviewActions {
  /** Applies one `overview` event (or the first page load). */
  receive: (overview: Overview) => void;
  setStream: (stream: StreamState, error?: ApiErrorData | null) => void;
}

export type OverviewStore = OverviewState & OverviewActions;

function sampleOf(overview: Overview): Sample {
  const t = Date.parse(overview.server_time);
  return {
    t: Number.isNaN(t) ? Date.now() : t,
    messagesPerS: overview.totals.messages_per_s,
    connections: overview.totals.connections,
  };
}

export function initOverviewState(overview: Overview | null): OverviewState {
  return {
    overview,
    samples: overview ? [sampleOf(overview)] : [],
    stream: "connecting",
    error: null,
  };
}

export const createOverviewStore = (init: OverviewState = initOverviewState(null)) =>
  createStore<OverviewStore>()((set) => ({
    ...init,
    receive: (overview) =>
      set((s) => ({
        overview,
        samples: appendSample(s.samples, sampleOf(overview), OVERVIEW_WINDOW_MS),
        stream: "live",
        error: null,
      })),
    setStream: (stream, error = null) => set({ stream, error }),
  }));
