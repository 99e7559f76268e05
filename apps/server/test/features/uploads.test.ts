import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, connect, createChannel, startServer, token } from "../harness.ts";

let t: TestServer;
let uploadsDir: string;
const MAX = 200_000;

function png(width: number, height: number): Buffer {
  const img = new PNG({ width, height });
  for (let i = 0; i < img.data.length; i += 4) {
    img.data[i] = (i / 4) % 256;
    img.data[i + 1] = 80;
    img.data[i + 2] = 160;
    img.data[i + 3] = 255;
  }
  return PNG.sync.write(img);
}

function upload(
  url: string,
  file: { bytes: Uint8Array; name: string; type: string },
  auth: { token?: string } = {},
) {
  const form = new FormData();
  form.set("file", new File([new Uint8Array(file.bytes)], file.name, { type: file.type }));
  return t.api(`/api/v1/chat/channels/${url}/files`, { method: "POST", body: form, ...auth });
}
const files = () => {
  try {
    return readdirSync(uploadsDir);
  } catch {
    return [];
  }
};

beforeAll(async () => {
  t = await startServer({ overrides: { uploads: { max_bytes: MAX } } });
  uploadsDir = join(dirname(t.dbPath), "uploads");
  await createChannel(t, "files_room", ["1", "2"]);
  await createChannel(t, "other_room", ["3"]);
});
afterAll(() => t.close());

describe("file and image uploads", () => {
  it("stores an image with its size, dimensions and a server-made thumbnail; members download it, others cannot", async () => {
    const bytes = png(640, 480);
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
    expect(dl.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await dl.arrayBuffer()).equals(bytes)).toBe(true);
    // <img src> cannot set headers: ?token= works too.
    const thumb = await fetch(`${info.thumbnail_url}?token=${t2}`);
    expect(thumb.status).toBe(200);
    const small = PNG.sync.read(Buffer.from(await thumb.arrayBuffer()));
    expect([small.width, small.height]).toEqual([320, 240]);
    // The API key reads anything; a non-member, an anonymous caller and a bad token do not.
    expect((await t.api(new URL(info.url).pathname)).status).toBe(200);
    expect((await fetch(info.url, { headers: { Authorization: `Bearer ${await token("3")}` } })).status).toBe(
      403,
    );
    expect((await fetch(info.url)).status).toBe(401);
    expect((await fetch(`${info.url}?token=garbage`)).status).toBe(401);
    expect((await t.api("/api/v1/chat/files/00000000-0000-0000-0000-000000000000")).status).toBe(404);
  });

  it("thumbnails JPEGs too, and accepts PDFs and plain text (API key uploads)", async () => {
    const raw = { data: Buffer.alloc(50 * 30 * 4, 120), width: 50, height: 30 };
    const jpg = jpeg.encode(raw, 90).data;
    const r1 = await (await upload("files_room", { bytes: jpg, name: "p.jpg", type: "image/jpeg" })).json();
    expect(r1).toMatchObject({
      mime_type: "image/jpeg",
      width: 50,
      height: 30,
      thumbnail_url: expect.any(String),
    });
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
    const r2 = await upload("files_room", { bytes: pdf, name: "doc.pdf", type: "application/pdf" });
    expect(r2.status).toBe(201);
    expect((await r2.json()).thumbnail_url).toBeUndefined();
    const txt = await upload("files_room", {
      bytes: Buffer.from("안녕하세요\n"),
      name: "note.txt",
      type: "text/plain",
    });
    expect(txt.status).toBe(201);
    const dl = await t.api(new URL((await txt.json()).url).pathname);
    expect(dl.headers.get("content-disposition")).toMatch(/^attachment/);
    expect(await dl.text()).toBe("안녕하세요\n");
  });

  it("refuses oversize (413), disallowed (415) and lying (415 CONTENT_MISMATCH) uploads, leaving nothing on disk", async () => {
    const before = files();
    const cases: Array<[{ bytes: Uint8Array; name: string; type: string }, number, string]> = [
      [{ bytes: Buffer.alloc(MAX + 1, 65), name: "big.txt", type: "text/plain" }, 413, "FILE_TOO_LARGE"],
      [{ bytes: Buffer.alloc(MAX * 3, 65), name: "huge.txt", type: "text/plain" }, 413, "FILE_TOO_LARGE"],
      [{ bytes: Buffer.from("<svg/>"), name: "x.svg", type: "image/svg+xml" }, 415, "UNSUPPORTED_MEDIA_TYPE"],
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
      [{ bytes: png(4, 4), name: "real.jpg", type: "image/jpeg" }, 415, "CONTENT_MISMATCH"],
      [{ bytes: png(4, 4), name: "sneaky.txt", type: "image/png" }, 415, "CONTENT_MISMATCH"],
      [{ bytes: png(4, 4), name: "notes.txt", type: "text/plain" }, 415, "CONTENT_MISMATCH"],
      [
        { bytes: Buffer.concat([png(4, 4).subarray(0, 40)]), name: "cut.png", type: "image/png" },
        415,
        "CONTENT_MISMATCH",
      ],
    ];
    for (const [file, status, code] of cases) {
      const res = await upload("files_room", file, { token: await token("1") });
      expect([file.name, res.status]).toEqual([file.name, status]);
      expect((await res.json()).error.code).toBe(code);
    }
    expect(files()).toEqual(before);
  });

  it("needs membership (and not being muted) to upload", async () => {
    const file = { bytes: png(2, 2), name: "x.png", type: "image/png" };
    expect((await upload("files_room", file, { token: await token("3") })).status).toBe(403);
    const anon = new FormData();
    anon.set("file", new File([new Uint8Array(file.bytes)], "x.png", { type: "image/png" }));
    expect(
      (await fetch(`${t.url}/api/v1/chat/channels/files_room/files`, { method: "POST", body: anon })).status,
    ).toBe(401);
    await t.api("/api/v1/chat/channels/files_room/mutes", { method: "POST", json: { user_ids: ["2"] } });
    const muted = await upload("files_room", file, { token: await token("2") });
    expect((await muted.json()).error.code).toBe("MUTED");
  });
});
