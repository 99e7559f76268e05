import sharp from "sharp";

/** RGB pixels with a horizontal gradient, so encoders have something to encode. */
function pixels(width: number, height: number, shift = 0): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    raw[i * 3] = ((i % width) + shift) % 256;
    raw[i * 3 + 1] = 80;
    raw[i * 3 + 2] = (160 + shift) % 256;
  }
  return raw;
}

const frame = (width: number, height: number, shift = 0) =>
  sharp(pixels(width, height, shift), { raw: { width, height, channels: 3 } });

export const png = (width: number, height: number) => frame(width, height).png().toBuffer();
export const jpeg = (width: number, height: number) => frame(width, height).jpeg({ quality: 90 }).toBuffer();

/** A GIF or WebP; with `frames` > 1 an animated one. */
export async function animated(
  format: "gif" | "webp",
  width: number,
  height: number,
  frames = 1,
): Promise<Buffer> {
  if (frames === 1) return frame(width, height)[format]().toBuffer();
  const parts = await Promise.all(
    Array.from({ length: frames }, (_, i) =>
      frame(width, height, i * 40)
        .png()
        .toBuffer(),
    ),
  );
  return sharp(parts, { join: { animated: true } })
    [format]({ loop: 0, delay: parts.map(() => 100) })
    .toBuffer();
}

/** What the bytes are, as a decoder sees them (format, size, frame count). */
export async function describeImage(bytes: Uint8Array) {
  const m = await sharp(bytes).metadata();
  return { format: m.format, width: m.width, height: m.height, pages: m.pages ?? 1 };
}
