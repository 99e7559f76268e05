import { describe, expect, it } from "vitest";
import {
  AdminUserQuery,
  AdminUserSocket,
  AdminUserView,
  ClientFrame,
  CloseCode,
  CreateChannelBody,
  parseServerFrame,
  retryPolicyFor,
  wireUserId,
} from "./index.ts";

describe("seed frames", () => {
  it("accepts the seed's send frame exactly as the guide shows it", () => {
    expect(ClientFrame.safeParse({ type: "MESG", message: "안녕하세요!" }).success).toBe(true);
    expect(ClientFrame.safeParse({ type: "FILE", message: "a.pdf" }).success).toBe(true);
    expect(ClientFrame.safeParse({ type: "IMAGE", message: "a.png" }).success).toBe(true);
  });

  it("accepts the seed's received frames, with the added fields optional where the seed has none", () => {
    const mesg = {
      type: "MESG",
      channel_url: "pod_123_chat",
      user_id: 1,
      message: "메시지 내용",
      timestamp: "2024-01-01T00:00:00",
      message_id: "m1",
      seq: 1,
    };
    expect(parseServerFrame(mesg).success).toBe(true);
    expect(
      parseServerFrame({
        type: "USER_JOINED",
        channel_url: "pod_123_chat",
        user_id: 1,
        timestamp: "2024-01-01T00:00:00",
      }).success,
    ).toBe(true);
    expect(parseServerFrame({ type: "USER_LEFT", channel_url: "pod_123_chat", user_id: 1 }).success).toBe(
      true,
    );
    expect(parseServerFrame({ type: "NOPE" }).success).toBe(false);
  });

  it("rejects wrong types and oversize fields", () => {
    expect(ClientFrame.safeParse({ type: "MESG", message: 5 }).success).toBe(false);
    expect(ClientFrame.safeParse({ type: "MESG", message: "" }).success).toBe(false);
    expect(ClientFrame.safeParse({ type: "MESG", message: "x".repeat(16_001) }).success).toBe(false);
    expect(ClientFrame.safeParse({ type: "MESG", message: "x", req_id: "r".repeat(65) }).success).toBe(false);
  });
});

describe("user ids", () => {
  it("puts numeric ids on the wire as JSON numbers and everything else as strings", () => {
    expect(wireUserId("1")).toBe(1);
    expect(wireUserId("123456")).toBe(123456);
    expect(wireUserId("007")).toBe("007");
    expect(wireUserId("alice")).toBe("alice");
    expect(wireUserId("99999999999999999999")).toBe("99999999999999999999");
  });

  it("normalises numeric user_ids in bodies to strings", () => {
    const r = CreateChannelBody.safeParse({ channel_url: "pod_1", user_ids: [1, "2"] });
    expect(r.success && r.data.user_ids).toEqual(["1", "2"]);
  });
});

describe("close codes", () => {
  it("separates terminal from retryable closes", () => {
    expect(retryPolicyFor(CloseCode.FORBIDDEN)).toBe("never");
    expect(retryPolicyFor(CloseCode.CHANNEL_NOT_FOUND)).toBe("never");
    expect(retryPolicyFor(CloseCode.UNAUTHORIZED)).toBe("refresh-token");
    expect(retryPolicyFor(CloseCode.RATE_LIMITED)).toBe("retry-slow");
    expect(retryPolicyFor(CloseCode.GOING_AWAY)).toBe("retry");
    expect(retryPolicyFor(1006)).toBe("retry");
  });

  it("gives every CloseCode the policy of its meaning (the table's keys are literals)", () => {
    const expected: Record<keyof typeof CloseCode, string> = {
      NORMAL: "never",
      GOING_AWAY: "retry",
      FRAME_TOO_LARGE: "retry",
      INTERNAL_ERROR: "retry",
      BAD_REQUEST: "never",
      UNAUTHORIZED: "refresh-token",
      FORBIDDEN: "never",
      CHANNEL_NOT_FOUND: "never",
      WRONG_PROVIDER: "never",
      CHANNEL_DELETED: "never",
      SLOW_CONSUMER: "retry",
      RATE_LIMITED: "retry-slow",
      SERVER_ERROR: "retry",
      STORE_UNAVAILABLE: "retry",
    };
    for (const [name, code] of Object.entries(CloseCode))
      expect([name, retryPolicyFor(code)]).toEqual([name, expected[name as keyof typeof CloseCode]]);
  });
});

describe("admin user view (@since 0.3)", () => {
  const socket = {
    connection_id: "c1",
    kind: "user",
    channel_urls: ["pod_1_chat"],
    watching: 2,
    connected_at: "2024-01-01T00:00:00.000Z",
    remote_address: null,
  };

  it("accepts both socket kinds and an empty view", () => {
    expect(AdminUserSocket.safeParse(socket).success).toBe(true);
    expect(
      AdminUserSocket.safeParse({ ...socket, kind: "channel", remote_address: "127.0.0.1" }).success,
    ).toBe(true);
    const empty = {
      user_id: 1,
      channels: [],
      next_cursor: null,
      total_unread: 0,
      sockets: [],
      node_id: "n1",
    };
    expect(AdminUserView.safeParse(empty).success).toBe(true);
  });

  it("rejects an unknown socket kind, a negative total and out-of-range limits", () => {
    expect(AdminUserSocket.safeParse({ ...socket, kind: "sse" }).success).toBe(false);
    const bad = {
      user_id: "u",
      channels: [],
      next_cursor: null,
      total_unread: -1,
      sockets: [],
      node_id: "n",
    };
    expect(AdminUserView.safeParse(bad).success).toBe(false);
    expect(AdminUserQuery.safeParse({ limit: "0" }).success).toBe(false);
    expect(AdminUserQuery.safeParse({ limit: "20", cursor: "abc" }).data).toEqual({
      limit: 20,
      cursor: "abc",
    });
  });
});
