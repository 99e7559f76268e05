import { sql } from "kysely";
import type { FileInfo, MessageType, ProviderName } from "@podchat/protocol";
import {
  type NewMessage,
  newStoredMessage,
  type StoredChannel,
  type StoredFile,
  type StoredMessage,
  StoreError,
} from "../message-store.ts";
import type { EncodedMessage, StoreCapabilities } from "./dialect.ts";

/** The channel columns a StoredChannel is made of (the inbox selects them under a prefix). */
export const CHANNEL_COLUMNS = [
  "channel_url",
  "name",
  "custom_type",
  "data",
  "provider",
  "created_at",
  "last_seq",
  "member_count",
  "last_activity_at",
] as const;

export const MESSAGE_COLUMNS = [
  "message_id",
  "channel_url",
  "seq",
  "type",
  "user_id",
  "message",
  "custom_type",
  "data",
  "file",
  "req_id",
  "created_at",
  "edited_at",
  "deleted",
  "target_seq",
  "target_message_id",
] as const;

type Row = Record<string, unknown>;

/** `deleted` is 0/1 on SQLite and boolean on PostgreSQL; `not deleted` reads right on both. */
export const notDeleted = sql<boolean>`not deleted`;

export interface Codec {
  /** INVALID_DATA when the text holds NUL and the database cannot keep it. */
  checkText(what: string, v: string | null | undefined): void;
  /** JSON text for a json column; INVALID_DATA when it cannot be serialised (or kept). */
  toJson(what: string, v: unknown): string;
  channel(r: Row): StoredChannel;
  message(r: Row): StoredMessage;
  file(r: Row): StoredFile;
  bool(v: unknown): boolean;
}

export function createCodec(caps: StoreCapabilities): Codec {
  const json = caps.jsonParsed
    ? (v: unknown) => v
    : (v: unknown) => (v === null || v === undefined ? null : JSON.parse(v as string));
  const bool = (v: unknown) => v === true || v === 1;
  const nulOk = caps.textKeepsNul;
  return {
    bool,
    checkText: nulOk ? () => {} : checkText,
    toJson: (what, v) => toJson(what, v, nulOk),
    channel: (r) => ({
      channel_url: r.channel_url as string,
      name: r.name as string,
      custom_type: (r.custom_type as string | null) ?? null,
      data: json(r.data) as Record<string, unknown>,
      provider: r.provider as ProviderName,
      created_at: r.created_at as string,
      last_seq: Number(r.last_seq),
      member_count: Number(r.member_count),
      last_activity_at: r.last_activity_at as string,
    }),
    message: (r) => ({
      message_id: r.message_id as string,
      channel_url: r.channel_url as string,
      seq: Number(r.seq),
      type: r.type as MessageType,
      user_id: (r.user_id as string | null) ?? null,
      message: r.message as string,
      custom_type: (r.custom_type as string | null) ?? null,
      data: json(r.data) as Record<string, unknown> | null,
      file: json(r.file) as FileInfo | null,
      req_id: (r.req_id as string | null) ?? null,
      created_at: r.created_at as string,
      edited_at: (r.edited_at as string | null) ?? null,
      deleted: bool(r.deleted),
      target_seq: r.target_seq === null || r.target_seq === undefined ? null : Number(r.target_seq),
      target_message_id: (r.target_message_id as string | null) ?? null,
    }),
    file: (r) => ({
      file_id: r.file_id as string,
      channel_url: r.channel_url as string,
      user_id: (r.user_id as string | null) ?? null,
      name: r.name as string,
      size: Number(r.size),
      mime_type: r.mime_type as string,
      width: r.width === null ? null : Number(r.width),
      height: r.height === null ? null : Number(r.height),
      storage_key: r.storage_key as string,
      thumbnail_key: (r.thumbnail_key as string | null) ?? null,
      created_at: r.created_at as string,
    }),
  };
}

/** Picks `prefix`+column fields out of a joined row, as an unprefixed row. */
export function unprefix(r: Row, prefix: string, columns: readonly string[]): Row {
  const out: Row = {};
  for (const c of columns) out[c] = r[prefix + c];
  return out;
}

// A JSON escape of NUL not itself escaped: an even run of backslashes (maybe none) before `\u0000`.
const JSON_NUL = /(?<!\\)(?:\\\\)*\\u0000/;

function refuseNul(what: string): never {
  throw new StoreError("INVALID_DATA", `${what} contains NUL (U+0000), which cannot be stored`);
}

/** PostgreSQL cannot keep NUL in text or jsonb: refused there, clearly and not as a retry. */
function checkText(what: string, v: string | null | undefined): void {
  if (v && v.indexOf("\u0000") !== -1) refuseNul(what);
}

function toJson(what: string, v: unknown, nulOk: boolean): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    throw new StoreError("INVALID_DATA", `${what} cannot be serialised`, { cause: e });
  }
  if (text === undefined) throw new StoreError("INVALID_DATA", `${what} cannot be serialised`);
  if (!nulOk && text.indexOf("\\u0000") !== -1 && JSON_NUL.test(text)) refuseNul(what);
  return text;
}

/** Validates and serialises a message before it is queued, so one bad message fails alone. */
export function encodeMessage(input: NewMessage, codec: Codec): EncodedMessage {
  codec.checkText("message", input.message);
  codec.checkText("custom_type", input.custom_type);
  codec.checkText("req_id", input.req_id);
  codec.checkText("user_id", input.user_id);
  codec.checkText("message_id", input.message_id);
  return {
    input,
    message: newStoredMessage(input),
    dataJson: input.data ? codec.toJson("data", input.data) : null,
    fileJson: input.file ? codec.toJson("file", input.file) : null,
  };
}
