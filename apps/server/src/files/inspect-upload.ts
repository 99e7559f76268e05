import { ErrorCode } from "@podchat/protocol";
import { fileTypeFromBuffer } from "file-type";
import { imageSize } from "image-size";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { ChatError } from "../chat/chat-error.ts";

/** Extensions podchat knows, and the one type each stands for. */
const EXTENSION_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  pdf: "application/pdf",
  txt: "text/plain",
  text: "text/plain",
  log: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  json: "application/json",
};
const ALIASES: Record<string, string> = { "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg" };
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
/** Decoding bigger images for a thumbnail would cost too much memory (RGBA = 4 bytes/pixel). */
const MAX_THUMBNAIL_SOURCE_PIXELS = 40_000_000;

export interface InspectedUpload {
  name: string;
  mime_type: string;
  size: number;
  width?: number;
  height?: number;
  /** A smaller copy of a PNG/JPEG image (same format), when one could be made. */
  thumbnail?: { data: Uint8Array; mime_type: string };
}

function mismatch(message: string): ChatError {
  return new ChatError(ErrorCode.CONTENT_MISMATCH, message);
}

/** A display name without path parts or control characters. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? "";
  const clean = [...base]
    .filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f && ch !== '"')
    .join("")
    .trim()
    .slice(0, 255);
  return clean.length > 0 ? clean : "file";
}

function isText(data: Uint8Array): boolean {
  if (data.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks an upload before anything is written: the declared type (or, when the client sent none,
 * the extension's) must be allowed, the extension must agree with it, and the bytes must really be
 * of that type (magic numbers; UTF-8 without NULs for text). Images get width/height and, for PNG
 * and JPEG, a thumbnail.
 */
export async function inspectUpload(
  input: { name: string; declaredType: string; data: Uint8Array },
  options: { allowedTypes: readonly string[]; thumbnailPx: number },
): Promise<InspectedUpload> {
  const name = cleanFileName(input.name);
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  const extType = EXTENSION_TYPES[ext];
  let declared = input.declaredType.split(";")[0]!.trim().toLowerCase();
  declared = ALIASES[declared] ?? declared;
  if (declared === "" || declared === "application/octet-stream") declared = extType ?? declared;
  if (!options.allowedTypes.includes(declared)) {
    throw new ChatError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `files of type ${declared || "(none)"} are not accepted; allowed: ${options.allowedTypes.join(", ")}`,
    );
  }
  if (extType !== undefined && extType !== declared) {
    throw mismatch(`the name says ${extType} (.${ext}) but the file was declared as ${declared}`);
  }
  const sniffed = await fileTypeFromBuffer(input.data);
  if (sniffed) {
    if (sniffed.mime !== declared)
      throw mismatch(`the content is ${sniffed.mime}, not the declared ${declared}`);
  } else if (declared.startsWith("text/") || declared === "application/json") {
    if (!isText(input.data)) throw mismatch(`the content is not ${declared} (not UTF-8 text)`);
  } else {
    throw mismatch(`the content is not ${declared}`);
  }
  const out: InspectedUpload = { name, mime_type: declared, size: input.data.byteLength };
  if (IMAGE_TYPES.has(declared)) {
    let dims: { width: number; height: number };
    try {
      dims = imageSize(input.data);
    } catch {
      throw mismatch(`the ${declared} image cannot be read`);
    }
    out.width = dims.width;
    out.height = dims.height;
    if (
      (declared === "image/png" || declared === "image/jpeg") &&
      dims.width * dims.height <= MAX_THUMBNAIL_SOURCE_PIXELS
    ) {
      out.thumbnail = makeThumbnail(input.data, declared, options.thumbnailPx);
    }
  }
  return out;
}

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

function decode(data: Uint8Array, mime: string): Rgba {
  try {
    if (mime === "image/png") {
      const png = PNG.sync.read(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      return { width: png.width, height: png.height, data: png.data };
    }
    const img = jpeg.decode(data, { useTArray: true, maxResolutionInMP: 50, maxMemoryUsageInMB: 512 });
    return { width: img.width, height: img.height, data: img.data };
  } catch {
    throw mismatch(`the ${mime} image cannot be decoded`);
  }
}

/** Box-filter downscale so the longest side is at most `maxPx` (never upscales). */
function downscale(src: Rgba, maxPx: number): Rgba {
  const scale = Math.min(1, maxPx / Math.max(src.width, src.height));
  const w = Math.max(1, Math.round(src.width * scale));
  const h = Math.max(1, Math.round(src.height * scale));
  if (w === src.width && h === src.height) return src;
  const out = new Uint8Array(w * h * 4);
  const fx = src.width / w;
  const fy = src.height / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * fy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * fy));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * fx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * fx));
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * src.width + x0) * 4;
        for (let xx = x0; xx < x1; xx++, i += 4) {
          r += src.data[i]!;
          g += src.data[i + 1]!;
          b += src.data[i + 2]!;
          a += src.data[i + 3]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * w + x) * 4;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
      out[o + 3] = a / n;
    }
  }
  return { width: w, height: h, data: out };
}

function makeThumbnail(
  data: Uint8Array,
  mime: string,
  maxPx: number,
): { data: Uint8Array; mime_type: string } {
  const small = downscale(decode(data, mime), maxPx);
  if (mime === "image/png") {
    const png = new PNG({ width: small.width, height: small.height });
    png.data = Buffer.from(small.data.buffer, small.data.byteOffset, small.data.byteLength);
    return { data: PNG.sync.write(png), mime_type: "image/png" };
  }
  const encoded = jpeg.encode({ data: small.data, width: small.width, height: small.height }, 80);
  return { data: encoded.data, mime_type: "image/jpeg" };
}
