/**
 * Raster image types a browser may show inline from a download. Everything else — SVG and HTML
 * above all, which can carry script — is sent as an attachment, whatever the upload allow-list.
 */
const INLINE_TYPES: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/**
 * Locks a served upload down even if a browser renders it: no subresources, no script, a unique
 * opaque origin (`sandbox`), so it can never act on podchat's origin.
 */
const DOWNLOAD_CSP = "default-src 'none'; sandbox";

/** RFC 5987 `attr-char` percent-encoding: encodeURIComponent leaves `'()*` alone, which it must not. */
function encodeExtValue(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `Content-Disposition` per RFC 6266: an ASCII `filename` for old clients (non-ASCII, quotes and
 * backslashes become `_`) and the exact name as `filename*=UTF-8''…`.
 */
function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = [...name]
    .map((ch) => (/^[\x20-\x7e]$/.test(ch) && ch !== '"' && ch !== "\\" ? ch : "_"))
    .join("");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeExtValue(name)}`;
}

/** The headers of a download (file or thumbnail) of an upload stored as `mimeType`. */
export function downloadHeaders(mimeType: string, name: string, size: number): Record<string, string> {
  const inline = INLINE_TYPES.has(mimeType);
  // Text uploads were checked to be UTF-8 when they were accepted.
  const contentType = mimeType.startsWith("text/") ? `${mimeType}; charset=utf-8` : mimeType;
  return {
    "Content-Type": contentType,
    "Content-Length": String(size),
    "Content-Disposition": contentDisposition(inline ? "inline" : "attachment", name),
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": DOWNLOAD_CSP,
    "Cache-Control": "private, max-age=3600",
  };
}
