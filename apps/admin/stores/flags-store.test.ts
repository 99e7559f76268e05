import type { FlagsResponse } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import { auditQuery, createFlagsStore } from "./flags-store";

const flags: FlagsResponse = {
  environments: [],
  overrides: [],
  traffic: { websocket: { channels: 0, connections: 0 }, sendbird: { channels: 0, connections: null } },
};

describe("flags store", () => {
  it("builds the audit query from the filter, leaving blanks out", () => {
    expect(auditQuery({ env: "", actor: "  " })).toBe("limit=50");
    expect(auditQuery({ env: "prod", actor: " admin " }, 10)).toBe("env=prod&actor=admin&limit=10");
  });

  it("merges filter changes and replaces flags and audit", () => {
    const store = createFlagsStore({ flags, audit: [] });
    store.getState().setAuditFilter({ env: "dev" });
    store.getState().setAuditFilter({ actor: "admin" });
    expect(store.getState().auditFilter).toEqual({ env: "dev", actor: "admin" });
    store.getState().setAudit([
      {
        id: 1,
        env: "dev",
        key: "chat.use_websocket",
        old_value: true,
        new_value: false,
        actor: "admin",
        at: "t",
      },
    ]);
    expect(store.getState().audit).toHaveLength(1);
  });
});
