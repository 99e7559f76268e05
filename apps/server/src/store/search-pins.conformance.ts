import { describe, expect, it } from "vitest";
import type { MessageStore } from "./message-store.ts";

const channel = (url: string, users = ["1", "2"]) => ({
  channel_url: url,
  name: `name of ${url}`,
  provider: "websocket" as const,
  user_ids: users,
});

/** Search and pins (@since 0.5), part of the MessageStore conformance suite. */
export function describeSearchAndPins(store: () => MessageStore) {
  const send = (url: string, message: string, user = "1", created_at?: string) =>
    store()
      .appendMessage({
        channel_url: url,
        type: "MESG",
        user_id: user,
        message,
        ...(created_at ? { created_at } : {}),
      })
      .then((r) => r.message);
  const texts = (r: { messages: Array<{ message: string }> }) => r.messages.map((m) => m.message);

  describe("search", () => {
    it("finds messages holding every term, newest first, as case-insensitive substrings", async () => {
      const s = store();
      await s.createChannel(channel("s1"));
      await send("s1", "Hello world");
      await send("s1", "the WORLD is big");
      await send("s1", "nothing here");
      await send("s1", "hello again, world");
      expect(texts(await s.searchMessages("s1", { query: "world", limit: 10 }))).toEqual([
        "hello again, world",
        "the WORLD is big",
        "Hello world",
      ]);
      expect(texts(await s.searchMessages("s1", { query: "hello  WORLD", limit: 10 }))).toEqual([
        "hello again, world",
        "Hello world",
      ]);
      expect(texts(await s.searchMessages("s1", { query: "orl", limit: 10 }))).toHaveLength(3);
      expect(texts(await s.searchMessages("s1", { query: "absent", limit: 10 }))).toEqual([]);
    });

    it("finds Korean words of two and more syllables inside longer words", async () => {
      const s = store();
      await s.createChannel(channel("ko"));
      await send("ko", "안녕하세요 여러분");
      await send("ko", "채팅방에서 만나요");
      await send("ko", "오늘 날씨가 좋네요");
      expect(texts(await s.searchMessages("ko", { query: "안녕", limit: 10 }))).toEqual([
        "안녕하세요 여러분",
      ]);
      expect(texts(await s.searchMessages("ko", { query: "채팅", limit: 10 }))).toEqual([
        "채팅방에서 만나요",
      ]);
      expect(texts(await s.searchMessages("ko", { query: "채팅방", limit: 10 }))).toEqual([
        "채팅방에서 만나요",
      ]);
      expect(texts(await s.searchMessages("ko", { query: "날씨가 좋", limit: 10 }))).toEqual([
        "오늘 날씨가 좋네요",
      ]);
      expect(texts(await s.searchMessages("ko", { query: "하세요", limit: 10 }))).toEqual([
        "안녕하세요 여러분",
      ]);
      expect(texts(await s.searchMessages("ko", { query: "방송", limit: 10 }))).toEqual([]);
    });

    it("treats LIKE wildcards and FTS syntax in the query as plain text", async () => {
      const s = store();
      await s.createChannel(channel("w"));
      await send("w", "100% sure");
      await send("w", "1000 sure");
      await send("w", 'say "hi" OR NOT');
      await send("w", "a_b");
      expect(texts(await s.searchMessages("w", { query: "0%", limit: 10 }))).toEqual(["100% sure"]);
      expect(texts(await s.searchMessages("w", { query: "a_b", limit: 10 }))).toEqual(["a_b"]);
      expect(texts(await s.searchMessages("w", { query: '"hi"', limit: 10 }))).toEqual(['say "hi" OR NOT']);
      expect(texts(await s.searchMessages("w", { query: "OR NOT", limit: 10 }))).toEqual(['say "hi" OR NOT']);
    });

    it("never finds deleted messages, finds edited ones by their new text only, and skips log entries", async () => {
      const s = store();
      await s.createChannel(channel("e"));
      const a = await send("e", "apple pie");
      const b = await send("e", "banana split");
      await s.editMessage({ channel_url: "e", target_seq: a.seq, message: "cherry tart", user_id: "1" });
      await s.deleteMessage({ channel_url: "e", target_seq: b.seq, user_id: "1" });
      expect(texts(await s.searchMessages("e", { query: "apple", limit: 10 }))).toEqual([]);
      expect(texts(await s.searchMessages("e", { query: "banana", limit: 10 }))).toEqual([]);
      const found = await s.searchMessages("e", { query: "cherry", limit: 10 });
      expect(found.messages).toHaveLength(1);
      expect(found.messages[0]).toMatchObject({ seq: a.seq, type: "MESG", message: "cherry tart" });
      expect(found.messages[0]?.edited_at).toBeTruthy();
      await s.editMessage({ channel_url: "e", target_seq: a.seq, message: "plum", user_id: "1" });
      expect(texts(await s.searchMessages("e", { query: "cherry", limit: 10 }))).toEqual([]);
      expect(texts(await s.searchMessages("e", { query: "plu", limit: 10 }))).toEqual(["plum"]);
    });

    it("pages with a cursor, and refuses a bad cursor, an empty query and a missing channel", async () => {
      const s = store();
      await s.createChannel(channel("p"));
      for (let i = 0; i < 7; i++) await send("p", `note ${i}`);
      await send("p", "other");
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const r = await s.searchMessages("p", { query: "note", limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...texts(r));
        if (!r.nextCursor) break;
        cursor = r.nextCursor;
      }
      expect(seen).toEqual(["note 6", "note 5", "note 4", "note 3", "note 2", "note 1", "note 0"]);
      await expect(s.searchMessages("p", { query: "note", limit: 3, cursor: "!!" })).rejects.toMatchObject({
        code: "INVALID_DATA",
      });
      await expect(s.searchMessages("p", { query: "   ", limit: 3 })).rejects.toMatchObject({
        code: "INVALID_DATA",
      });
      await expect(s.searchMessages("p", { query: "no\u0000te", limit: 3 })).rejects.toMatchObject({
        code: "INVALID_DATA",
      });
      await expect(s.searchMessages("p", { query: "a b c d e f g h i", limit: 3 })).rejects.toMatchObject({
        code: "INVALID_DATA",
      });
      await expect(s.searchMessages("nope", { query: "note", limit: 3 })).rejects.toMatchObject({
        code: "CHANNEL_NOT_FOUND",
      });
    });

    it("searches across the user's channels only, newest first, paged", async () => {
      const s = store();
      await s.createChannel(channel("x1", ["1", "2"]));
      await s.createChannel(channel("x2", ["1", "3"]));
      await s.createChannel(channel("x3", ["3"]));
      await send("x1", "meeting at noon", "2", "2026-01-01T00:00:01.000Z");
      await send("x2", "meeting moved", "3", "2026-01-01T00:00:03.000Z");
      await send("x3", "secret meeting", "3", "2026-01-01T00:00:04.000Z");
      await send("x1", "meeting done 회의", "1", "2026-01-01T00:00:02.000Z");
      const all = await s.searchUserMessages("1", { query: "meeting", limit: 10 });
      expect(all.messages.map((m) => [m.channel_url, m.message])).toEqual([
        ["x2", "meeting moved"],
        ["x1", "meeting done 회의"],
        ["x1", "meeting at noon"],
      ]);
      const first = await s.searchUserMessages("1", { query: "meeting", limit: 2 });
      expect(texts(first)).toEqual(["meeting moved", "meeting done 회의"]);
      const second = await s.searchUserMessages("1", {
        query: "meeting",
        limit: 2,
        cursor: first.nextCursor!,
      });
      expect(texts(second)).toEqual(["meeting at noon"]);
      expect(second.nextCursor).toBeNull();
      expect(texts(await s.searchUserMessages("1", { query: "회의", limit: 10 }))).toEqual([
        "meeting done 회의",
      ]);
      expect(texts(await s.searchUserMessages("3", { query: "secret", limit: 10 }))).toEqual([
        "secret meeting",
      ]);
      expect(texts(await s.searchUserMessages("nobody", { query: "meeting", limit: 10 }))).toEqual([]);
      await s.removeMembers("x2", ["1"]);
      expect(texts(await s.searchUserMessages("1", { query: "moved", limit: 10 }))).toEqual([]);
    });

    it("forgets a deleted channel's messages", async () => {
      const s = store();
      await s.createChannel(channel("gone"));
      await send("gone", "ephemeral words");
      await s.deleteChannel("gone");
      await s.createChannel(channel("gone"));
      expect(texts(await s.searchMessages("gone", { query: "ephemeral", limit: 10 }))).toEqual([]);
    });
  });

  describe("pins", () => {
    it("pins, lists most recent first, keeps a repeat as it was, and unpins", async () => {
      const s = store();
      await s.createChannel(channel("pn"));
      const a = await send("pn", "first");
      const b = await send("pn", "second");
      const p1 = await s.pinMessage("pn", a.seq, "1");
      expect(p1).toMatchObject({ created: true, pin: { channel_url: "pn", seq: a.seq, pinned_by: "1" } });
      expect(p1.pin.message).toMatchObject({ message_id: a.message_id, message: "first" });
      await new Promise((r) => setTimeout(r, 5));
      await s.pinMessage("pn", b.seq, null);
      const again = await s.pinMessage("pn", a.seq, "2");
      expect(again).toMatchObject({ created: false, pin: { pinned_by: "1", pinned_at: p1.pin.pinned_at } });
      expect((await s.listPins("pn")).map((p) => [p.seq, p.pinned_by])).toEqual([
        [b.seq, null],
        [a.seq, "1"],
      ]);
      expect(await s.unpinMessage("pn", a.seq)).toMatchObject({ seq: a.seq, pinned_by: "1" });
      expect(await s.unpinMessage("pn", a.seq)).toBeNull();
      expect((await s.listPins("pn")).map((p) => p.seq)).toEqual([b.seq]);
    });

    it("shows the pinned message as edited, and drops the pin when the message is deleted", async () => {
      const s = store();
      await s.createChannel(channel("pe"));
      const a = await send("pe", "old text");
      await s.pinMessage("pe", a.seq, "1");
      await s.editMessage({ channel_url: "pe", target_seq: a.seq, message: "new text", user_id: "1" });
      expect((await s.listPins("pe"))[0]?.message.message).toBe("new text");
      await s.deleteMessage({ channel_url: "pe", target_seq: a.seq, user_id: "1" });
      expect(await s.listPins("pe")).toEqual([]);
      expect(await s.unpinMessage("pe", a.seq)).toBeNull();
    });

    it("refuses a missing message, a log entry, a deleted message and a missing channel", async () => {
      const s = store();
      await s.createChannel(channel("px"));
      const a = await send("px", "x");
      const edit = await s.editMessage({ channel_url: "px", target_seq: a.seq, message: "y", user_id: "1" });
      await expect(s.pinMessage("px", 99, "1")).rejects.toMatchObject({ code: "MESSAGE_NOT_FOUND" });
      await expect(s.pinMessage("px", edit.entry.seq, "1")).rejects.toMatchObject({
        code: "MESSAGE_NOT_FOUND",
      });
      await s.deleteMessage({ channel_url: "px", target_seq: a.seq, user_id: "1" });
      await expect(s.pinMessage("px", a.seq, "1")).rejects.toMatchObject({ code: "MESSAGE_NOT_FOUND" });
      await expect(s.pinMessage("nope", 1, "1")).rejects.toMatchObject({ code: "CHANNEL_NOT_FOUND" });
      await expect(s.listPins("nope")).rejects.toMatchObject({ code: "CHANNEL_NOT_FOUND" });
      await expect(s.unpinMessage("nope", 1)).rejects.toMatchObject({ code: "CHANNEL_NOT_FOUND" });
    });

    it("deletes a channel's pins with the channel", async () => {
      const s = store();
      await s.createChannel(channel("pd"));
      const a = await send("pd", "x");
      await s.pinMessage("pd", a.seq, "1");
      await s.deleteChannel("pd");
      await s.createChannel(channel("pd"));
      await send("pd", "again");
      expect(await s.listPins("pd")).toEqual([]);
    });
  });
}
