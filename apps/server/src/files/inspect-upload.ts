import { ErrorCode } from "@podchat/protocol";
import { fileTypeFromBuffer } from "file-type";
import sharp, { type Metadata } from "sharp";
import { ChatError } from "../errors/chat-error.ts";

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
  // Accepted only when an operator adds them to uploads.allowed_types; always served as attachments.
  svg: "image/svg+xml",
  html: "text/html",
  htm: "text/html",
  xml: "application/xml",
};
/** Text formats checked as UTF-8 (file-type names no magic number for them, or only `xml`). */
const TEXT_TYPES = new Set(["application/json", "application/xml", "image/svg+xml"]);
/** What file-type reports for an XML document with a prolog, whatever its XML vocabulary. */
const XML_TYPES = new Set(["application/xml", "text/xml", "image/svg+xml"]);
const ALIASES: Record<string, string> = { "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg" };
/** Image types podchat measures and thumbnails (in the same format), and sharp's name for each. */
type ImageFormat = "png" | "jpeg" | "gif" | "webp";
const IMAGE_FORMATS: Record<string, ImageFormat> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};
/**
 * Decompression-bomb guard: an image with more pixels (per frame) is stored without a thumbnail,
 * and sharp refuses to decode one whose header claims more (`limitInputPixels`).
 */
export const MAX_THUMBNAIL_SOURCE_PIXELS = 40_000_000;
/**
 * Thumbnails at once. sharp runs on libuv's threadpool (4 threads by default), which file-system
 * calls and DNS lookups share: two leaves them room, and bounds decode memory.
 */
const THUMBNAIL_CONCURRENCY = 2;

// Uploads are decoded once: libvips' operation cache would only hold on to their memory.
sharp.cache(false);

export interface InspectedUpload {
  name: string;
  mime_type: string;
  size: number;
  width?: number;
  height?: number;
  /**
   * A smaller copy of the image (same format; first frame of an animated GIF/WebP), when one could
   * be made (not for images over MAX_THUMBNAIL_SOURCE_PIXELS).
   */
  thumbnail?: { data: Uint8Array; mime_type: string };
  /** The bytes to store when they differ from the upload (metadata stripped); `size` is theirs. */
  data?: Uint8Array;
}

function mismatch(message: string): ChatError {
  return new ChatError(ErrorCode.CONTENT_MISMATCH, message);
}

/** A display name without path parts or control characters. */
function cleanFileName(raw: string): string {
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
 * of that type (magic numbers; UTF-8 without NULs for text). Images (PNG, JPEG, GIF, WebP) get
 * width/height as displayed (EXIF orientation applied) and a thumbnail, made by sharp (libvips) on
 * libuv's threadpool so the event loop stays free; an image that cannot be decoded is refused.
 */
export async function inspectUpload(
  input: { name: string; declaredType: string; data: Uint8Array },
  options: { allowedTypes: readonly string[]; thumbnailPx: number; stripMetadata?: boolean },
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
  const textual = declared.startsWith("text/") || TEXT_TYPES.has(declared);
  if (sniffed && !(sniffed.mime === "application/xml" && XML_TYPES.has(declared))) {
    if (sniffed.mime !== declared)
      throw mismatch(`the content is ${sniffed.mime}, not the declared ${declared}`);
  } else if (textual) {
    if (!isText(input.data)) throw mismatch(`the content is not ${declared} (not UTF-8 text)`);
  } else {
    throw mismatch(`the content is not ${declared}`);
  }
  const out: InspectedUpload = { name, mime_type: declared, size: input.data.byteLength };
  const format = IMAGE_FORMATS[declared];
  if (format) {
    let meta: Metadata;
    try {
      meta = await sharp(input.data, { limitInputPixels: false }).metadata();
    } catch {
      throw mismatch(`the ${declared} image cannot be read`);
    }
    if (meta.format !== format) throw mismatch(`the content is ${meta.format}, not the declared ${declared}`);
    // One frame of an animated image; as displayed (a phone photo's EXIF rotation applied).
    out.width = meta.autoOrient.width;
    out.height = meta.autoOrient.height;
    if (meta.width * (meta.pageHeight ?? meta.height) <= MAX_THUMBNAIL_SOURCE_PIXELS) {
      const strip =
        options.stripMetadata && format !== "gif" && (meta.pages ?? 1) === 1 && hasPrivateMetadata(meta);
      await withThumbnailSlot(async () => {
        out.thumbnail = {
          data: await reencode(input.data, declared, format, { quality: 80, maxPx: options.thumbnailPx }),
          mime_type: declared,
        };
        if (strip) {
          out.data = await reencode(input.data, declared, format, { quality: 92, keepIcc: true });
          out.size = out.data.byteLength;
        }
      });
    }
  }
  return out;
}

/** EXIF (GPS position, camera, time), XMP or IPTC (owner, captions) — what a shared photo should not carry. */
function hasPrivateMetadata(meta: Metadata): boolean {
  return meta.exif !== undefined || meta.xmp !== undefined || meta.iptc !== undefined;
}

let running = 0;
const waiting: Array<() => void> = [];

async function withThumbnailSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= THUMBNAIL_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/**
 * The image (first frame, orientation applied to the pixels) re-encoded in its own format without
 * EXIF/XMP/IPTC, JPEG/WebP at `quality`, PNG lossless. With `maxPx`, a thumbnail: longest side at
 * most `maxPx` (never upscaled). With `keepIcc`, the colour profile stays (a metadata-stripped copy
 * of the upload). Each call decodes the upload: sharing one decode (raw pixels) would lose JPEG/WebP
 * shrink-on-load (other thumbnail bytes, several times slower) and the colour profile.
 */
async function reencode(
  data: Uint8Array,
  mime: string,
  format: ImageFormat,
  options: { quality: number; maxPx?: number; keepIcc?: boolean },
): Promise<Uint8Array> {
  try {
    let img = sharp(data, {
      limitInputPixels: MAX_THUMBNAIL_SOURCE_PIXELS,
      // Truncated or corrupt pixel data is refused; harmless warnings (odd markers) are not.
      failOn: "error",
      autoOrient: true,
      pages: 1,
    });
    if (options.maxPx !== undefined)
      img = img.resize(options.maxPx, options.maxPx, { fit: "inside", withoutEnlargement: true });
    if (options.keepIcc) img = img.keepIccProfile();
    const lossy = format === "jpeg" || format === "webp";
    return await img.toFormat(format, lossy ? { quality: options.quality } : {}).toBuffer();
  } catch {
    throw mismatch(`the ${mime} image cannot be decoded`);
  }
}
