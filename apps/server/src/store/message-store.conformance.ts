import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MessageStore, StoreError } from "./message-store.ts";

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

    it("reports itself healthy, and migrate is idempotent", async () => {
      await store.migrate();
      expect(await store.healthy()).toBe(true);
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
