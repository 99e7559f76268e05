import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MessageStore, StoreError, type StoredAuditLogEntry } from "./message-store.ts";
import { describeSearchAndPins } from "./search-pins.conformance.ts";

export interface StoreHarness {
  /** A fresh, empty, migrated store. */
  open(): Promise<MessageStore>;
  /** Re-open the same database (restart), migrated. Omit when the engine cannot. */
  reopen?(): Promise<MessageStore>;
}

const channel = (url: string, users = ["1", "2"]) => ({
  channel_url: url,
  name: `name of ${url}`,
  provider: "websocket" as const,
  user_ids: users,
  data: { pod_id: 123 },
});

/** Today's definition of unread, by scanning: what the counter must always equal. */
async function scannedUnread(store: MessageStore, url: string): Promise<Map<string, number>> {
  const all = await store.listMessages(url, { afterSeq: 0, limit: 100_000, messagesOnly: true });
  const out = new Map<string, number>();
  for (const { user_id, last_read_seq } of await store.readState(url)) {
    out.set(user_id, all.filter((m) => m.seq > last_read_seq && !m.deleted && m.user_id !== user_id).length);
  }
  return out;
}

/** One behaviour suite for every MessageStore implementation. */
export function describeMessageStore(name: string, harness: StoreHarness) {
  describe(`MessageStore conformance: ${name}`, () => {
    let store: MessageStore;
    beforeEach(async () => {
      store = await harness.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("creates a channel with members and reads it back", async () => {
      const c = await store.createChannel(channel("pod_123_chat", ["1", "2", "3"]));
      expect(c).toMatchObject({
        channel_url: "pod_123_chat",
        member_count: 3,
        last_seq: 0,
        data: { pod_id: 123 },
      });
      expect(await store.getChannel("pod_123_chat")).toEqual(c);
      expect(await store.listMembers("pod_123_chat")).toEqual(["1", "2", "3"]);
      expect(await store.getChannel("nope")).toBeNull();
    });

    it("refuses a duplicate channel_url with CHANNEL_EXISTS", async () => {
      await store.createChannel(channel("dup"));
      await expect(store.createChannel(channel("dup"))).rejects.toMatchObject({ code: "CHANNEL_EXISTS" });
    });

    it("adds and removes members, keeping member_count", async () => {
      await store.createChannel(channel("m", ["1"]));
      let c = await store.addMembers("m", ["2", "3", "1"]);
      expect(c.member_count).toBe(3);
      expect(await store.isMember("m", "3")).toBe(true);
      c = await store.removeMembers("m", ["3", "99"]);
      expect(c.member_count).toBe(2);
      expect(await store.isMember("m", "3")).toBe(false);
      await expect(store.addMembers("missing", ["1"])).rejects.toMatchObject({ code: "CHANNEL_NOT_FOUND" });
    });

    it("assigns gap-free seq per channel, also to concurrent appends", async () => {
      await store.createChannel(channel("a"));
      await store.createChannel(channel("b"));
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          store.appendMessage({
            channel_url: i % 3 === 0 ? "b" : "a",
            type: "MESG",
            user_id: "1",
            message: `m${i}`,
          }),
        ),
      );
      const seqA = results.filter((r) => r.message.channel_url === "a").map((r) => r.message.seq);
      const seqB = results.filter((r) => r.message.channel_url === "b").map((r) => r.message.seq);
      expect([...seqA].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect([...seqB].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await store.getChannel("a"))?.last_seq).toBe(40);
      expect(new Set(results.map((r) => r.message.message_id)).size).toBe(60);
    });

    it("stores a repeated req_id of the same user once", async () => {
      await store.createChannel(channel("r"));
      const first = await store.appendMessage({
        channel_url: "r",
        type: "MESG",
        user_id: "1",
        message: "hi",
        req_id: "q1",
      });
      const again = await store.appendMessage({
        channel_url: "r",
        type: "MESG",
        user_id: "1",
        message: "hi",
        req_id: "q1",
      });
      const other = await store.appendMessage({
        channel_url: "r",
        type: "MESG",
        user_id: "2",
        message: "hi",
        req_id: "q1",
      });
      const [p1, p2] = await Promise.all([
        store.appendMessage({ channel_url: "r", type: "MESG", user_id: "1", message: "x", req_id: "q2" }),
        store.appendMessage({ channel_url: "r", type: "MESG", user_id: "1", message: "x", req_id: "q2" }),
      ]);
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ message: first.message, duplicate: true });
      expect(other.duplicate).toBe(false);
      expect(other.message.seq).toBe(2);
      expect([p1!.duplicate, p2!.duplicate].sort()).toEqual([false, true]);
      expect(p1!.message.message_id).toBe(p2!.message.message_id);
      expect((await store.listMessages("r", { limit: 10 })).map((m) => m.seq)).toEqual([1, 2, 3]);
    });

    it("keeps a caller-chosen message_id once (migration re-runs)", async () => {
      await store.createChannel(channel("mig"));
      const at = "2023-05-01T10:00:00.000Z";
      const a = await store.appendMessage({
        channel_url: "mig",
        type: "MESG",
        user_id: "1",
        message: "old",
        message_id: "sb-1",
        created_at: at,
      });
      const b = await store.appendMessage({
        channel_url: "mig",
        type: "MESG",
        user_id: "1",
        message: "old",
        message_id: "sb-1",
      });
      expect(a.message.created_at).toBe(at);
      expect(b.duplicate).toBe(true);
      expect((await store.getChannel("mig"))?.last_seq).toBe(1);
    });

    it("round-trips every message field", async () => {
      await store.createChannel(channel("f"));
      const { message } = await store.appendMessage({
        channel_url: "f",
        type: "IMAGE",
        user_id: "2",
        message: "안녕하세요!",
        custom_type: "photo",
        data: { nested: { a: [1, 2] } },
        file: { url: "/files/x.png", name: "x.png", size: 10, mime_type: "image/png", width: 2, height: 3 },
        req_id: "r-9",
      });
      const [stored] = await store.listMessages("f", { limit: 1 });
      expect(stored).toEqual(message);
    });

    it("pages history by seq in both directions", async () => {
      await store.createChannel(channel("h"));
      for (let i = 1; i <= 25; i++)
        await store.appendMessage({ channel_url: "h", type: "MESG", user_id: "1", message: `${i}` });
      const seqs = async (r: Parameters<MessageStore["listMessages"]>[1]) =>
        (await store.listMessages("h", r)).map((m) => m.seq);
      expect(await seqs({ afterSeq: 0, limit: 5 })).toEqual([1, 2, 3, 4, 5]);
      expect(await seqs({ afterSeq: 22, limit: 5 })).toEqual([23, 24, 25]);
      expect(await seqs({ beforeSeq: 26, limit: 3 })).toEqual([23, 24, 25]);
      expect(await seqs({ beforeSeq: 3, limit: 10 })).toEqual([1, 2]);
      expect(await seqs({ afterSeq: 25, limit: 5 })).toEqual([]);
    });

    it("refuses appends to an unknown channel without affecting others in the same batch", async () => {
      await store.createChannel(channel("ok"));
      const [bad, good] = await Promise.allSettled([
        store.appendMessage({ channel_url: "ghost", type: "MESG", user_id: "1", message: "x" }),
        store.appendMessage({ channel_url: "ok", type: "MESG", user_id: "1", message: "y" }),
      ]);
      expect(bad.status).toBe("rejected");
      expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
      expect((bad as PromiseRejectedResult).reason.code).toBe("CHANNEL_NOT_FOUND");
      expect(good.status).toBe("fulfilled");
    });

    it("lists channels with cursor paging, search and provider filter", async () => {
      for (const u of ["c1", "c2", "c3", "c4", "c5"]) await store.createChannel(channel(u));
      await store.createChannel({ ...channel("sb_room"), name: "Legacy Room", provider: "sendbird" });
      const p1 = await store.listChannels({ limit: 4 });
      expect(p1.channels.map((c) => c.channel_url)).toEqual(["c1", "c2", "c3", "c4"]);
      const p2 = await store.listChannels({ limit: 4, cursor: p1.nextCursor! });
      expect(p2.channels.map((c) => c.channel_url)).toEqual(["c5", "sb_room"]);
      expect(p2.nextCursor).toBeNull();
      expect(
        (await store.listChannels({ limit: 10, q: "legacy" })).channels.map((c) => c.channel_url),
      ).toEqual(["sb_room"]);
      expect((await store.listChannels({ limit: 10, provider: "sendbird" })).channels).toHaveLength(1);
      expect(await store.countChannels()).toEqual({ websocket: 5, sendbird: 1 });
    });

    it("updates and deletes a channel with its members and messages", async () => {
      await store.createChannel(channel("u"));
      await store.appendMessage({ channel_url: "u", type: "MESG", user_id: "1", message: "x" });
      const c = await store.updateChannel("u", { name: "renamed", data: { k: 1 }, provider: "sendbird" });
      expect(c).toMatchObject({ name: "renamed", data: { k: 1 }, provider: "sendbird", last_seq: 1 });
      expect(await store.deleteChannel("u")).toBe(true);
      expect(await store.deleteChannel("u")).toBe(false);
      expect(await store.getChannel("u")).toBeNull();
      await store.createChannel(channel("u"));
      expect(await store.listMessages("u", { limit: 10 })).toEqual([]);
      expect((await store.getChannel("u"))?.last_seq).toBe(0);
    });

    it("edits and deletes as seq-log entries: one transaction, gap-free seq, author checks", async () => {
      await store.createChannel(channel("ed"));
      const m1 = await store.appendMessage({
        channel_url: "ed",
        type: "MESG",
        user_id: "1",
        message: "helo",
        data: { a: 1 },
      });
      await store.appendMessage({
        channel_url: "ed",
        type: "FILE",
        user_id: "2",
        message: "f",
        file: { url: "/f/1", name: "a.pdf", size: 3, mime_type: "application/pdf" },
      });
      const edit = await store.editMessage({
        channel_url: "ed",
        target_seq: 1,
        message: "hello",
        user_id: "1",
        require_author: "1",
      });
      expect(edit.target).toMatchObject({
        seq: 1,
        message: "hello",
        data: { a: 1 },
        edited_at: expect.any(String),
        deleted: false,
      });
      expect(edit.entry).toMatchObject({
        seq: 3,
        type: "MESSAGE_UPDATED",
        target_seq: 1,
        target_message_id: m1.message.message_id,
        message: "hello",
        user_id: "1",
      });
      await expect(
        store.editMessage({
          channel_url: "ed",
          target_seq: 2,
          message: "x",
          user_id: "1",
          require_author: "1",
        }),
      ).rejects.toMatchObject({ code: "NOT_AUTHOR" });
      await expect(
        store.editMessage({ channel_url: "ed", target_seq: 3, message: "x", user_id: null }),
      ).rejects.toMatchObject({ code: "MESSAGE_NOT_FOUND" });
      await expect(
        store.deleteMessage({ channel_url: "ghost", target_seq: 1, user_id: null }),
      ).rejects.toMatchObject({ code: "CHANNEL_NOT_FOUND" });
      const del = await store.deleteMessage({ channel_url: "ed", target_seq: 2, user_id: null });
      expect(del.target).toMatchObject({ seq: 2, deleted: true, message: "", data: null, file: null });
      expect(del.before).toMatchObject({ seq: 2, deleted: false, message: "f", file: { url: "/f/1" } });
      expect(del.entry).toMatchObject({ seq: 4, type: "MESSAGE_DELETED", target_seq: 2 });
      await expect(
        store.deleteMessage({ channel_url: "ed", target_seq: 2, user_id: null }),
      ).rejects.toMatchObject({ code: "MESSAGE_NOT_FOUND" });
      // A failed change takes no seq.
      const next = await store.appendMessage({
        channel_url: "ed",
        type: "MESG",
        user_id: "1",
        message: "after",
      });
      expect(next.message.seq).toBe(5);
      expect((await store.listMessages("ed", { afterSeq: 0, limit: 10 })).map((m) => m.type)).toEqual([
        "MESG",
        "FILE",
        "MESSAGE_UPDATED",
        "MESSAGE_DELETED",
        "MESG",
      ]);
      expect(
        (await store.listMessages("ed", { afterSeq: 0, limit: 10, messagesOnly: true })).map((m) => m.seq),
      ).toEqual([1, 2, 5]);
      expect(
        (await store.listMessages("ed", { beforeSeq: 99, limit: 2, messagesOnly: true })).map((m) => m.seq),
      ).toEqual([2, 5]);
      expect(await store.getMessage("ed", 3)).toBeNull();
      expect(await store.getMessage("ed", 1)).toEqual(edit.target);
    });

    it("keeps read marks per member: forward only, clamped, unread excludes own, deleted and log entries", async () => {
      await store.createChannel(channel("rd", ["1", "2", "3"]));
      for (const u of ["1", "2", "1", "1"])
        await store.appendMessage({ channel_url: "rd", type: "MESG", user_id: u, message: "x" });
      await store.deleteMessage({ channel_url: "rd", target_seq: 4, user_id: null });
      expect(await store.readMark("rd", "2")).toEqual({
        channel_url: "rd",
        user_id: "2",
        last_read_seq: 0,
        last_seq: 5,
        unread_count: 2,
      });
      expect(await store.markRead("rd", "2", 1)).toMatchObject({ last_read_seq: 1, unread_count: 1 });
      expect(await store.markRead("rd", "2", 0)).toMatchObject({ last_read_seq: 1 });
      expect(await store.markRead("rd", "3", 999)).toMatchObject({ last_read_seq: 5, unread_count: 0 });
      expect(await store.readState("rd")).toEqual([
        { user_id: "1", last_read_seq: 0 },
        { user_id: "2", last_read_seq: 1 },
        { user_id: "3", last_read_seq: 5 },
      ]);
    });

    it("keeps moderation: operators, bans and mutes with an end, frozen; expired ones drop out", async () => {
      await store.createChannel(channel("mod", ["1", "2", "3"]));
      expect(await store.getModeration("mod")).toEqual({
        frozen: false,
        operators: [],
        banned: [],
        muted: [],
      });
      const past = new Date(Date.now() - 1000).toISOString();
      const future = new Date(Date.now() + 60_000).toISOString();
      await store.addOperators("mod", ["2", "1", "2"]);
      await store.restrict("mod", "ban", ["3"], null);
      await store.restrict("mod", "mute", ["1"], future);
      await store.restrict("mod", "mute", ["2"], past);
      await store.setFrozen("mod", true);
      expect(await store.getModeration("mod")).toEqual({
        frozen: true,
        operators: ["1", "2"],
        banned: [{ user_id: "3", until: null }],
        muted: [{ user_id: "1", until: future }],
      });
      await store.restrict("mod", "ban", ["3"], future);
      await store.unrestrict("mod", "mute", "1");
      await store.removeOperators("mod", ["1"]);
      await store.setFrozen("mod", false);
      expect(await store.getModeration("mod")).toEqual({
        frozen: false,
        operators: ["2"],
        banned: [{ user_id: "3", until: future }],
        muted: [],
      });
      await expect(store.getModeration("ghost")).rejects.toMatchObject({ code: "CHANNEL_NOT_FOUND" });
      await expect(store.setFrozen("ghost", true)).rejects.toMatchObject({ code: "CHANNEL_NOT_FOUND" });
    });

    it("keeps file metadata, gone with its channel", async () => {
      await store.createChannel(channel("fl"));
      const f = {
        file_id: "6f1c1b8e-0000-4000-8000-000000000001",
        channel_url: "fl",
        user_id: "1",
        name: "cat.png",
        size: 1234,
        mime_type: "image/png",
        width: 64,
        height: 32,
        storage_key: "6f1c1b8e-0000-4000-8000-000000000001",
        thumbnail_key: "6f1c1b8e-0000-4000-8000-000000000001.thumb",
        created_at: "2024-01-01T00:00:00.000Z",
      };
      await store.saveFile(f);
      expect(await store.getFile(f.file_id)).toEqual(f);
      expect(await store.getFile("nope")).toBeNull();
      await expect(store.saveFile({ ...f, file_id: "x", channel_url: "ghost" })).rejects.toMatchObject({
        code: "CHANNEL_NOT_FOUND",
      });
      await store.deleteChannel("fl");
      expect(await store.getFile(f.file_id)).toBeNull();
    });

    it("keeps token revocations per user, the later time winning, listed from a time on", async () => {
      const t1 = "2030-01-01T00:00:00.000Z";
      const t2 = "2030-01-02T00:00:00.000Z";
      expect(await store.revokeTokens("rv1", t1)).toBe(t1);
      expect(await store.revokeTokens("rv1", t2)).toBe(t2);
      // An older revocation (a late retry) never moves the time back.
      expect(await store.revokeTokens("rv1", t1)).toBe(t2);
      expect(await store.revokeTokens("rv2", t1)).toBe(t1);
      const mine = (rows: { user_id: string }[]) => rows.filter((r) => r.user_id.startsWith("rv"));
      const all = mine(await store.listTokenRevocations("2029-12-31T00:00:00.000Z"));
      expect(all.sort((a, b) => a.user_id.localeCompare(b.user_id))).toEqual([
        { user_id: "rv1", revoked_at: t2 },
        { user_id: "rv2", revoked_at: t1 },
      ]);
      expect(mine(await store.listTokenRevocations("2030-01-01T12:00:00.000Z"))).toEqual([
        { user_id: "rv1", revoked_at: t2 },
      ]);
    });

    it("deletes a channel with everything that hangs on it; a re-created channel starts empty", async () => {
      await store.createChannel(channel("cas", ["1", "2"]));
      await store.appendMessage({ channel_url: "cas", type: "MESG", user_id: "1", message: "x" });
      await store.markRead("cas", "2", 1);
      await store.addOperators("cas", ["1"]);
      await store.restrict("cas", "ban", ["3"], null);
      await store.restrict("cas", "mute", ["2"], null);
      await store.setFrozen("cas", true);
      const file = {
        file_id: "cas-file",
        channel_url: "cas",
        user_id: "1",
        name: "a.txt",
        size: 1,
        mime_type: "text/plain",
        width: null,
        height: null,
        storage_key: "cas-file",
        thumbnail_key: null,
        created_at: "2024-01-01T00:00:00.000Z",
      };
      await store.saveFile(file);
      expect(await store.deleteChannel("cas")).toBe(true);
      expect(await store.getFile("cas-file")).toBeNull();
      expect(await store.isMember("cas", "1")).toBe(false);
      await store.createChannel(channel("cas", ["2"]));
      expect(await store.listMembers("cas")).toEqual(["2"]);
      expect(await store.listMessages("cas", { limit: 10 })).toEqual([]);
      expect(await store.readState("cas")).toEqual([{ user_id: "2", last_read_seq: 0 }]);
      expect(await store.getModeration("cas")).toEqual({
        frozen: false,
        operators: [],
        banned: [],
        muted: [],
      });
      // The same file id can be saved again: the old row is gone, not just hidden.
      await store.saveFile(file);
      expect(await store.getFile("cas-file")).toEqual(file);
    });

    it("refuses every channel-scoped write and read on a missing channel with CHANNEL_NOT_FOUND", async () => {
      const missing = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: "CHANNEL_NOT_FOUND" });
      await missing(store.updateChannel("ghost", { name: "x" }));
      await missing(store.addMembers("ghost", ["1"]));
      await missing(store.removeMembers("ghost", ["1"]));
      await missing(store.listMembers("ghost"));
      await missing(store.markRead("ghost", "1", 1));
      await missing(store.readMark("ghost", "1"));
      await missing(store.readState("ghost"));
      await missing(store.getModeration("ghost"));
      await missing(store.restrict("ghost", "ban", ["1"], null));
      await missing(store.unrestrict("ghost", "ban", "1"));
      await missing(store.setFrozen("ghost", true));
      await missing(store.addOperators("ghost", ["1"]));
      await missing(store.removeOperators("ghost", ["1"]));
      await missing(store.editMessage({ channel_url: "ghost", target_seq: 1, message: "x", user_id: null }));
      await missing(store.deleteMessage({ channel_url: "ghost", target_seq: 1, user_id: null }));
    });

    it("stores a repeated req_id of the user-less (admin) sender once, apart from any user's", async () => {
      await store.createChannel(channel("adm"));
      const send = (user_id: string | null, message = "x") =>
        store.appendMessage({ channel_url: "adm", type: "ADMM", user_id, message, req_id: "a1" });
      const first = await send(null);
      expect(await send(null)).toEqual({ message: first.message, duplicate: true });
      const raced = await Promise.all([send(null), send(null), send("1"), send("1")]);
      expect(raced.slice(0, 2).every((r) => r.duplicate && r.message.seq === first.message.seq)).toBe(true);
      expect(raced.slice(2).filter((r) => !r.duplicate)).toHaveLength(1);
      expect(raced[2]!.message.message_id).toBe(raced[3]!.message.message_id);
      // An empty user id is a different sender from "no user".
      expect((await send("")).duplicate).toBe(false);
      expect((await store.listMessages("adm", { limit: 10 })).map((m) => m.user_id)).toEqual([null, "1", ""]);
    });

    it("keeps text with NUL intact or refuses it with INVALID_DATA (never a retryable failure), storing nothing then", async () => {
      await store.createChannel(channel("nul"));
      const outcomes: string[] = [];
      /** "kept" when it worked, "refused" on INVALID_DATA; anything else fails the test. */
      const attempt = async (p: Promise<unknown>) => {
        try {
          await p;
          outcomes.push("kept");
        } catch (e) {
          expect(e).toMatchObject({ code: "INVALID_DATA" });
          expect((e as StoreError).retryable).toBe(false);
          outcomes.push("refused");
        }
      };
      await attempt(
        store.appendMessage({ channel_url: "nul", type: "MESG", user_id: "1", message: "a\u0000b" }),
      );
      await attempt(
        store.appendMessage({
          channel_url: "nul",
          type: "MESG",
          user_id: "1",
          message: "ok",
          data: { k: "\u0000" },
        }),
      );
      await attempt(store.createChannel({ ...channel("nul2"), name: "n\u0000" }));
      await attempt(store.updateChannel("nul", { data: { k: "\u0000" } }));
      // One database keeps it all or refuses it all.
      expect(new Set(outcomes).size).toBe(1);
      const kept = outcomes[0] === "kept";
      const stored = await store.listMessages("nul", { limit: 10 });
      expect(stored.map((m) => [m.message, m.data])).toEqual(
        kept
          ? [
              ["a\u0000b", null],
              ["ok", { k: "\u0000" }],
            ]
          : [],
      );
      expect((await store.getChannel("nul2"))?.name ?? null).toBe(kept ? "n\u0000" : null);
      expect((await store.getChannel("nul"))?.data).toEqual(kept ? { k: "\u0000" } : { pod_id: 123 });
      // A JSON string that merely spells a backslash-u escape is ordinary text everywhere.
      const spelled = await store.appendMessage({
        channel_url: "nul",
        type: "MESG",
        user_id: "1",
        message: "\\u0000",
        data: { k: "\\u0000" },
      });
      expect(await store.getMessage("nul", spelled.message.seq)).toMatchObject({
        message: "\\u0000",
        data: { k: "\\u0000" },
      });
    });

    it("moves last_activity_at with each new message, not with edits or deletes", async () => {
      const created = await store.createChannel({
        ...channel("act"),
        created_at: "2024-01-01T00:00:00.000Z",
      });
      expect(created.last_activity_at).toBe("2024-01-01T00:00:00.000Z");
      const a = await store.appendMessage({
        channel_url: "act",
        type: "MESG",
        user_id: "1",
        message: "a",
        created_at: "2024-01-02T00:00:00.000Z",
      });
      expect((await store.getChannel("act"))?.last_activity_at).toBe("2024-01-02T00:00:00.000Z");
      await store.editMessage({ channel_url: "act", target_seq: a.message.seq, message: "b", user_id: "1" });
      await store.deleteMessage({ channel_url: "act", target_seq: a.message.seq, user_id: "1" });
      const c = await store.getChannel("act");
      expect(c).toMatchObject({ last_activity_at: "2024-01-02T00:00:00.000Z", last_seq: 3 });
      // A repeat stores nothing and moves nothing.
      await store.appendMessage({
        channel_url: "act",
        type: "MESG",
        user_id: "1",
        message: "a",
        message_id: a.message.message_id,
        created_at: "2025-01-01T00:00:00.000Z",
      });
      expect((await store.getChannel("act"))?.last_activity_at).toBe("2024-01-02T00:00:00.000Z");
    });

    it("keeps the unread counter of every member through appends, deletes, marks, joins and rejoins", async () => {
      await store.createChannel(channel("cnt", ["1", "2", "3"]));
      const send = (user_id: string | null) =>
        store.appendMessage({ channel_url: "cnt", type: user_id ? "MESG" : "ADMM", user_id, message: "x" });
      for (const u of ["1", "2", "1", null]) await send(u);
      const unread = async (u: string) => (await store.readMark("cnt", u)).unread_count;
      expect([await unread("1"), await unread("2"), await unread("3")]).toEqual([2, 3, 4]);
      await store.markRead("cnt", "3", 2);
      expect(await unread("3")).toBe(2);
      await store.deleteMessage({ channel_url: "cnt", target_seq: 1, user_id: null }); // "1" wrote it; "3" read it
      await store.deleteMessage({ channel_url: "cnt", target_seq: 3, user_id: null });
      expect([await unread("1"), await unread("2"), await unread("3")]).toEqual([2, 1, 1]);
      // A joiner counts what others wrote and is still there; a rejoiner keeps its mark.
      await send("2");
      await store.addMembers("cnt", ["4"]);
      expect(await unread("4")).toBe(3);
      await store.markRead("cnt", "2", 999);
      await store.removeMembers("cnt", ["2"]);
      await send("1");
      await store.addMembers("cnt", ["2"]);
      expect(await unread("2")).toBe(1);
      expect(await store.totalUnread("2")).toBe(1);
      expect(Object.fromEntries(await scannedUnread(store, "cnt"))).toEqual({
        "1": await unread("1"),
        "2": 1,
        "3": await unread("3"),
        "4": await unread("4"),
      });
      // A non-member has no counter; its unread is still today's definition.
      expect((await store.readMark("cnt", "9")).unread_count).toBe(4);
    });

    it("sums a user's unread over their channels and lists the channels they are in", async () => {
      await store.createChannel(channel("t1", ["1", "2"]));
      await store.createChannel(channel("t2", ["1", "3"]));
      await store.createChannel(channel("t3", ["2", "3"]));
      for (const url of ["t1", "t2", "t2", "t3"])
        await store.appendMessage({
          channel_url: url,
          type: "MESG",
          user_id: url === "t1" ? "2" : "3",
          message: "x",
        });
      expect(await store.totalUnread("1")).toBe(3);
      expect(await store.totalUnread("3")).toBe(0);
      expect(await store.totalUnread("nobody")).toBe(0);
      expect(await store.userChannelUrls("1")).toEqual(["t1", "t2"]);
      expect(await store.userChannelUrls("3")).toEqual(["t2", "t3"]);
      expect(await store.userChannelUrls("nobody")).toEqual([]);
      await store.createChannel({ ...channel("t4", ["1", "2"]), provider: "sendbird" });
      await store.appendMessage({ channel_url: "t4", type: "MESG", user_id: "2", message: "x" });
      expect(await store.totalUnread("1")).toBe(4);
      expect(await store.totalUnread("1", { provider: "websocket" })).toBe(3);
      expect(await store.totalUnread("1", { provider: "sendbird" })).toBe(1);
      await store.deleteChannel("t4");
      await store.deleteChannel("t2");
      expect(await store.totalUnread("1")).toBe(1);
      expect(await store.userChannelUrls("1")).toEqual(["t1"]);
    });

    it("lists a user's channels by last activity with their newest message, read state and filters", async () => {
      const at = (min: number) => `2024-05-01T10:${String(min).padStart(2, "0")}:00.000Z`;
      const mk = (url: string, name: string, min: number, extra: Record<string, unknown> = {}) =>
        store.createChannel({ ...channel(url, ["me", "you"]), name, created_at: at(min), ...extra });
      await mk("c-old", "Alpha team", 0, { custom_type: "team" });
      await mk("c-mid", "Beta", 1);
      await mk("c-tie-a", "Alpha room", 2, { custom_type: "team" });
      await mk("c-tie-b", "alpha lower", 2, { provider: "sendbird" });
      await mk("c-new", "Gamma", 3);
      await store.createChannel({ ...channel("not-mine", ["you"]), created_at: at(9) });
      const say = (url: string, user: string, min: number, message = "hi") =>
        store.appendMessage({ channel_url: url, type: "MESG", user_id: user, message, created_at: at(min) });
      await say("c-old", "you", 10, "first");
      await say("c-old", "me", 11, "newest in old"); // c-old is now the most recent
      const edited = await say("c-mid", "you", 5, "to edit");
      await store.editMessage({
        channel_url: "c-mid",
        target_seq: edited.message.seq,
        message: "edited",
        user_id: "you",
      });
      const gone = await say("c-new", "you", 6, "to delete");
      await store.deleteMessage({ channel_url: "c-new", target_seq: gone.message.seq, user_id: "you" });
      await store.markRead("c-old", "me", 1);

      const urls = (r: { rows: Array<{ channel: { channel_url: string } }> }) =>
        r.rows.map((x) => x.channel.channel_url);
      const all = await store.listUserChannels("me", { limit: 10 });
      expect(urls(all)).toEqual(["c-old", "c-new", "c-mid", "c-tie-b", "c-tie-a"]);
      expect(all.nextCursor).toBeNull();
      const [old, fresh, mid, tieB] = all.rows;
      expect(old).toMatchObject({
        unread_count: 0,
        last_read_seq: 1,
        joined_at: at(0),
        channel: { channel_url: "c-old", last_activity_at: at(11), last_seq: 2, member_count: 2 },
        last_message: { seq: 2, message: "newest in old", user_id: "me" },
      });
      expect(old!.channel).toEqual(await store.getChannel("c-old"));
      // The newest message is the tombstone of a deleted one, and the edited text of an edited one
      // (not their log entries), as history shows them.
      expect(fresh).toMatchObject({ unread_count: 0, last_message: { seq: 1, deleted: true, message: "" } });
      expect(mid).toMatchObject({
        unread_count: 1,
        last_message: { seq: 1, message: "edited", type: "MESG" },
      });
      expect(tieB).toMatchObject({ last_message: null, unread_count: 0, last_read_seq: 0 });
      expect(mid!.last_message).toEqual(await store.getMessage("c-mid", 1));

      // Keyset pages, also across the tie on last_activity_at.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listUserChannels("me", { limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.rows.length).toBeLessThanOrEqual(2);
        seen.push(...urls(page));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(urls(all));
      // The same keyset from a typed key: strictly after (c-tie-b, its activity time).
      const afterKey = await store.listUserChannels("me", {
        limit: 10,
        after: { lastActivityAt: at(2), channelUrl: "c-tie-b" },
      });
      expect(urls(afterKey)).toEqual(["c-tie-a"]);

      expect(urls(await store.listUserChannels("me", { limit: 10, customType: "team" }))).toEqual([
        "c-old",
        "c-tie-a",
      ]);
      expect(urls(await store.listUserChannels("me", { limit: 10, namePrefix: "Alpha" }))).toEqual([
        "c-old",
        "c-tie-a",
      ]);
      expect(urls(await store.listUserChannels("me", { limit: 10, unreadOnly: true }))).toEqual(["c-mid"]);
      expect(urls(await store.listUserChannels("me", { limit: 10, provider: "sendbird" }))).toEqual([
        "c-tie-b",
      ]);
      expect(
        urls(
          await store.listUserChannels("me", {
            limit: 10,
            namePrefix: "Alpha",
            customType: "team",
            unreadOnly: true,
          }),
        ),
      ).toEqual([]);
      const you = await store.listUserChannels("you", { limit: 10, unreadOnly: true });
      expect(you.rows.map((r) => [r.channel.channel_url, r.unread_count])).toEqual([["c-old", 1]]);
      expect((await store.listUserChannels("nobody", { limit: 10 })).rows).toEqual([]);
      await expect(store.listUserChannels("me", { limit: 10, cursor: "not-a-cursor" })).rejects.toMatchObject(
        {
          code: "INVALID_DATA",
        },
      );
    });

    it("keeps every member's counter equal to the scan under random appends, deletes, marks, joins and leaves", async () => {
      const users = ["a", "b", "c", "d"];
      const op = fc.oneof(
        fc.record({
          k: fc.constant("send" as const),
          ch: fc.nat(1),
          u: fc.constantFrom(...users, null),
          n: fc.integer({ min: 1, max: 3 }),
        }),
        fc.record({ k: fc.constant("delete" as const), ch: fc.nat(1), pick: fc.nat() }),
        fc.record({ k: fc.constant("edit" as const), ch: fc.nat(1), pick: fc.nat() }),
        fc.record({
          k: fc.constant("mark" as const),
          ch: fc.nat(1),
          u: fc.constantFrom(...users),
          back: fc.nat(4),
        }),
        fc.record({ k: fc.constant("join" as const), ch: fc.nat(1), u: fc.constantFrom(...users) }),
        fc.record({ k: fc.constant("leave" as const), ch: fc.nat(1), u: fc.constantFrom(...users) }),
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
          run++;
          const chs = [`p${run}a`, `p${run}b`];
          for (const url of chs) await store.createChannel(channel(url, ["a", "b"]));
          for (const o of ops) {
            const url = chs[o.ch]!;
            if (o.k === "send") {
              // Several in one turn: one group-commit batch on SQLite.
              await Promise.all(
                Array.from({ length: o.n }, () =>
                  store.appendMessage({
                    channel_url: url,
                    type: o.u ? "MESG" : "ADMM",
                    user_id: o.u,
                    message: "m",
                  }),
                ),
              );
            } else if (o.k === "delete" || o.k === "edit") {
              const live = (
                await store.listMessages(url, { afterSeq: 0, limit: 1000, messagesOnly: true })
              ).filter((m) => !m.deleted);
              const target = live[o.pick % Math.max(1, live.length)];
              if (!target) continue;
              if (o.k === "delete")
                await store.deleteMessage({ channel_url: url, target_seq: target.seq, user_id: null });
              else
                await store.editMessage({
                  channel_url: url,
                  target_seq: target.seq,
                  message: "e",
                  user_id: null,
                });
            } else if (o.k === "mark") {
              const last = (await store.getChannel(url))!.last_seq;
              await store.markRead(url, o.u, Math.max(0, last - o.back));
            } else if (o.k === "join") await store.addMembers(url, [o.u]);
            else await store.removeMembers(url, [o.u]);
          }
          const totals = new Map<string, number>();
          for (const url of chs) {
            const scanned = await scannedUnread(store, url);
            for (const [u, n] of scanned) {
              expect((await store.readMark(url, u)).unread_count, `${url} ${u}`).toBe(n);
              totals.set(u, (totals.get(u) ?? 0) + n);
            }
          }
          for (const u of users) {
            const inbox = await store.listUserChannels(u, { limit: 10 });
            const mine = inbox.rows.filter((r) => chs.includes(r.channel.channel_url));
            expect(mine.reduce((sum, r) => sum + r.unread_count, 0)).toBe(totals.get(u) ?? 0);
          }
        }),
        { numRuns: 20 },
      );
    });

    it("reports itself healthy, and migrate is idempotent", async () => {
      await store.migrate();
      expect(await store.healthy()).toBe(true);
    });

    describeSearchAndPins(() => store);

    describe("audit log", () => {
      const entry = (id: string, over: Partial<StoredAuditLogEntry> = {}): StoredAuditLogEntry => ({
        id,
        at: `2026-01-0${id.slice(-1)}T00:00:00.000Z`,
        actor_kind: "admin",
        actor_id: "admin",
        action: "channel.delete",
        channel_url: null,
        user_id: null,
        request_id: `req-${id}`,
        node_id: "node-a",
        ip: null,
        ...over,
      });

      it("keeps entries with their JSON before/after and lists them newest first", async () => {
        await store.appendAudit(entry("a1", { before: { name: "x", n: [1, 2] }, after: "plain" }));
        await store.appendAudit(entry("a2", { channel_url: "c1", ip: "10.0.0.1", after: null }));
        await store.appendAudit(entry("a3", { actor_kind: "api_key", actor_id: "sha256:abc" }));
        const all = await store.listAudit({ limit: 10 });
        expect(all.map((e) => e.id)).toEqual(["a3", "a2", "a1"]);
        expect(all[2]).toEqual(entry("a1", { before: { name: "x", n: [1, 2] }, after: "plain" }));
        expect(all[1]).toMatchObject({ channel_url: "c1", ip: "10.0.0.1" });
        expect(all[1]).not.toHaveProperty("before");
        expect(all[0]).toMatchObject({ actor_kind: "api_key", actor_id: "sha256:abc" });
      });

      it("filters by action (exact or prefix), actor, channel, user and time, and pages by id", async () => {
        await store.appendAudit(entry("b1", { action: "moderation.ban", channel_url: "c1", user_id: "u1" }));
        await store.appendAudit(entry("b2", { action: "moderation.mute", channel_url: "c2", user_id: "u1" }));
        await store.appendAudit(entry("b3", { action: "moderationx", actor_id: "other" }));
        await store.appendAudit(entry("b4", { action: "member.remove", channel_url: "c1", user_id: "u2" }));
        const ids = async (f: Partial<Parameters<MessageStore["listAudit"]>[0]>) =>
          (await store.listAudit({ limit: 10, ...f })).map((e) => e.id);
        expect(await ids({ action: "moderation.ban" })).toEqual(["b1"]);
        expect(await ids({ action: "moderation.*" })).toEqual(["b2", "b1"]);
        expect(await ids({ actor_id: "other" })).toEqual(["b3"]);
        expect(await ids({ channel_url: "c1" })).toEqual(["b4", "b1"]);
        expect(await ids({ user_id: "u1" })).toEqual(["b2", "b1"]);
        expect(await ids({ since: "2026-01-02T00:00:00.000Z", until: "2026-01-04T00:00:00.000Z" })).toEqual([
          "b3",
          "b2",
        ]);
        expect(await ids({ limit: 2 })).toEqual(["b4", "b3"]);
        expect(await ids({ limit: 2, before_id: "b3" })).toEqual(["b2", "b1"]);
        expect(await ids({ before_id: "b1" })).toEqual([]);
      });

      it("prunes the entries older than a time", async () => {
        for (const id of ["p1", "p2", "p3"]) await store.appendAudit(entry(id));
        expect(await store.pruneAudit("2026-01-03T00:00:00.000Z")).toBe(2);
        expect((await store.listAudit({ limit: 10 })).map((e) => e.id)).toEqual(["p3"]);
      });
    });

    if (harness.reopen) {
      it("keeps everything across a restart", async () => {
        await store.createChannel(channel("keep"));
        for (let i = 0; i < 5; i++)
          await store.appendMessage({ channel_url: "keep", type: "MESG", user_id: "1", message: `${i}` });
        await store.close();
        store = await harness.reopen!();
        expect((await store.getChannel("keep"))?.last_seq).toBe(5);
        expect((await store.listMessages("keep", { limit: 10 })).map((m) => m.message)).toEqual([
          "0",
          "1",
          "2",
          "3",
          "4",
        ]);
        const next = await store.appendMessage({
          channel_url: "keep",
          type: "MESG",
          user_id: "1",
          message: "5",
        });
        expect(next.message.seq).toBe(6);
      });
    }
  });
}
