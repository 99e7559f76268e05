import { describe, expect, it } from "vitest";
import { flagSourceLabel, formatAuditValue, formatRate, formatTime, formatUptime, sameUser } from "./format";

describe("format", () => {
  it("formats uptimes", () => {
    expect(formatUptime(42)).toBe("42s");
    expect(formatUptime(125)).toBe("2m");
    expect(formatUptime(3 * 3600 + 60)).toBe("3h 1m");
    expect(formatUptime(86_400 + 2 * 3600 + 3 * 60)).toBe("1d 2h 3m");
  });

  it("formats rates", () => {
    expect(formatRate(0)).toBe("0.0");
    expect(formatRate(2.345)).toBe("2.3");
    expect(formatRate(123.6)).toBe("124");
  });

  it("says where a flag value comes from", () => {
    expect(flagSourceLabel({ source: "env", pinned: true })).toMatch(/env-pinned/);
    expect(flagSourceLabel({ source: "runtime", pinned: false })).toBe("runtime (admin)");
    expect(flagSourceLabel({ source: "yaml", pinned: false })).toBe("yaml");
  });

  it("formats audit values and times", () => {
    expect(formatAuditValue(true)).toBe("true");
    expect(formatAuditValue(null)).toBe("(unset)");
    expect(formatAuditValue("x")).toBe("x");
    expect(formatAuditValue(["a"])).toBe('["a"]');
    expect(formatTime("2024-01-01T00:00:00.000Z")).toBe("2024-01-01 00:00:00");
    expect(formatTime(null)).toBe("—");
  });

  it("compares wire user ids across number and string", () => {
    expect(sameUser(1, "1")).toBe(true);
    expect(sameUser("a", "b")).toBe(false);
    expect(sameUser(null, null)).toBe(false);
  });
});
