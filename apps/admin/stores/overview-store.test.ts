import type { Overview } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import { createOverviewStore, initOverviewState, OVERVIEW_WINDOW_MS } from "./overview-store";

function overview(at: number, connections: number, rate: number): Overview {
  return {
    instances: [],
    totals: {
      connections,
      active_channels: 1,
      channels: { websocket: 1, sendbird: 0 },
      messages_per_s: rate,
    },
    server_time: new Date(at).toISOString(),
  };
}

describe("overview store", () => {
  it("starts from the page's overview and records a sample per event", () => {
    const store = createOverviewStore(initOverviewState(overview(1_000, 1, 0)));
    expect(store.getState().stream).toBe("connecting");
    store.getState().receive(overview(2_000, 3, 4.5));
    const s = store.getState();
    expect(s.stream).toBe("live");
    expect(s.overview?.totals.connections).toBe(3);
    expect(s.samples).toEqual([
      { t: 1_000, connections: 1, messagesPerS: 0 },
      { t: 2_000, connections: 3, messagesPerS: 4.5 },
    ]);
  });

  it("forgets samples older than the window", () => {
    const store = createOverviewStore();
    store.getState().receive(overview(0, 1, 0));
    store.getState().receive(overview(OVERVIEW_WINDOW_MS + 1, 2, 0));
    expect(store.getState().samples.map((x) => x.connections)).toEqual([2]);
  });

  it("records why the stream went down, and clears it when data flows again", () => {
    const store = createOverviewStore();
    store.getState().setStream("down", { status: 502, code: "SERVER_UNREACHABLE", message: "down" });
    expect(store.getState().error?.code).toBe("SERVER_UNREACHABLE");
    store.getState().receive(overview(1, 0, 0));
    expect(store.getState().error).toBeNull();
  });

  it("makes independent stores (one per request)", () => {
    const a = createOverviewStore();
    const b = createOverviewStore();
    a.getState().receive(overview(1, 5, 0));
    expect(b.getState().overview).toBeNull();
  });
});
