// REST bodies and frames are validated with the validators generated from the protocol's zod
// schemas (`@podchat/protocol/validate`), which carry no zod: see the README's "Size".

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/**
 * The `{ error: { code, message } }` of a REST error body, when it is one (read leniently: an error
 * answer that does not match `ErrorBody` still fails with its status).
 */
export function errorOfBody(body: unknown): { code: string; message: string } | undefined {
  const e = isObject(body) ? body["error"] : undefined;
  if (isObject(e) && typeof e["code"] === "string" && typeof e["message"] === "string") {
    return { code: e["code"], message: e["message"] };
  }
  return undefined;
}
