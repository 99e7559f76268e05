import { randomUUID } from "node:crypto";
import { ChannelUrl, ErrorCode, UploadResponse } from "@podchat/protocol";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AuthError, type TokenVerifier } from "../../auth/token-verifier.ts";
import { ChatError } from "../../chat/chat-error.ts";
import type { ChatService } from "../../chat/chat-service.ts";
import type { Config } from "../../config/index.ts";
import { uploadKeys } from "../../files/file-janitor.ts";
import { type FileStorage, FileStorageError } from "../../files/file-storage.ts";
import { inspectUpload } from "../../files/inspect-upload.ts";
import type { MessageStore, StoredFile } from "../../store/message-store.ts";
import { audit } from "../audit.ts";
import { validationError } from "../errors.ts";
import { auth, describeRoute, errors, jsonResponse, param } from "../openapi/index.ts";
import { type AppEnv, isPrivileged, requireUserOrPrivileged } from "../principal.ts";
import { downloadHeaders } from "./download-headers.ts";

export interface FileRoutesDeps {
  chat: ChatService;
  store: MessageStore;
  storage: FileStorage;
  verifier: TokenVerifier;
  config: Config;
}

/** Room for the multipart framing around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;
const FILE_ID = /^[0-9a-f-]{36}$/;

/** A storage failure answers 503 with what the storage said (the operator's clue); others pass. */
async function storageCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FileStorageError)
      throw new ChatError(ErrorCode.STORE_UNAVAILABLE, `${what}: ${e.message}`, { status: 503, cause: e });
    throw e;
  }
}

/**
 * Uploads (`POST /api/v1/chat/channels/{url}/files`) and downloads (`GET /api/v1/chat/files/{id}`
 * and `/thumbnail`), members only. An upload is fully checked in memory before anything is written,
 * so a refused one leaves nothing behind. Downloads stream the bytes through this server after the
 * membership check, whatever the storage (the bucket is never exposed, nor a pre-signed URL).
 */
export function fileRoutes(d: FileRoutesDeps) {
  const app = new Hono<AppEnv>();
  const { uploads } = d.config;

  app.post(
    "/channels/:channel_url/files",
    describeRoute({
      summary: "Upload a file for a FILE/IMAGE message (member token or API key)",
      description:
        "multipart/form-data with the field `file`. Checked against uploads.max_bytes, uploads.allowed_types and its real content before anything is stored; images get a thumbnail.",
      tags: ["files"],
      security: auth.chat,
      parameters: [param.channelUrl],
      requestBody: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: {
              type: "object",
              properties: { file: { type: "string", format: "binary" } },
              required: ["file"],
            },
          },
        },
      },
      responses: {
        201: jsonResponse(UploadResponse, "The FileInfo to send in a FILE/IMAGE message"),
        ...errors(
          400,
          401,
          [403, "NOT_MEMBER, BANNED, MUTED or FROZEN"],
          [404, "CHANNEL_NOT_FOUND"],
          [413, "FILE_TOO_LARGE: over uploads.max_bytes"],
          [415, "UNSUPPORTED_MEDIA_TYPE, or CONTENT_MISMATCH: the bytes are not what the type claims"],
          [503, "STORE_UNAVAILABLE: the file storage refused or cannot be reached"],
        ),
      },
    }),
    bodyLimit({
      maxSize: uploads.max_bytes + MULTIPART_OVERHEAD,
      onError: (c) => {
        c.header("Connection", "close");
        throw new ChatError(ErrorCode.FILE_TOO_LARGE, `files may be at most ${uploads.max_bytes} bytes`);
      },
    }),
    async (c) => {
      const parsedUrl = ChannelUrl.safeParse(c.req.param("channel_url"));
      if (!parsedUrl.success) throw validationError(parsedUrl.error, "channel_url");
      const url = parsedUrl.data;
      const userId = requireUserOrPrivileged(c);
      const meta = await d.chat.getChannelMetadata(url);
      if (!meta) throw new ChatError(ErrorCode.CHANNEL_NOT_FOUND, `channel ${url} does not exist`);
      if (userId !== null) {
        if (!(await d.chat.isMember(url, userId)))
          throw new ChatError(ErrorCode.NOT_MEMBER, `you are not a member of ${url}`);
        await d.chat.assertMaySend(url, userId);
      }
      let form: FormData;
      try {
        form = await c.req.formData();
      } catch {
        throw new ChatError(ErrorCode.VALIDATION_FAILED, "the body must be multipart/form-data", {
          status: 400,
        });
      }
      const file = form.get("file");
      if (!(file instanceof File))
        throw new ChatError(ErrorCode.VALIDATION_FAILED, "the form needs a `file` field", {
          field: "file",
          status: 400,
        });
      if (file.size > uploads.max_bytes)
        throw new ChatError(ErrorCode.FILE_TOO_LARGE, `files may be at most ${uploads.max_bytes} bytes`);
      if (file.size === 0)
        throw new ChatError(ErrorCode.VALIDATION_FAILED, "the file is empty", { field: "file", status: 400 });
      const data = new Uint8Array(await file.arrayBuffer());
      const info = await inspectUpload(
        { name: file.name, declaredType: file.type, data },
        {
          allowedTypes: uploads.allowed_types,
          thumbnailPx: uploads.thumbnail_px,
          stripMetadata: uploads.strip_image_metadata,
        },
      );
      const bytes = info.data ?? data;

      const id = randomUUID();
      const keys = uploadKeys(url, id);
      const stored: StoredFile = {
        file_id: id,
        channel_url: url,
        user_id: userId,
        name: info.name,
        size: info.size,
        mime_type: info.mime_type,
        width: info.width ?? null,
        height: info.height ?? null,
        storage_key: keys.file,
        thumbnail_key: info.thumbnail ? keys.thumbnail : null,
        created_at: new Date().toISOString(),
      };
      try {
        await storageCall("the upload could not be stored", async () => {
          await d.storage.put(stored.storage_key, bytes, info.mime_type);
          if (info.thumbnail && stored.thumbnail_key)
            await d.storage.put(stored.thumbnail_key, info.thumbnail.data, info.thumbnail.mime_type);
        });
        await d.store.saveFile(stored);
      } catch (e) {
        // Nothing half-stored: neither bytes without metadata nor a file without its thumbnail.
        await d.storage.delete(stored.storage_key).catch(() => {});
        if (stored.thumbnail_key) await d.storage.delete(stored.thumbnail_key).catch(() => {});
        throw e;
      }
      const base = (d.config.server.public_url ?? new URL(c.req.url).origin).replace(/\/$/, "");
      const out: UploadResponse = {
        url: `${base}/api/v1/chat/files/${id}`,
        name: info.name,
        size: info.size,
        mime_type: info.mime_type,
      };
      if (info.width !== undefined) out.width = info.width;
      if (info.height !== undefined) out.height = info.height;
      if (stored.thumbnail_key) out.thumbnail_url = `${out.url}/thumbnail`;
      // A member's upload is chat traffic (it precedes its FILE message); a backend's is audited.
      if (userId === null)
        await audit(c, {
          action: "file.upload",
          target: { channel_url: url },
          after: { file_id: id, name: info.name, size: info.size, mime_type: info.mime_type },
        });
      return c.json(out, 201);
    },
  );

  /** The caller may read the file: privileged, or a member of its channel (Bearer or `?token=`). */
  async function authorizeDownload(c: Parameters<typeof requireUserOrPrivileged>[0], f: StoredFile) {
    let p = c.get("principal");
    const queryToken = c.req.query("token");
    if (p.kind === "anonymous" && queryToken) {
      try {
        const v = await d.verifier.verify(queryToken);
        p = { kind: "user", userId: v.userId, isAdmin: v.isAdmin };
      } catch (e) {
        if (e instanceof AuthError) throw new ChatError(ErrorCode.UNAUTHORIZED, e.message);
        throw e;
      }
    }
    if (p.kind === "anonymous")
      throw new ChatError(ErrorCode.UNAUTHORIZED, "a bearer token, ?token= or an API key is required");
    if (p.kind !== "user" || isPrivileged(p)) return;
    if (!(await d.chat.isMember(f.channel_url, p.userId)))
      throw new ChatError(ErrorCode.NOT_MEMBER, "you are not a member of the file's channel");
  }

  const serve = (thumbnail: boolean) => async (c: Parameters<typeof requireUserOrPrivileged>[0]) => {
    const id = c.req.param("id") ?? "";
    const f = FILE_ID.test(id) ? await d.store.getFile(id) : null;
    if (!f) throw new ChatError(ErrorCode.NOT_FOUND, "no such file");
    await authorizeDownload(c, f);
    const key = thumbnail ? f.thumbnail_key : f.storage_key;
    if (!key) throw new ChatError(ErrorCode.NOT_FOUND, "this file has no thumbnail");
    const obj = await storageCall("the file could not be read", () => d.storage.open(key));
    // Known, but the bytes are gone: its FILE/IMAGE message was deleted.
    if (!obj) throw new ChatError(ErrorCode.NOT_FOUND, "this file was deleted", { status: 410 });
    // A thumbnail is the image's own type, so it gets the same headers (and is always inline).
    return c.body(obj.body, 200, downloadHeaders(f.mime_type, f.name, obj.size));
  };
  const download = (summary: string) =>
    describeRoute({
      summary,
      description:
        "Streams the bytes after the membership check. PNG, JPEG, GIF and WebP are served inline, anything else (SVG and HTML included) as an attachment; every download carries `X-Content-Type-Options: nosniff` and `Content-Security-Policy: default-src 'none'; sandbox`.",
      tags: ["files"],
      security: auth.download,
      parameters: [param.fileId],
      responses: {
        200: {
          description: "The bytes, with their Content-Type",
          content: { "*/*": { schema: { type: "string", format: "binary" } } },
        },
        ...errors(
          401,
          [403, "NOT_MEMBER of the file's channel"],
          [404, "NOT_FOUND: no such file (or no thumbnail)"],
          [410, "The file was deleted with its FILE/IMAGE message"],
          [503, "STORE_UNAVAILABLE: the file storage cannot be read"],
        ),
      },
    });
  app.get("/files/:id", download("Download an uploaded file"), serve(false));
  app.get("/files/:id/thumbnail", download("Download an image's thumbnail"), serve(true));
  return app;
}
