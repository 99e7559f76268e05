import type { AuditLogEntry } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import { auditQuery, createAuditStore, filtersFrom, initAuditState, noFilters } from "./audit-store";

const entry = (id: string): AuditLogEntry => ({
  id,
  at: "2026-01-01T00:00:00.000Z",
  actor: { kind: "admin", id: "admin" },
  action: "channel.delete",
  target: { channel_url: "c" },
  request_id: "r",
  node_id: "n",
});

describe("audit store", () => {
  it("appends older pages once each and keeps the cursor of the last", () => {
    const store = createAuditStore(
      initAuditState(noFilters(), { entries: [entry("3"), entry("2")], next_cursor: "2" }),
    );
    store.getState().appendPage({ entries: [entry("2"), entry("1")], next_cursor: null });
    expect(store.getState().entries.map((e) => e.id)).toEqual(["3", "2", "1"]);
    expect(store.getState().nextCursor).toBeNull();
  });

  it("keeps the loaded entries when loading more fails", () => {
    const store = createAuditStore(initAuditState(noFilters(), { entries: [entry("1")], next_cursor: "1" }));
    store.getState().setLoadingMore(true);
    store.getState().setError({ status: 503, code: "STORE_UNAVAILABLE", message: "down" });
    expect(store.getState()).toMatchObject({ loadingMore: false, entries: [entry("1")] });
  });
});

describe("auditQuery", () => {
  it("sends only the filters given, local times as UTC, and paging when asked", () => {
    const f = { ...noFilters(), action: " moderation.* ", channel_url: "pod_1", since: "2026-12-04T19:00" };
    expect(auditQuery(f)).toBe("action=moderation.*&channel_url=pod_1&since=2026-12-04T19%3A00%3A00.000Z");
    expect(auditQuery(noFilters(), { cursor: "abc" })).toBe("limit=50&cursor=abc");
    expect(auditQuery(noFilters(), { cursor: null, limit: 10 })).toBe("limit=10");
    // Text that is no time goes to the server, which answers a 400 naming the field.
    expect(auditQuery({ ...noFilters(), until: "yesterday" })).toBe("until=yesterday");
  });

  it("reads the filters from the page's search params", () => {
    expect(filtersFrom({ action: ["a", "b"], actor: "admin", other: "x" })).toEqual({
      ...noFilters(),
      action: "a",
      actor: "admin",
    });
  });
});
