import { type HistoryResponse, parseServerFrame, type TransportResponse } from "@podchat/protocol";
import type { LogEntry } from "./types.ts";

// REST bodies are checked by hand against the protocol's types: importing the protocol's REST
// schemas would pull every REST schema into the browser bundle. Messages themselves are validated
// with the protocol's frame schema.

type Parsed<T> = { success: true; data: T } | { success: false };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isSeqOrNull = (v: unknown) => v === null || typeof v === "number";

/** A history page as the SDK reads it: `messages` may hold edits and deletions (log entries) too. */
export type HistoryPage = Omit<HistoryResponse, "messages"> & { messages: LogEntry[] };

/**
 * Validates a `HistoryResponse`. Every item must be a valid frame with a `seq` (a message, or an
 * edit or deletion entry of the seq log).
 */
export function parseHistory(body: unknown): Parsed<HistoryPage> {
  if (!isObject(body) || !Array.isArray(body["messages"]) || typeof body["has_more"] !== "boolean") {
    return { success: false };
  }
  if (!isSeqOrNull(body["prev_before_seq"]) || !isSeqOrNull(body["next_after_seq"]))
    return { success: false };
  const messages: LogEntry[] = [];
  for (const m of body["messages"]) {
    const r = parseServerFrame(m);
    if (!r.success || !isLogEntry(r.data)) return { success: false };
    messages.push(r.data);
  }
  return {
    success: true,
    data: {
      messages,
      has_more: body["has_more"],
      prev_before_seq: body["prev_before_seq"] as number | null,
      next_after_seq: body["next_after_seq"] as number | null,
    },
  };
}

/** Frames of the seq log: messages, edits, deletions (CONNECTED and ACK carry seqs but are not entries). */
export function isLogEntry(f: { type: string }): f is LogEntry {
  return /^(MESG|FILE|IMAGE|ADMM|MESSAGE_UPDATED|MESSAGE_DELETED)$/.test(f.type);
}

/**
 * A parser that checks the `typeof` of a body's top-level fields (REST bodies are checked by hand,
 * see above; `object` also covers arrays).
 */
export function fields<T>(spec: Record<string, string>): (body: unknown) => Parsed<T> {
  return (body) =>
    isObject(body) && Object.keys(spec).every((k) => typeof body[k] === spec[k])
      ? { success: true, data: body as T }
      : { success: false };
}

/** Validates a `TransportResponse`. */
export function parseTransport(body: unknown): Parsed<TransportResponse> {
  if (!isObject(body) || typeof body["channel_url"] !== "string") return { success: false };
  const provider = body["provider"];
  const ws = body["websocket"];
  const sb = body["sendbird"];
  if (provider !== "websocket" && provider !== "sendbird") return { success: false };
  if (ws !== undefined && !(isObject(ws) && typeof ws["url"] === "string")) return { success: false };
  if (sb !== undefined && !(isObject(sb) && typeof sb["app_id"] === "string")) return { success: false };
  return { success: true, data: body as TransportResponse };
}

/** The `{ error: { code, message } }` of a REST error body, when it is one. */
export function errorOfBody(body: unknown): { code: string; message: string } | undefined {
  const e = isObject(body) ? body["error"] : undefined;
  if (isObject(e) && typeof e["code"] === "string" && typeof e["message"] === "string") {
    return { code: e["code"], message: e["message"] };
  }
  return undefined;
}
