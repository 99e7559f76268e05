import { readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelFolder } from "../../src/files/file-janitor.ts";
import { type TestServer, connect, createChannel, startServer, token } from "../harness.ts";
import { animated, describeImage, jpeg, png } from "../image-fixtures.ts";
import { type S3Emulator, startS3Emulator } from "../s3-emulator.ts";

const MAX = 200_000;
/** The defaults plus the active types an operator might add: they must still never run inline. */
const ALLOWED = [
  ...["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"],
  ...["image/svg+xml", "text/html"],
];

/** One file storage the same suite runs against: how to start a server on it and list what it holds. */
interface Backend {
  name: string;
  start(): Promise<{ t: TestServer; keys: () => Promise<string[]>; close: () => Promise<void> }>;
}

function walk(dir: string, root = dir): string[] {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), root) : [relative(root, join(dir, e.name))],
  );
}

const backends: Backend[] = [
  {
    name: "local disk",
    async start() {
      const t = await startServer({ overrides: { uploads: { max_bytes: MAX, allowed_types: ALLOWED } } });
      const dir = join(dirname(t.dbPath), "uploads");
      return { t, keys: async () => walk(dir).sort(), close: () => t.close() };
    },
  },
  {
    name: "the S3 emulator",
    async start() {
      const s3: S3Emulator = await startS3Emulator();
      const t = await startServer({
        overrides: {
          uploads: { max_bytes: MAX, allowed_types: ALLOWED, ...s3.uploadsConfig("podchat/uploads/") },
        },
      });
      const keys = async () =>
        (await s3.keys()).map((k) => {
          expect(k.startsWith("podchat/uploads/")).toBe(true);
          return k.slice("podchat/uploads/".length);
        });
      return {
        t,
        keys,
        close: async () => {
          await t.close();
          await s3.close();
        },
      };
    },
  },
];

describe.each(backends)("file and image uploads, stored on $name", (backend) => {
  let t: TestServer;
  let keys: () => Promise<string[]>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, keys, close } = await backend.start());
    await createChannel(t, "files_room", ["1", "2"]);
    await createChannel(t, "other_room", ["3"]);
  });
  afterAll(() => close());

  function upload(
    url: string,
    file: { bytes: Uint8Array; name: string; type: string },
    auth: { token?: string } = {},
  ) {
    const form = new FormData();
    form.set("file", new File([new Uint8Array(file.bytes)], file.name, { type: file.type }));
    return t.api(`/api/v1/chat/channels/${url}/files`, { method: "POST", body: form, ...auth });
  }
  const fileId = (info: { url: string }) => new URL(info.url).pathname.split("/").pop()!;
  const asApi = (url: string) => t.api(new URL(url).pathname);

  it("stores an image with its size, dimensions and a server-made thumbnail; members download it, others cannot", async () => {
    const bytes = await png(640, 480);
    const res = await upload(
      "files_room",
      { bytes, name: "cat.png", type: "image/png" },
      { token: await token("1") },
    );
    expect(res.status).toBe(201);
    const info = await res.json();
    expect(info).toMatchObject({
      name: "cat.png",
      size: bytes.length,
      mime_type: "image/png",
      width: 640,
      height: 480,
      url: expect.stringMatching(/\/api\/v1\/chat\/files\/[0-9a-f-]{36}$/),
    });
    expect(info.thumbnail_url).toBe(`${info.url}/thumbnail`);

    // The member sends it as an IMAGE message; the other member receives the file info.
    const a = await connect(t, "files_room", "1");
    const b = await connect(t, "files_room", "2");
    a.send({ type: "IMAGE", message: "look", file: info, req_id: "img-1" });
    expect(await b.type("IMAGE")).toMatchObject({ file: info, message: "look" });
    a.close();
    b.close();

    const t2 = await token("2");
    const dl = await fetch(info.url, { headers: { Authorization: `Bearer ${t2}` } });
    expect(dl.status).toBe(200);
    expect(dl.headers.get("content-type")).toBe("image/png");
    expect(dl.headers.get("content-length")).toBe(String(bytes.length));
    expect(dl.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await dl.arrayBuffer()).equals(bytes)).toBe(true);
    // <img src> cannot set headers: ?token= works too.
    const thumb = await fetch(`${info.thumbnail_url}?token=${t2}`);
    expect(thumb.status).toBe(200);
    expect(await describeImage(new Uint8Array(await thumb.arrayBuffer()))).toEqual({
      format: "png",
      width: 320,
      height: 240,
      pages: 1,
    });
    // The API key reads anything; a non-member, an anonymous caller and a bad token do not.
    expect((await asApi(info.url)).status).toBe(200);
    expect((await fetch(info.url, { headers: { Authorization: `Bearer ${await token("3")}` } })).status).toBe(
      403,
    );
    expect((await fetch(info.url)).status).toBe(401);
    expect((await fetch(`${info.url}?token=garbage`)).status).toBe(401);
    expect((await t.api("/api/v1/chat/files/00000000-0000-0000-0000-000000000000")).status).toBe(404);
  });

  it("stores a phone photo without its GPS/EXIF metadata (downloaded copy has none, upright)", async () => {
    const photo = await sharp({ create: { width: 300, height: 150, channels: 3, background: "#642" } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExifMerge({
        IFD3: { GPSLatitudeRef: "N", GPSLatitude: "37/1 33/1 0/1" },
        IFD0: { Artist: "Bob Secret" },
      })
      .toBuffer();
    const res = await upload(
      "files_room",
      { bytes: photo, name: "IMG_0001.jpg", type: "image/jpeg" },
      { token: await token("1") },
    );
    expect(res.status).toBe(201);
    const info = await res.json();
    expect(info).toMatchObject({ width: 150, height: 300, mime_type: "image/jpeg" });
    const dl = await asApi(info.url);
    const stored = Buffer.from(await dl.arrayBuffer());
    expect(info.size).toBe(stored.length);
    expect(stored.includes(Buffer.from("Bob Secret"))).toBe(false);
    const meta = await sharp(stored).metadata();
    expect([meta.exif, meta.orientation, meta.width, meta.height]).toEqual([undefined, undefined, 150, 300]);
  });

  it("keeps the file and its thumbnail in the channel's folder, byte for byte", async () => {
    const bytes = await png(100, 50);
    const info = await (await upload("files_room", { bytes, name: "k.png", type: "image/png" })).json();
    const id = fileId(info);
    const folder = channelFolder("files_room");
    expect(await keys()).toEqual(expect.arrayContaining([`${folder}/${id}`, `${folder}/${id}.thumb`]));
    const stored = await t.server.files.storage.get(`${folder}/${id}`);
    expect(stored?.equals(bytes)).toBe(true);
  });

  it("thumbnails JPEGs too, and accepts PDFs and plain text (API key uploads)", async () => {
    const jpg = await jpeg(50, 30);
    const r1 = await (await upload("files_room", { bytes: jpg, name: "p.jpg", type: "image/jpeg" })).json();
    expect(r1).toMatchObject({
      mime_type: "image/jpeg",
      width: 50,
      height: 30,
      thumbnail_url: expect.any(String),
    });
    const th = await asApi(r1.thumbnail_url);
    expect(th.headers.get("content-type")).toBe("image/jpeg");
    expect(await describeImage(new Uint8Array(await th.arrayBuffer()))).toMatchObject({
      format: "jpeg",
      width: 50,
      height: 30,
    });
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
    const r2 = await upload("files_room", { bytes: pdf, name: "doc.pdf", type: "application/pdf" });
    expect(r2.status).toBe(201);
    const pdfInfo = await r2.json();
    expect(pdfInfo.thumbnail_url).toBeUndefined();
    expect((await t.api(`${new URL(pdfInfo.url).pathname}/thumbnail`)).status).toBe(404);
    const txt = await upload("files_room", {
      bytes: Buffer.from("안녕하세요\n"),
      name: "note.txt",
      type: "text/plain",
    });
    expect(txt.status).toBe(201);
    const dl = await asApi((await txt.json()).url);
    expect(dl.headers.get("content-disposition")).toMatch(/^attachment/);
    expect(await dl.text()).toBe("안녕하세요\n");
  });

  it("serves every upload inert: nosniff, a sandboxing CSP, and attachment for all but raster images", async () => {
    const svg =
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    const cases = [
      { bytes: await png(40, 20), name: "p.png", type: "image/png", inline: true, ct: "image/png" },
      { bytes: await jpeg(40, 20), name: "p.jpg", type: "image/jpeg", inline: true, ct: "image/jpeg" },
      { bytes: await animated("gif", 8, 8), name: "a.gif", type: "image/gif", inline: true, ct: "image/gif" },
      {
        bytes: await animated("webp", 8, 8),
        name: "a.webp",
        type: "image/webp",
        inline: true,
        ct: "image/webp",
      },
      {
        bytes: Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
        name: "d.pdf",
        type: "application/pdf",
        inline: false,
        ct: "application/pdf",
      },
      {
        bytes: Buffer.from("hi\n"),
        name: "n.txt",
        type: "text/plain",
        inline: false,
        ct: "text/plain; charset=utf-8",
      },
      { bytes: Buffer.from(svg), name: "x.svg", type: "image/svg+xml", inline: false, ct: "image/svg+xml" },
      {
        bytes: Buffer.from("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        name: "y.svg",
        type: "image/svg+xml",
        inline: false,
        ct: "image/svg+xml",
      },
      {
        bytes: Buffer.from("<!doctype html><script>alert(document.cookie)</script>"),
        name: "page.html",
        type: "text/html",
        inline: false,
        ct: "text/html; charset=utf-8",
      },
    ];
    const bearer = { headers: { Authorization: `Bearer ${await token("2")}` } };
    for (const c of cases) {
      const res = await upload("files_room", c, { token: await token("1") });
      expect([c.name, res.status]).toEqual([c.name, 201]);
      const info = await res.json();
      const urls = [info.url, ...(info.thumbnail_url ? [info.thumbnail_url] : [])];
      // Every image type gets a thumbnail; the thumbnail is checked the same way.
      expect([c.name, urls.length]).toEqual([c.name, c.inline ? 2 : 1]);
      for (const url of urls) {
        const dl = await fetch(url, bearer);
        expect([url, dl.status]).toEqual([url, 200]);
        expect(dl.headers.get("content-type")).toBe(c.ct);
        expect(dl.headers.get("x-content-type-options")).toBe("nosniff");
        expect(dl.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
        expect(dl.headers.get("content-disposition")).toBe(
          `${c.inline ? "inline" : "attachment"}; filename="${c.name}"; filename*=UTF-8''${c.name}`,
        );
        await dl.arrayBuffer();
      }
    }
  });

  it("names downloads per RFC 6266: an ASCII fallback and the exact UTF-8 name", async () => {
    const name = "회의록 (최종) it's 100%*.txt";
    const res = await upload("files_room", { bytes: Buffer.from("x"), name, type: "text/plain" });
    const info = await res.json();
    expect(info.name).toBe(name);
    const dl = await asApi(info.url);
    const cd = dl.headers.get("content-disposition")!;
    expect(cd).toBe(
      `attachment; filename="___ (__) it's 100%*.txt"; filename*=UTF-8''${encodeURIComponent(name)
        .replace(/'/g, "%27")
        .replace(/\(/g, "%28")
        .replace(/\)/g, "%29")
        .replace(/\*/g, "%2A")}`,
    );
    // The extended value decodes back to the name, and holds only RFC 5987 attr-chars.
    const ext = cd.split("filename*=UTF-8''")[1]!;
    expect(ext).toMatch(/^[A-Za-z0-9!#$&+.^_`|~%-]+$/);
    expect(decodeURIComponent(ext)).toBe(name);
    await dl.arrayBuffer();
  });

  it("thumbnails GIF and WebP images, animated ones from their first frame", async () => {
    for (const [format, frames] of [
      ["gif", 1],
      ["gif", 3],
      ["webp", 1],
      ["webp", 3],
    ] as const) {
      const bytes = await animated(format, 400, 200, frames);
      const res = await upload("files_room", { bytes, name: `a.${format}`, type: `image/${format}` });
      expect(res.status).toBe(201);
      const info = await res.json();
      expect(info).toMatchObject({ mime_type: `image/${format}`, width: 400, height: 200 });
      const th = await asApi(info.thumbnail_url);
      expect([format, frames, th.status, th.headers.get("content-type")]).toEqual([
        format,
        frames,
        200,
        `image/${format}`,
      ]);
      expect(await describeImage(new Uint8Array(await th.arrayBuffer()))).toEqual({
        format,
        width: 320,
        height: 160,
        pages: 1,
      });
      // The original keeps its frames.
      expect((await describeImage(new Uint8Array(await (await asApi(info.url)).arrayBuffer()))).pages).toBe(
        frames,
      );
    }
  });

  it("streams a larger file back exactly", async () => {
    const line = "podchat streams files through the server after the membership check\n";
    const text = Buffer.from(line.repeat(Math.floor((MAX - 100) / line.length)));
    const info = await (
      await upload("files_room", { bytes: text, name: "big.txt", type: "text/plain" })
    ).json();
    const dl = await fetch(info.url, { headers: { Authorization: `Bearer ${await token("1")}` } });
    expect(dl.headers.get("content-length")).toBe(String(text.length));
    expect(Buffer.from(await dl.arrayBuffer()).equals(text)).toBe(true);
  });

  it("refuses oversize (413), disallowed (415) and lying (415 CONTENT_MISMATCH) uploads, storing nothing", async () => {
    const before = await keys();
    const small = await png(4, 4);
    const cases: Array<[{ bytes: Uint8Array; name: string; type: string }, number, string]> = [
      [{ bytes: Buffer.alloc(MAX + 1, 65), name: "big.txt", type: "text/plain" }, 413, "FILE_TOO_LARGE"],
      [{ bytes: Buffer.alloc(MAX * 3, 65), name: "huge.txt", type: "text/plain" }, 413, "FILE_TOO_LARGE"],
      [{ bytes: Buffer.from("<a/>"), name: "x.xml", type: "application/xml" }, 415, "UNSUPPORTED_MEDIA_TYPE"],
      [
        { bytes: Buffer.from("MZ\x90\x00"), name: "a.exe", type: "application/x-msdownload" },
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      ],
      [
        { bytes: Buffer.from("not a png at all"), name: "fake.png", type: "image/png" },
        415,
        "CONTENT_MISMATCH",
      ],
      [{ bytes: small, name: "real.jpg", type: "image/jpeg" }, 415, "CONTENT_MISMATCH"],
      [{ bytes: small, name: "sneaky.txt", type: "image/png" }, 415, "CONTENT_MISMATCH"],
      [{ bytes: small, name: "notes.txt", type: "text/plain" }, 415, "CONTENT_MISMATCH"],
      [{ bytes: await animated("gif", 8, 8), name: "x.webp", type: "image/webp" }, 415, "CONTENT_MISMATCH"],
      [{ bytes: small.subarray(0, 40), name: "cut.png", type: "image/png" }, 415, "CONTENT_MISMATCH"],
      [
        { bytes: (await jpeg(64, 64)).subarray(0, 300), name: "cut.jpg", type: "image/jpeg" },
        415,
        "CONTENT_MISMATCH",
      ],
    ];
    for (const [file, status, code] of cases) {
      const res = await upload("files_room", file, { token: await token("1") });
      expect([file.name, res.status]).toEqual([file.name, status]);
      expect((await res.json()).error.code).toBe(code);
    }
    expect(await keys()).toEqual(before);
  });

  it("needs membership (and not being muted) to upload", async () => {
    const file = { bytes: await png(2, 2), name: "x.png", type: "image/png" };
    expect((await upload("files_room", file, { token: await token("3") })).status).toBe(403);
    const anon = new FormData();
    anon.set("file", new File([new Uint8Array(file.bytes)], "x.png", { type: "image/png" }));
    expect(
      (await fetch(`${t.url}/api/v1/chat/channels/files_room/files`, { method: "POST", body: anon })).status,
    ).toBe(401);
    await createChannel(t, "mute_room", ["1", "2"]);
    await t.api("/api/v1/chat/channels/mute_room/mutes", { method: "POST", json: { user_ids: ["2"] } });
    const muted = await upload("mute_room", file, { token: await token("2") });
    expect((await muted.json()).error.code).toBe("MUTED");
  });

  it("deletes a FILE/IMAGE message's bytes with the message (socket and REST); downloads then answer 410", async () => {
    await createChannel(t, "del_msg_room", ["1", "2"]);
    const up = async (user: string, name: string) =>
      (
        await upload(
          "del_msg_room",
          { bytes: await png(64, 64), name, type: "image/png" },
          { token: await token(user) },
        )
      ).json();
    const mine = await up("1", "mine.png");
    const viaRest = await up("1", "rest.png");
    const theirs = await up("2", "theirs.png");
    const a = await connect(t, "del_msg_room", "1");
    a.send({ type: "IMAGE", message: "mine", file: mine, req_id: "i1" });
    const s1 = (await a.next((f) => f.type === "ACK" && f.req_id === "i1")).seq;
    a.send({ type: "IMAGE", message: "rest", file: viaRest, req_id: "i2" });
    const s2 = (await a.next((f) => f.type === "ACK" && f.req_id === "i2")).seq;
    // Member 1 re-posts member 2's upload: deleting that message must not delete member 2's file.
    a.send({ type: "FILE", message: "link", file: theirs, req_id: "i3" });
    const s3 = (await a.next((f) => f.type === "ACK" && f.req_id === "i3")).seq;
    const folder = channelFolder("del_msg_room");
    expect(await keys()).toEqual(
      expect.arrayContaining([`${folder}/${fileId(mine)}`, `${folder}/${fileId(mine)}.thumb`]),
    );

    a.send({ type: "DELETE", target_seq: s1, req_id: "d1" });
    await a.next((f) => f.type === "ACK" && f.req_id === "d1");
    const del = await t.api(`/api/v1/chat/channels/del_msg_room/messages/${s2}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    a.send({ type: "DELETE", target_seq: s3, req_id: "d3" });
    await a.next((f) => f.type === "ACK" && f.req_id === "d3");
    a.close();
    await t.server.files.janitor.settled();

    const left = await keys();
    for (const gone of [mine, viaRest]) {
      expect(left).not.toContain(`${folder}/${fileId(gone)}`);
      expect(left).not.toContain(`${folder}/${fileId(gone)}.thumb`);
      const res = await asApi(gone.url);
      expect(res.status).toBe(410);
      expect((await res.json()).error.code).toBe("NOT_FOUND");
      expect((await asApi(gone.thumbnail_url)).status).toBe(410);
    }
    expect(left).toContain(`${folder}/${fileId(theirs)}`);
    expect((await asApi(theirs.url)).status).toBe(200);
  });

  it("deletes every file of a deleted channel, sent or not, and leaves other channels' files", async () => {
    await createChannel(t, "doomed_room", ["1"]);
    await createChannel(t, "kept_room", ["1"]);
    const u = async (room: string, name: string) =>
      (await upload(room, { bytes: await png(40, 40), name, type: "image/png" })).json();
    const sent = await u("doomed_room", "sent.png");
    const unsent = await u("doomed_room", "unsent.png");
    const kept = await u("kept_room", "kept.png");
    await t.api("/api/v1/chat/channels/doomed_room/messages", {
      method: "POST",
      json: { user_id: "1", type: "IMAGE", message: "sent", file: sent },
    });
    const doomed = channelFolder("doomed_room");
    expect((await keys()).filter((k) => k.startsWith(`${doomed}/`))).toHaveLength(4);

    expect((await t.api("/api/v1/chat/channels/doomed_room", { method: "DELETE" })).status).toBe(204);
    await t.server.files.janitor.settled();
    expect((await keys()).filter((k) => k.startsWith(`${doomed}/`))).toEqual([]);
    for (const f of [sent, unsent]) expect((await asApi(f.url)).status).toBe(404);
    expect((await asApi(kept.url)).status).toBe(200);
    expect(await keys()).toContain(`${channelFolder("kept_room")}/${fileId(kept)}.thumb`);
  });
});
