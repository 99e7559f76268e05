import type { MessageFrame } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import {
  applyChanges,
  describeChatError,
  applyReceipt,
  changeTarget,
  fileSrc,
  imageOf,
  lastMessageText,
  type MessageChange,
  readersOf,
  typingText,
} from "./chat-view";

const msg = (seq: number, extra: Partial<MessageFrame> = {}): MessageFrame => ({
  type: "MESG",
  channel_url: "c",
  user_id: 1,
  message: `m${seq}`,
  timestamp: "2024-01-01T00:00:00.000Z",
  message_id: `id-${seq}`,
  seq,
  ...extra,
});

describe("chat view helpers", () => {
  it("applies edits and deletions by target seq", () => {
    const changes = new Map<number, MessageChange>([
      [1, { kind: "edited", message: "new", editedAt: "2024-01-01T00:01:00.000Z" }],
      [2, { kind: "deleted" }],
    ]);
    const out = applyChanges([msg(1), msg(2, { data: { a: 1 } }), msg(3)], changes);
    expect(out.map((m) => [m.message, m.edited_at ?? null, m.deleted ?? false, m.data ?? null])).toEqual([
      ["new", "2024-01-01T00:01:00.000Z", false, null],
      ["", null, true, null],
      ["m3", null, false, null],
    ]);
    const newer = msg(1, { message: "newer", edited_at: "2024-01-01T00:02:00.000Z" });
    expect(applyChanges([newer], changes)[0]?.message).toBe("newer");
    expect(changeTarget({ seq: 9, target_seq: 4 })).toBe(4);
    expect(changeTarget({ seq: 4 })).toBe(4);
  });

  it("tracks readers (forward only, never the sender)", () => {
    let state = applyReceipt(new Map(), 2, 5);
    state = applyReceipt(state, "2", 3);
    state = applyReceipt(state, 1, 9);
    state = applyReceipt(state, 10, 4);
    expect(state.get("2")).toBe(5);
    expect(readersOf(state, 4, 1)).toEqual(["2", "10"]);
    expect(readersOf(state, 5, "1")).toEqual(["2"]);
    expect(readersOf(state, 6, 1)).toEqual([]);
  });

  it("says who is typing", () => {
    expect(typingText([])).toBe("");
    expect(typingText(["2"])).toBe("user 2 is typing…");
    expect(typingText(["2", "3", "4"])).toBe("users 2, 3 and 4 are typing…");
  });

  it("makes file URLs loadable by <img>", () => {
    expect(fileSrc("/api/v1/chat/files/f1/thumbnail", "http://h:1", "t k")).toBe(
      "http://h:1/api/v1/chat/files/f1/thumbnail?token=t+k",
    );
    expect(fileSrc("http://cdn/x?a=1", "http://h:1/", "t")).toBe("http://cdn/x?a=1&token=t");
    const file = { url: "/f", name: "a.png", size: 1, mime_type: "image/png" };
    expect(imageOf(file)).toBe("/f");
    expect(imageOf({ ...file, thumbnail_url: "/t" })).toBe("/t");
    expect(imageOf({ ...file, mime_type: "application/pdf" })).toBeNull();
    expect(imageOf(undefined)).toBeNull();
  });
});

describe("describeChatError", () => {
  it("explains moderation refusals and keeps other messages", () => {
    expect(describeChatError({ code: "BANNED", message: "banned" })).toMatch(/^BANNED: You are banned/);
    expect(describeChatError({ code: "X", message: "boom" })).toBe("X: boom");
    expect(describeChatError(new Error("plain"))).toBe("plain");
  });
});

describe("lastMessageText", () => {
  it("shows the sender and the text, or what stands in for it", () => {
    expect(lastMessageText(null)).toBe("No messages yet");
    expect(lastMessageText(msg(3, { user_id: "u2", message: "hi" }))).toBe("u2: hi");
    expect(lastMessageText(msg(3, { user_id: null, message: "notice" }))).toBe("admin: notice");
    expect(lastMessageText(msg(3, { message: "", deleted: true }))).toBe("1: message deleted");
    const file = { url: "/f", name: "a.png", size: 1, mime_type: "image/png" };
    expect(lastMessageText(msg(3, { type: "IMAGE", message: "", file }))).toBe("1: [a.png]");
    expect(lastMessageText(msg(3, { type: "IMAGE", message: "" }))).toBe("1: (IMAGE)");
  });
});
