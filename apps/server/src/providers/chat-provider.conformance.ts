import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatProvider } from "./chat-provider.ts";

export interface ProviderHarness {
  open(): Promise<ChatProvider>;
  close(): Promise<void>;
}

let counter = 0;
/** Channel urls every provider accepts (Sendbird: letters, digits, underscores, 4–100 chars). */
const freshUrl = () => `conf_${Date.now().toString(36)}_${counter++}`;

/**
 * The ChatService operations every provider must support the same way: create, get metadata,
 * list, update, delete, members, send, history. Seq semantics: increasing per channel (gap-free
 * on podchat's own provider; Sendbird's ids may skip), so only order is asserted here.
 */
export function describeChatProvider(name: string, harness: ProviderHarness) {
  describe(`ChatProvider conformance: ${name}`, () => {
    let p: ChatProvider;
    beforeAll(async () => {
      p = await harness.open();
    });
    afterAll(async () => {
      await harness.close();
    });

    it("creates a channel with name, members and data, and reads its metadata", async () => {
      const url = freshUrl();
      const c = await p.createChannel({
        channel_url: url,
        name: "파티 채팅방",
        user_ids: ["1", "2", "3"],
        data: { pod_id: 123 },
      });
      expect(c).toMatchObject({
        channel_url: url,
        name: "파티 채팅방",
        provider: p.name,
        member_count: 3,
        data: { pod_id: 123 },
      });
      const meta = await p.getChannel(url);
      expect(meta?.members?.map(String).sort()).toEqual(["1", "2", "3"]);
      expect(meta?.data).toEqual({ pod_id: 123 });
      expect(Date.parse(meta!.created_at)).not.toBeNaN();
      expect(await p.getChannel(freshUrl())).toBeNull();
    });

    it("refuses a duplicate channel url with CHANNEL_EXISTS", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1"] });
      await expect(p.createChannel({ channel_url: url, user_ids: ["1"] })).rejects.toMatchObject({
        code: "CHANNEL_EXISTS",
      });
    });

    it("lists channels and finds them by name", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, name: `findme ${url}`, user_ids: ["1"] });
      const found = await p.listChannels({ q: `findme ${url}`, limit: 10 });
      expect(found.channels.map((c) => c.channel_url)).toEqual([url]);
    });

    it("updates name and data", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, name: "before", user_ids: ["1"] });
      const c = await p.updateChannel(url, { name: "after", data: { k: "v" } });
      expect(c).toMatchObject({ name: "after", data: { k: "v" } });
      expect((await p.getChannel(url))?.name).toBe("after");
    });

    it("adds, lists and removes members", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1"] });
      await p.addMembers(url, ["2", "3"]);
      expect((await p.listMembers(url)).sort()).toEqual(["1", "2", "3"]);
      await p.removeMembers(url, ["2"]);
      expect((await p.listMembers(url)).sort()).toEqual(["1", "3"]);
    });

    it("sends member and admin messages and pages history in order both ways", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1", "2"] });
      const sent = [];
      for (let i = 1; i <= 7; i++)
        sent.push((await p.sendMessage(url, { user_id: i % 2 ? "1" : "2", message: `m${i}` })).message);
      const admin = await p.sendMessage(url, { type: "ADMM", message: "notice" });
      expect(admin.message).toMatchObject({ type: "ADMM", message: "notice" });
      expect(sent[0]).toMatchObject({ type: "MESG", user_id: 1, message: "m1", channel_url: url });
      const seqs = sent.map((m) => m.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

      const newest = await p.listMessages(url, { limit: 3 });
      expect(newest.messages.map((m) => m.message)).toEqual(["m6", "m7", "notice"]);
      expect(newest.has_more).toBe(true);
      const older = await p.listMessages(url, { before_seq: newest.prev_before_seq!, limit: 3 });
      expect(older.messages.map((m) => m.message)).toEqual(["m3", "m4", "m5"]);
      const forward = await p.listMessages(url, { after_seq: sent[4]!.seq, limit: 10 });
      expect(forward.messages.map((m) => m.message)).toEqual(["m6", "m7", "notice"]);
      expect(forward.has_more).toBe(false);
    });

    it("refuses a send from a non-member and operations on a missing channel", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1"] });
      await expect(p.sendMessage(url, { user_id: "99", message: "x" })).rejects.toMatchObject({
        code: "NOT_MEMBER",
      });
      await expect(p.listMessages(freshUrl(), { limit: 5 })).rejects.toMatchObject({
        code: "CHANNEL_NOT_FOUND",
      });
      await expect(p.addMembers(freshUrl(), ["1"])).rejects.toMatchObject({ code: "CHANNEL_NOT_FOUND" });
    });

    it("deletes a channel", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1"] });
      await p.deleteChannel(url);
      expect(await p.getChannel(url)).toBeNull();
      await expect(p.deleteChannel(url)).rejects.toMatchObject({ code: "CHANNEL_NOT_FOUND" });
    });
  });
}
