import { crc32 } from "node:zlib";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { animated, describeImage, jpeg, png } from "../../test/image-fixtures.ts";
import { MAX_THUMBNAIL_SOURCE_PIXELS, inspectUpload } from "./inspect-upload.ts";

const options = {
  allowedTypes: ["image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"],
  thumbnailPx: 100,
};
const inspect = (data: Uint8Array, name: string, declaredType: string) =>
  inspectUpload({ name, declaredType, data }, options);

/** A PNG whose header claims `width`×`height` (a decompression bomb's shape) around a tiny real image. */
function pngClaiming(base: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(base);
  // IHDR: length(4) "IHDR"(4) width(4) height(4) …, CRC over type+data (17 bytes) right after.
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

describe("inspectUpload (sharp)", () => {
  it("measures and thumbnails PNG, JPEG, GIF and WebP in their own format, never upscaling", async () => {
    const cases = [
      ["png", await png(400, 300)],
      ["jpeg", await jpeg(400, 300)],
      ["gif", await animated("gif", 400, 300)],
      ["webp", await animated("webp", 400, 300)],
    ] as const;
    for (const [format, bytes] of cases) {
      const r = await inspect(bytes, `x.${format === "jpeg" ? "jpg" : format}`, `image/${format}`);
      expect(r).toMatchObject({ mime_type: `image/${format}`, width: 400, height: 300, size: bytes.length });
      expect(r.thumbnail?.mime_type).toBe(`image/${format}`);
      expect(await describeImage(r.thumbnail!.data)).toEqual({ format, width: 100, height: 75, pages: 1 });
    }
    const tiny = await inspect(await png(40, 20), "t.png", "image/png");
    expect(await describeImage(tiny.thumbnail!.data)).toMatchObject({ width: 40, height: 20 });
  });

  it("reports one frame's size for animated GIF/WebP and thumbnails the first frame", async () => {
    for (const format of ["gif", "webp"] as const) {
      const r = await inspect(await animated(format, 300, 150, 4), `a.${format}`, `image/${format}`);
      expect([r.width, r.height]).toEqual([300, 150]);
      expect(await describeImage(r.thumbnail!.data)).toEqual({ format, width: 100, height: 50, pages: 1 });
    }
  });

  it("applies EXIF orientation: a portrait phone photo stored sideways is reported and thumbnailed upright", async () => {
    const sideways = await sharp({ create: { width: 400, height: 200, channels: 3, background: "#357" } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const r = await inspect(sideways, "photo.jpg", "image/jpeg");
    expect([r.width, r.height]).toEqual([200, 400]);
    const thumb = await sharp(r.thumbnail!.data).metadata();
    expect([thumb.width, thumb.height, thumb.orientation]).toEqual([50, 100, undefined]);
  });

  it("strips EXIF (GPS) and XMP from photos when asked, orientation applied; leaves clean images byte for byte", async () => {
    const gpsPhoto = await sharp({ create: { width: 400, height: 200, channels: 3, background: "#357" } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExifMerge({
        IFD0: { Copyright: "Alice" },
        IFD3: {
          GPSLatitudeRef: "N",
          GPSLatitude: "37/1 33/1 0/1",
          GPSLongitudeRef: "E",
          GPSLongitude: "126/1 58/1 0/1",
        },
      })
      .toBuffer();
    expect(await sharp(gpsPhoto).metadata()).toMatchObject({ orientation: 6, exif: expect.any(Buffer) });
    expect(Buffer.from(gpsPhoto).includes(Buffer.from("Alice"))).toBe(true);
    const strip = { ...options, stripMetadata: true };
    const r = await inspectUpload({ name: "photo.jpg", declaredType: "image/jpeg", data: gpsPhoto }, strip);
    expect(r.data).toBeDefined();
    const stored = await sharp(r.data!).metadata();
    expect([stored.exif, stored.xmp, stored.iptc, stored.orientation]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(Buffer.from(r.data!).includes(Buffer.from("Alice"))).toBe(false);
    expect([stored.format, stored.width, stored.height]).toEqual(["jpeg", 200, 400]);
    expect([r.width, r.height, r.size]).toEqual([200, 400, r.data!.byteLength]);

    const xmpPng = await sharp(await png(40, 20))
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>',
      )
      .png()
      .toBuffer();
    const p = await inspectUpload({ name: "x.png", declaredType: "image/png", data: xmpPng }, strip);
    expect((await sharp(p.data!).metadata()).xmp).toBeUndefined();

    const clean = await png(40, 20);
    const c = await inspectUpload({ name: "c.png", declaredType: "image/png", data: clean }, strip);
    expect(c.data).toBeUndefined();
    expect(c.size).toBe(clean.length);

    const kept = await inspectUpload(
      { name: "photo.jpg", declaredType: "image/jpeg", data: gpsPhoto },
      options,
    );
    expect(kept.data).toBeUndefined();
  });

  it("stores a decompression bomb without decoding it (no thumbnail), and refuses undecodable images", async () => {
    const base = await png(8, 8);
    const bomb = pngClaiming(base, 60_000, 60_000);
    expect(60_000 * 60_000).toBeGreaterThan(MAX_THUMBNAIL_SOURCE_PIXELS);
    const started = performance.now();
    const r = await inspect(bomb, "bomb.png", "image/png");
    expect(performance.now() - started).toBeLessThan(2000);
    expect([r.width, r.height, r.thumbnail]).toEqual([60_000, 60_000, undefined]);
    // Within the limit by its header, but its pixel data does not match: refused as a lie.
    const liar = pngClaiming(base, 2000, 2000);
    await expect(inspect(liar, "liar.png", "image/png")).rejects.toMatchObject({ code: "CONTENT_MISMATCH" });
    const cut = (await jpeg(200, 200)).subarray(0, 600);
    await expect(inspect(cut, "cut.jpg", "image/jpeg")).rejects.toMatchObject({ code: "CONTENT_MISMATCH" });
  });

  it("keeps the event loop running while a 4000×3000 JPEG is thumbnailed (work on libuv's threadpool)", async () => {
    const big = await jpeg(4000, 3000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const r = await inspect(big, "big.jpg", "image/jpeg");
      expect([r.width, r.height]).toEqual([4000, 3000]);
      expect(await describeImage(r.thumbnail!.data)).toMatchObject({ width: 100, height: 75 });
    } finally {
      clearInterval(timer);
    }
    // The pure-JS decoder this replaced held the loop for the whole decode (zero ticks).
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it("refuses SVG and HTML unless allowed; allowed, they must be UTF-8 text and get no thumbnail", async () => {
    const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>');
    await expect(inspect(svg, "x.svg", "image/svg+xml")).rejects.toMatchObject({
      code: "UNSUPPORTED_MEDIA_TYPE",
    });
    const active = { ...options, allowedTypes: ["image/svg+xml", "text/html"] };
    const ok = await inspectUpload({ name: "x.svg", declaredType: "", data: svg }, active);
    expect(ok).toMatchObject({ mime_type: "image/svg+xml", size: svg.length });
    expect(ok.thumbnail).toBeUndefined();
    const page = Buffer.from("<!doctype html><p>hi</p>");
    expect(
      (await inspectUpload({ name: "p.html", declaredType: "text/html", data: page }, active)).mime_type,
    ).toBe("text/html");
    const binary = await png(4, 4);
    await expect(
      inspectUpload({ name: "x.svg", declaredType: "image/svg+xml", data: binary }, active),
    ).rejects.toMatchObject({ code: "CONTENT_MISMATCH" });
    await expect(
      inspectUpload({ name: "x.html", declaredType: "image/svg+xml", data: svg }, active),
    ).rejects.toMatchObject({ code: "CONTENT_MISMATCH" });
  });
});
