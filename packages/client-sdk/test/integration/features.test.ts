// Protocol 0.2 against the real server: edits and deletions (also through resume), read state,
// typing, uploads and sendFile, moderation refusals.
import type { MessageDeletedFrame, MessageUpdatedFrame } from "@podchat/protocol";
import { describe, expect, it } from "vitest";
import { connectRecorded, perTestFixtures } from "./fixtures.ts";
import { API_KEY, createChannel, type RunningServer, waitFor } from "./harness.ts";

const fixtures = perTestFixtures();

// A real 1×1 PNG (uploads are checked against their content).
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

async function twoMembers(channelUrl: string, limits?: Record<string, unknown>) {
  const srv = await fixtures.server({ uploads: true, limits });
  await createChannel(srv.url, channelUrl, ["1", "2"]);
  const { channel: a, rec: ra } = connectRecorded(fixtures.client(srv.url, "1"), channelUrl);
  const { channel: b, rec: rb } = connectRecorded(fixtures.client(srv.url, "2"), channelUrl);
  await ra.reached("connected");
  await rb.reached("connected");
  return { srv, a, b, ra, rb };
}

async function admin(srv: RunningServer, path: string, body: unknown) {
  const res = await fetch(`${srv.url}/api/v1/chat/channels/${path}`, {
    method: "POST",
    headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

describe("protocol 0.2 against the real server", () => {
  it("edits and deletions arrive as seq-log entries, live and through resume", async () => {
    const { a, b, rb } = await twoMembers("edits");
    const updated: MessageUpdatedFrame[] = [];
    const deleted: MessageDeletedFrame[] = [];
    b.on("messageUpdated", (e) => updated.push(e));
    b.on("messageDeleted", (e) => deleted.push(e));
    const m1 = await a.send("helo");
    const e = await a.edit(m1.seq, "hello");
    expect(e.seq).toBe(m1.seq + 1);
    await waitFor(() => updated.length === 1, { what: "live edit" });
    expect(updated[0]).toMatchObject({ seq: e.seq, target_seq: m1.seq, message: "hello" });

    b.disconnect();
    const m2 = await a.send("bye");
    const d = await a.delete(m2.seq);
    const e2 = await a.edit(m1.seq, "hello!");
    b.connect();
    await waitFor(() => updated.length === 2 && deleted.length === 1, { what: "replayed entries" });
    expect(deleted[0]).toMatchObject({ seq: d.seq, target_seq: m2.seq });
    expect(updated[1]).toMatchObject({ seq: e2.seq, message: "hello!" });
    expect(b.lastSeq).toBe(e2.seq);
    expect(rb.messages.map((m) => m.seq)).toEqual([m1.seq, m2.seq]);

    const page = await b.history({ afterSeq: 0 });
    expect(page.messages.map((m) => [m.seq, m.message, m.deleted === true])).toEqual([
      [m1.seq, "hello!", false],
      [m2.seq, "", true],
    ]);
    expect(page.messages[0]?.edited_at).toBeTypeOf("string");
    await expect(b.edit(m1.seq, "not mine")).rejects.toMatchObject({ code: "NOT_AUTHOR" });
  }, 30_000);

  it("backfills a gap over edits and deletions: every seq delivered once, in order, nothing lost", async () => {
    // Gap backfill asks history for the seq log (include_changes=true), edit/deletion entries too.
    const { a, b, rb } = await twoMembers("gap", { resume_max_messages: 3 });
    const seqs: number[] = [];
    const texts = new Map<number, string>();
    b.on("message", (m) => {
      seqs.push(m.seq);
      texts.set(m.seq, m.deleted ? "(deleted)" : m.message);
    });
    b.on("messageUpdated", (e) => {
      seqs.push(e.seq);
      texts.set(e.target_seq, e.message);
    });
    b.on("messageDeleted", (e) => {
      seqs.push(e.seq);
      texts.set(e.target_seq, "(deleted)");
    });
    const first = await a.send("0");
    await waitFor(() => b.lastSeq === first.seq, { what: "b caught up" });
    b.disconnect();
    const want = new Map<number, string>([[first.seq, "0"]]);
    let last = first.seq;
    for (let i = 1; i <= 4; i++) {
      const m = await a.send(`m${i}`);
      last = (await a.edit(m.seq, `m${i}!`)).seq;
      want.set(m.seq, `m${i}!`);
      if (i % 2 === 0) {
        last = (await a.delete(m.seq)).seq;
        want.set(m.seq, "(deleted)");
      }
    }
    const tail = await a.edit(first.seq, "0!"); // replayed live, after the gap
    want.set(first.seq, "0!");
    b.connect();
    await waitFor(() => b.lastSeq === tail.seq, { what: `seq ${tail.seq} (at ${b.lastSeq})` });
    expect(rb.gaps.length).toBe(1);
    const lost = rb.errors.flatMap((e) => {
      const { fromSeq = 0, toSeq = -1, code } = e as { fromSeq?: number; toSeq?: number; code?: string };
      expect(code).toBe("MESSAGES_LOST");
      return Array.from({ length: toSeq - fromSeq + 1 }, (_, k) => fromSeq + k);
    });
    // Every seq is delivered once, in order; nothing is reported lost.
    expect(lost).toEqual([]);
    expect(seqs).toEqual(Array.from({ length: tail.seq }, (_, k) => k + 1));
    expect(last).toBeLessThan(tail.seq);
    // The messages themselves arrive in their current state (edited, or tombstones).
    expect(texts).toEqual(want);
  }, 30_000);

  it("read state, receipts and typing", async () => {
    const { a, b } = await twoMembers("reads");
    const receipts: Array<[unknown, number]> = [];
    a.on("readReceipt", (r) => receipts.push([r.user_id, r.seq]));
    await a.send("1");
    const m2 = await a.send("2");
    await waitFor(() => b.lastSeq === m2.seq, { what: "b has seq 2" });
    expect((await b.unread()).unread_count).toBe(2);
    b.markRead();
    await waitFor(() => receipts.some(([, s]) => s === m2.seq), { what: "receipt" });
    expect(await b.unread()).toMatchObject({ last_read_seq: m2.seq, unread_count: 0 });
    const state = await a.readState();
    expect(state.members.find((m) => String(m.user_id) === "2")?.last_read_seq).toBe(m2.seq);

    b.startTyping();
    await waitFor(() => a.typingUsers.map(String).includes("2"), { what: "typing" });
    b.stopTyping();
    await waitFor(() => a.typingUsers.length === 0, { what: "typing stopped" });
  }, 30_000);

  it("uploads a file and sends it as IMAGE", async () => {
    const { a, rb } = await twoMembers("files");
    const info = await a.upload(new Blob([png], { type: "image/png" }), { name: "dot.png" });
    expect(info).toMatchObject({ name: "dot.png", size: png.length, mime_type: "image/png" });
    const sent = await a.sendFile(new File([png], "dot.png", { type: "image/png" }), { caption: "a dot" });
    await rb.received(1);
    expect(rb.messages[0]).toMatchObject({ seq: sent.seq, type: "IMAGE", message: "a dot" });
    expect(rb.messages[0]?.file?.mime_type).toBe("image/png");
    await expect(
      a.upload(new Blob(["not a png"], { type: "image/png" }), { name: "x.png" }),
    ).rejects.toMatchObject({
      code: "CONTENT_MISMATCH",
    });
  }, 30_000);

  it("a muted member's send rejects with MUTED; a ban ends the connection for good", async () => {
    const { srv, a, ra } = await twoMembers("mod");
    await admin(srv, "mod/mutes", { user_ids: ["1"] });
    await expect(a.send("hi")).rejects.toMatchObject({ code: "MUTED" });
    expect((await a.moderation()).muted.map((m) => String(m.user_id))).toEqual(["1"]);
    await admin(srv, "mod/bans", { user_ids: ["1"] });
    await ra.reached("disconnected");
    expect(ra.errors.at(-1)).toMatchObject({ code: "BANNED", closeCode: 4403 });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(a.status).toBe("disconnected");
  }, 30_000);
});
