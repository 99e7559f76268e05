import { invalidValue } from "./sendbird-error.ts";

/** Opaque page tokens (Sendbird's are opaque too); here they carry an offset. */
export function paginate<T>(items: readonly T[], token: string | undefined, limit: number) {
  let offset = 0;
  if (token) {
    const match = /^o:([0-9]{1,9})$/.exec(Buffer.from(token, "base64url").toString("utf8"));
    if (!match?.[1]) throw invalidValue("token");
    offset = Number(match[1]);
  }
  const page = items.slice(offset, offset + limit);
  const end = offset + page.length;
  const next = end < items.length ? Buffer.from(`o:${end}`).toString("base64url") : "";
  return { page, next };
}
