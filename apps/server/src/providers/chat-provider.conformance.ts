import type { FileInfo, MessageFrame } from "@podchat/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatProvider } from "./chat-provider.ts";

export interface ProviderHarness {
  open(): Promise<ChatProvider>;
  close(): Promise<void>;
}

let counter = 0;
/** Channel urls every provider accepts (Sendbird: letters, digits, underscores, 4–100 chars). */
const freshUrl = () => `conf_${Date.now().toString(36)}_${counter++}`;

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; status: number; message: string };
  }
  throw new Error("expected a rejection");
}

/**
 * The ChatService operations every provider must support the same way: create, get metadata,
 * list, update, delete, members, send, history, and (@since 0.2) file and image messages, edits
 * and deletes, read state and moderation. Seq semantics: increasing per channel (gap-free on
 * podchat's own provider; Sendbird's ids may skip), so only order is asserted here.
 *
 * Where a provider differs by design (documented on the provider), the case says so: Sendbird
 * deletes messages for real instead of leaving a tombstone, expels banned members, marks a channel
 * read "up to now", and refuses a FILE/IMAGE message without a sender as UNSUPPORTED (501).
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

    // Chat features (@since 0.2)

    const photo: FileInfo = {
      url: "http://127.0.0.1:8000/api/v1/chat/files/4f0c2a9e-51a5-4a8e-9d53-2c1f3b6b2a10",
      name: "cat.png",
      size: 51234,
      mime_type: "image/png",
      width: 640,
      height: 480,
      thumbnail_url: "http://127.0.0.1:8000/api/v1/chat/files/4f0c2a9e-51a5-4a8e-9d53-2c1f3b6b2a10/thumbnail",
    };
    const doc: FileInfo = {
      url: "http://127.0.0.1:8000/api/v1/chat/files/0d7e9a51-8b7c-4a0e-a1f2-3c4d5e6f7a8b",
      name: "보고서.pdf",
      size: 9000,
      mime_type: "application/pdf",
    };

    it("sends FILE and IMAGE messages with url, name, size, type, dimensions and thumbnail, as history keeps them", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1", "2"] });
      const image = (await p.sendMessage(url, { type: "IMAGE", user_id: "1", message: "look", file: photo }))
        .message;
      expect(image).toMatchObject({ type: "IMAGE", user_id: 1, message: "look", file: photo });
      const file = (await p.sendMessage(url, { type: "FILE", user_id: "2", message: "", file: doc })).message;
      expect(file).toMatchObject({ type: "FILE", user_id: 2, file: doc });
      expect(file.file?.width).toBeUndefined();
      const history = await p.listMessages(url, { limit: 10 });
      expect(history.messages.map((m) => [m.type, m.seq, m.file])).toEqual([
        ["IMAGE", image.seq, photo],
        ["FILE", file.seq, doc],
      ]);
      expect(history.messages[0]?.message).toBe("look");
    });

    it("refuses a FILE/IMAGE message from a non-member, and one without a sender", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1"] });
      await expect(
        p.sendMessage(url, { type: "FILE", user_id: "9", message: "", file: doc }),
      ).rejects.toMatchObject({ code: "NOT_MEMBER" });
      const anonymous = await rejection(p.sendMessage(url, { type: "IMAGE", message: "x", file: photo }));
      if (p.name === "sendbird") {
        expect(anonymous).toMatchObject({ code: "UNSUPPORTED", status: 501 });
        expect(anonymous.message).toMatch(/without user_id is not supported on Sendbird channels/);
      } else {
        expect(anonymous).toMatchObject({ code: "VALIDATION_FAILED", status: 400 });
      }
      expect((await p.listMessages(url, { limit: 10 })).messages).toEqual([]);
    });

    it("edits a message: the author or a privileged caller; history shows the edit with edited_at", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1", "2"] });
      const first = (await p.sendMessage(url, { user_id: "1", message: "helo", data: { a: 1 } })).message;
      const edited = (await p.editMessage(url, first.seq, { message: "hello", userId: "1" })).message;
      expect(edited).toMatchObject({
        seq: first.seq,
        message_id: first.message_id,
        message: "hello",
        data: { a: 1 },
      });
      expect(Date.parse(edited.edited_at ?? "")).not.toBeNaN();
      const shown = (await p.listMessages(url, { limit: 10 })).messages.find((m) => m.seq === first.seq);
      expect(shown).toMatchObject({ message: "hello", edited_at: edited.edited_at });
      // Privileged (no userId): may edit anyone's, and replace data.
      expect((await p.editMessage(url, first.seq, { message: "hi", data: { b: 2 } })).message).toMatchObject({
        message: "hi",
        data: { b: 2 },
      });
      expect(await rejection(p.editMessage(url, first.seq, { message: "x", userId: "2" }))).toMatchObject({
        code: "NOT_AUTHOR",
        status: 403,
      });
      expect(await rejection(p.editMessage(url, first.seq + 1000, { message: "x" }))).toMatchObject({
        code: "MESSAGE_NOT_FOUND",
        status: 404,
      });
      expect(await rejection(p.editMessage(freshUrl(), 1, { message: "x" }))).toMatchObject({
        code: "CHANNEL_NOT_FOUND",
      });
    });

    it("edits an image's caption and keeps the image", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1"] });
      const image = (await p.sendMessage(url, { type: "IMAGE", user_id: "1", message: "old", file: photo }))
        .message;
      const edited = (await p.editMessage(url, image.seq, { message: "new", userId: "1" })).message;
      expect(edited).toMatchObject({ type: "IMAGE", message: "new", file: photo });
    });

    it("deletes a message: the author or an operator; it leaves history (Sendbird) or stays as a tombstone", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1", "2", "3"] });
      const first = (await p.sendMessage(url, { user_id: "1", message: "one", data: { k: 1 } })).message;
      const image = (await p.sendMessage(url, { type: "IMAGE", user_id: "1", message: "pic", file: photo }))
        .message;
      const kept = (await p.sendMessage(url, { user_id: "2", message: "stays" })).message;
      expect(await rejection(p.deleteMessage(url, first.seq, { userId: "2" }))).toMatchObject({
        code: "NOT_AUTHOR",
        status: 403,
      });
      await p.deleteMessage(url, first.seq, { userId: "1" });
      await p.addOperators(url, ["3"]);
      await p.deleteMessage(url, image.seq, { userId: "3" });

      const history = (await p.listMessages(url, { limit: 10 })).messages;
      const live = history.filter((m) => !m.deleted);
      expect(live.map((m) => m.message)).toEqual(["stays"]);
      const tombstones = history.filter((m) => m.deleted);
      expect(tombstones.map((m) => m.seq)).toEqual(p.name === "sendbird" ? [] : [first.seq, image.seq]);
      for (const gone of tombstones) {
        // A tombstone keeps its seq and nothing of what it said.
        expect([first.seq, image.seq]).toContain(gone.seq);
        expect(gone).toMatchObject({ message: "" });
        expect(gone.file).toBeUndefined();
        expect(gone.data).toBeUndefined();
      }
      expect(history.find((m) => m.seq === kept.seq)).toMatchObject({ message: "stays" });
      expect(await rejection(p.deleteMessage(url, first.seq, {}))).toMatchObject({
        code: "MESSAGE_NOT_FOUND",
      });
      expect(await rejection(p.editMessage(url, image.seq, { message: "back" }))).toMatchObject({
        code: "MESSAGE_NOT_FOUND",
      });
    });

    it("counts unread messages from others after a member's read mark, and reports read state", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1", "2", "3"] });
      const a = (await p.sendMessage(url, { user_id: "1", message: "a" })).message;
      const b = (await p.sendMessage(url, { user_id: "1", message: "b" })).message;
      expect(await p.unread(url, "2")).toEqual({
        channel_url: url,
        user_id: 2,
        last_read_seq: 0,
        last_seq: b.seq,
        unread_count: 2,
      });
      expect(await p.markRead(url, "2", b.seq)).toMatchObject({
        user_id: 2,
        last_read_seq: b.seq,
        last_seq: b.seq,
        unread_count: 0,
      });
      // A read mark never moves back.
      expect((await p.markRead(url, "2", a.seq)).last_read_seq).toBe(b.seq);
      const c = (await p.sendMessage(url, { user_id: "3", message: "c" })).message;
      expect(await p.unread(url, "2")).toMatchObject({
        last_read_seq: b.seq,
        last_seq: c.seq,
        unread_count: 1,
      });
      const state = await p.readState(url);
      expect(state.channel_url).toBe(url);
      expect(state.members.map((m) => m.user_id).sort()).toEqual([1, 2, 3]);
      expect(state.members.find((m) => m.user_id === 2)?.last_read_seq).toBe(b.seq);
      expect(await rejection(p.unread(url, "9"))).toMatchObject({ code: "NOT_MEMBER" });
      expect(await rejection(p.markRead(url, "9", 1))).toMatchObject({ code: "NOT_MEMBER" });
      expect(await rejection(p.readState(freshUrl()))).toMatchObject({ code: "CHANNEL_NOT_FOUND" });
    });

    it("keeps moderation state: freeze, operators, timed and permanent bans and mutes, idempotent lifts", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1", "2", "3", "4"] });
      expect(await p.moderation(url)).toEqual({
        channel_url: url,
        frozen: false,
        operators: [],
        banned: [],
        muted: [],
      });
      expect((await p.setFrozen(url, true)).frozen).toBe(true);
      expect((await p.addOperators(url, ["1", "2"])).operators.sort()).toEqual([1, 2]);
      expect((await p.removeOperators(url, ["2", "3"])).operators).toEqual([1]);
      const before = Date.now();
      const banned = await p.ban(url, ["2"], 3600);
      expect(banned.banned).toHaveLength(1);
      const until = Date.parse(banned.banned[0]?.until ?? "");
      expect(until).toBeGreaterThanOrEqual(before + 3_599_000);
      expect(until).toBeLessThanOrEqual(Date.now() + 3_600_000);
      expect((await p.mute(url, ["3"])).muted).toEqual([{ user_id: 3, until: null }]);
      expect((await p.ban(url, ["4"])).banned).toContainEqual({ user_id: 4, until: null });
      expect((await p.unban(url, "4")).banned.map((r) => r.user_id)).toEqual([2]);
      expect((await p.unban(url, "4")).banned.map((r) => r.user_id)).toEqual([2]);
      expect((await p.unmute(url, "3")).muted).toEqual([]);
      expect((await p.unmute(url, "3")).muted).toEqual([]);
      expect(await p.setFrozen(url, false)).toMatchObject({ frozen: false, operators: [1] });
      expect(await p.moderation(url)).toMatchObject({ frozen: false, operators: [1], muted: [] });
      for (const call of [
        () => p.moderation(freshUrl()),
        () => p.setFrozen(freshUrl(), true),
        () => p.mute(freshUrl(), ["1"]),
        () => p.unban(freshUrl(), "1"),
      ])
        expect(await rejection(call())).toMatchObject({ code: "CHANNEL_NOT_FOUND" });
    });

    it("enforces mute, freeze and ban on sends; operators and admin messages pass a freeze", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1", "2", "3"] });
      await p.mute(url, ["2"]);
      expect(await rejection(p.sendMessage(url, { user_id: "2", message: "x" }))).toMatchObject({
        code: "MUTED",
        status: 403,
      });
      await p.unmute(url, "2");
      expect((await p.sendMessage(url, { user_id: "2", message: "back" })).message.message).toBe("back");
      await p.addOperators(url, ["1"]);
      await p.setFrozen(url, true);
      expect(await rejection(p.sendMessage(url, { user_id: "3", message: "x" }))).toMatchObject({
        code: "FROZEN",
        status: 403,
      });
      expect(
        await rejection(p.sendMessage(url, { type: "IMAGE", user_id: "3", message: "", file: photo })),
      ).toMatchObject({ code: "FROZEN" });
      expect((await p.sendMessage(url, { user_id: "1", message: "ok" })).message.message).toBe("ok");
      expect((await p.sendMessage(url, { type: "ADMM", message: "notice" })).message.type).toBe("ADMM");
      await p.setFrozen(url, false);
      await p.ban(url, ["3"]);
      // Sendbird expels a banned member, podchat keeps the member, banned: both refuse with BANNED.
      expect(await rejection(p.sendMessage(url, { user_id: "3", message: "x" }))).toMatchObject({
        code: "BANNED",
        status: 403,
      });
      const history: MessageFrame[] = (await p.listMessages(url, { limit: 10 })).messages;
      expect(history.map((m) => m.message)).toEqual(["back", "ok", "notice"]);
    });

    it("searches messages and pins them (@since 0.5; Sendbird: UNSUPPORTED, 501)", async () => {
      const url = freshUrl();
      await p.createChannel({ channel_url: url, user_ids: ["1", "2"] });
      const hello = (await p.sendMessage(url, { user_id: "1", message: "안녕하세요 채팅방" })).message;
      await p.sendMessage(url, { user_id: "2", message: "other words" });
      const search = p.searchMessages(url, { q: "안녕", limit: 10 });
      const pin = p.pinMessage(url, hello.seq, { userId: "1" });
      if (p.name === "sendbird") {
        for (const call of [search, pin, p.unpinMessage(url, hello.seq, {}), p.listPins(url)])
          expect(await rejection(call)).toMatchObject({ code: "UNSUPPORTED", status: 501 });
        return;
      }
      expect((await search).messages.map((m) => m.message_id)).toEqual([hello.message_id]);
      expect(await pin).toMatchObject({ created: true, pin: { seq: hello.seq, pinned_by: 1 } });
      expect((await p.listPins(url)).pins.map((x) => x.message.message_id)).toEqual([hello.message_id]);
      expect(await p.unpinMessage(url, hello.seq, {})).toMatchObject({ seq: hello.seq });
      expect((await p.listPins(url)).pins).toEqual([]);
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
