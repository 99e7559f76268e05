import { createHash, randomBytes } from "node:crypto";
import { AwsClient } from "aws4fetch";
import { type FileStorage, FileStorageError, assertStorageFolder, assertStorageKey } from "./file-storage.ts";

export interface S3FileStorageOptions {
  /** Service URL, e.g. `http://127.0.0.1:9000` (MinIO) or `https://<account>.r2.cloudflarestorage.com`; default AWS S3 of `region`. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** `endpoint/bucket/key` instead of `bucket.endpoint/key` (MinIO, emulators, most self-hosted services). */
  forcePathStyle: boolean;
  /** Prepended to every key (normalised to end with `/`); "" = the bucket's root. */
  prefix: string;
  /** Per request, ms (a hung connection fails the upload instead of holding it). */
  timeoutMs?: number;
  /** Extra attempts after a 5xx/429 answer (with backoff). */
  retries?: number;
  /** Keys per listing page (S3's maximum, 1000, unless a test wants several pages). */
  listPageSize?: number;
}

/** S3 caps DeleteObjects at 1000 keys per request. */
const DELETE_BATCH = 1000;

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
function xmlText(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === "#")
      return String.fromCodePoint(
        e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)),
      );
    return XML_ENTITIES[e] ?? m;
  });
}
const xmlEscape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const tag = (xml: string, name: string) => {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? xmlText(m[1]!) : undefined;
};
const tags = (xml: string, name: string) =>
  [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, "g"))].map((m) => xmlText(m[1]!));

/** What an S3 error answer said: its code (NoSuchBucket, AccessDenied …) and message. */
async function s3Error(res: Response): Promise<{ status: number; code: string; message: string }> {
  let body = "";
  try {
    body = await res.text();
  } catch {}
  return {
    status: res.status,
    code: tag(body, "Code") ?? `HTTP ${res.status}`,
    message: tag(body, "Message") ?? res.statusText,
  };
}

/**
 * Files in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, …), signed with AWS Signature V4
 * (aws4fetch over Node's fetch). Key `folder/file` is the object `prefix + folder/file`. A PUT is
 * atomic on S3: an object is visible whole or not at all, so a failed upload leaves nothing.
 */
export function createS3FileStorage(options: S3FileStorageOptions): FileStorage {
  const { bucket, region } = options;
  const prefix =
    options.prefix === "" || options.prefix.endsWith("/") ? options.prefix : `${options.prefix}/`;
  const endpoint = new URL(options.endpoint ?? `https://s3.${region}.amazonaws.com`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const client = new AwsClient({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    service: "s3",
    region,
    retries: options.retries ?? 2,
    initRetryMs: 100,
  });
  const base = endpoint.origin + endpoint.pathname.replace(/\/$/, "");
  /** The bucket's URL (ends without `/`). */
  const bucketUrl = options.forcePathStyle
    ? `${base}/${encodeURIComponent(bucket)}`
    : `${endpoint.protocol}//${bucket}.${endpoint.host}${endpoint.pathname.replace(/\/$/, "")}`;
  const objectUrl = (objectKey: string) =>
    `${bucketUrl}/${objectKey.split("/").map(encodeURIComponent).join("/")}`;
  const location = `s3://${bucket}/${prefix} at ${endpoint.origin}`;
  const where = `S3 bucket "${bucket}" at ${endpoint.origin}`;

  async function send(url: string, init: RequestInit & { what: string }): Promise<Response> {
    const { what, ...rest } = init;
    try {
      return await client.fetch(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why =
        (e as Error).name === "TimeoutError"
          ? `no answer within ${timeoutMs} ms`
          : (cause?.code ?? cause?.message ?? (e as Error).message);
      throw new FileStorageError(`file storage (${where}): ${what} failed: cannot reach it (${why})`, {
        cause: e,
      });
    }
  }

  /** An operator-readable reason for an S3 error answer. */
  function explain(what: string, e: { status: number; code: string; message: string }): FileStorageError {
    let hint = "";
    if (e.code === "NoSuchBucket" || (e.status === 404 && e.code.startsWith("HTTP")))
      hint = `: the bucket "${bucket}" does not exist (create it, or fix uploads.s3.bucket)`;
    else if (e.code === "InvalidAccessKeyId")
      hint = `: access key id "${options.accessKeyId}" is unknown to ${endpoint.origin} (uploads.s3.access_key_id)`;
    else if (e.code === "SignatureDoesNotMatch")
      hint = ": the secret access key does not match the access key id (uploads.s3.secret_access_key)";
    else if (e.status === 403)
      hint = `: access denied for access key id "${options.accessKeyId}" (wrong credentials, or no permission on the bucket)`;
    else if (e.status === 301 || e.code === "PermanentRedirect" || e.code === "AuthorizationHeaderMalformed")
      hint = `: the bucket is not in region "${region}" or needs another endpoint (uploads.s3.region / endpoint)`;
    return new FileStorageError(
      `file storage (${where}): ${what} failed with ${e.status} ${e.code}${hint}${e.message && !hint ? ` (${e.message})` : ""}`,
    );
  }

  async function expectOk(res: Response, what: string, okStatuses: number[] = []): Promise<void> {
    if (res.ok || okStatuses.includes(res.status)) {
      await res.body?.cancel();
      return;
    }
    throw explain(what, await s3Error(res));
  }

  async function deleteOne(objectKey: string): Promise<void> {
    const res = await send(objectUrl(objectKey), { method: "DELETE", what: `deleting ${objectKey}` });
    // 404 NoSuchKey: already gone, which is what was asked.
    if (res.status === 404) {
      const e = await s3Error(res);
      if (e.code === "NoSuchKey") return;
      throw explain(`deleting ${objectKey}`, e);
    }
    await expectOk(res, `deleting ${objectKey}`);
  }

  /** DeleteObjects for one batch; false when the service does not take it (then keys go one by one). */
  async function deleteBatch(keys: string[]): Promise<boolean> {
    const body = `<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>${keys
      .map((k) => `<Object><Key>${xmlEscape(k)}</Key></Object>`)
      .join("")}</Delete>`;
    const res = await send(`${bucketUrl}?delete`, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/xml",
        "Content-MD5": createHash("md5").update(body).digest("base64"),
      },
      what: "deleting objects",
    });
    if (!res.ok) {
      const e = await s3Error(res);
      if (e.status === 403 || e.code === "NoSuchBucket") throw explain("deleting objects", e);
      return false;
    }
    const answer = await res.text();
    const failed = tags(answer, "Error");
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new FileStorageError(
        `file storage (${where}): deleting ${failed.length} object(s) failed: ${tag(first, "Key")} ${tag(first, "Code")} (${tag(first, "Message") ?? ""})`,
      );
    }
    return true;
  }

  /** The first page of keys under `keyPrefix`, and whether there are more. */
  async function listPage(keyPrefix: string): Promise<{ keys: string[]; more: boolean }> {
    // ListObjects (v1) without a marker: deleteFolder lists, deletes what it got, and lists again
    // from the start, so it never needs a continuation token (and v1 is what every S3-compatible
    // service speaks).
    const q = new URLSearchParams({ prefix: keyPrefix, "max-keys": String(options.listPageSize ?? 1000) });
    const res = await send(`${bucketUrl}?${q}`, { method: "GET", what: `listing ${keyPrefix}` });
    if (!res.ok) throw explain(`listing ${keyPrefix}`, await s3Error(res));
    const xml = await res.text();
    const keys = tags(xml, "Contents").flatMap((c) => tag(c, "Key") ?? []);
    return { keys, more: tag(xml, "IsTruncated") === "true" };
  }

  async function get(key: string): Promise<Response | null> {
    assertStorageKey(key);
    const res = await send(objectUrl(prefix + key), { method: "GET", what: `reading ${key}` });
    if (res.status === 404) {
      const e = await s3Error(res);
      if (e.code === "NoSuchKey") return null;
      throw explain(`reading ${key}`, e);
    }
    if (!res.ok) throw explain(`reading ${key}`, await s3Error(res));
    return res;
  }

  return {
    driver: "s3",
    location,
    async check() {
      const head = await send(bucketUrl, { method: "HEAD", what: "checking the bucket" });
      if (!head.ok) {
        // HEAD answers carry no error body: the status says which.
        const region = head.headers.get("x-amz-bucket-region");
        throw explain("checking the bucket", {
          status: head.status,
          code: head.status === 404 ? "NoSuchBucket" : `HTTP ${head.status}`,
          message: region ? `the bucket is in ${region}` : "",
        });
      }
      // Reading a bucket is not writing to it: put and delete a probe object too.
      const probe = `${prefix}_podchat-write-check-${randomBytes(6).toString("hex")}`;
      await expectOk(
        await send(objectUrl(probe), {
          method: "PUT",
          body: "ok",
          headers: { "Content-Type": "text/plain" },
          what: "writing a probe object",
        }),
        "writing a probe object",
      );
      await deleteOne(probe);
    },
    async put(key, data, contentType) {
      assertStorageKey(key);
      const res = await send(objectUrl(prefix + key), {
        method: "PUT",
        body: data as Uint8Array<ArrayBuffer>,
        headers: { "Content-Type": contentType ?? "application/octet-stream" },
        what: `storing ${key}`,
      });
      await expectOk(res, `storing ${key}`);
    },
    async get(key) {
      const res = await get(key);
      return res ? Buffer.from(await res.arrayBuffer()) : null;
    },
    async open(key) {
      const res = await get(key);
      if (!res?.body) return null;
      const size = Number(res.headers.get("content-length"));
      if (!Number.isFinite(size)) {
        const bytes = new Uint8Array(await res.arrayBuffer());
        return { size: bytes.byteLength, body: new Blob([bytes]).stream() };
      }
      return { size, body: res.body };
    },
    async delete(key) {
      assertStorageKey(key);
      await deleteOne(prefix + key);
    },
    async deleteFolder(folder) {
      assertStorageFolder(folder);
      const seen = new Set<string>();
      let removed = 0;
      for (;;) {
        const page = await listPage(`${prefix}${folder}/`);
        const fresh = page.keys.filter((k) => !seen.has(k));
        if (fresh.length === 0) {
          if (page.keys.length > 0)
            throw new FileStorageError(
              `file storage (${where}): ${page.keys.length} object(s) under ${prefix}${folder}/ stay listed after being deleted`,
            );
          return removed;
        }
        for (let i = 0; i < fresh.length; i += DELETE_BATCH) {
          const batch = fresh.slice(i, i + DELETE_BATCH);
          // Some S3-compatible services have no multi-object delete: then one DELETE per key.
          if (!(await deleteBatch(batch))) for (const k of batch) await deleteOne(k);
        }
        for (const k of fresh) seen.add(k);
        removed += fresh.length;
        if (!page.more) return removed;
      }
    },
    async close() {},
  };
}
