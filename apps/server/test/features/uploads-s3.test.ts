import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelFolder } from "../../src/files/file-janitor.ts";
import { type FileStorage, FileStorageError } from "../../src/files/file-storage.ts";
import { createS3FileStorage } from "../../src/files/s3-file-storage.ts";
import { type TestServer, createChannel, startServer, token } from "../harness.ts";
import { png } from "../image-fixtures.ts";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET, type S3Emulator, startS3Emulator } from "../s3-emulator.ts";

/** S3-only behaviour of uploads; the shared upload suite (uploads.test.ts) runs on the emulator too. */
describe("uploads on S3-compatible storage (against the S3 emulator)", () => {
  let s3: S3Emulator;
  beforeAll(async () => {
    s3 = await startS3Emulator();
  });
  afterAll(() => s3.close());

  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const t of servers) await t.close();
  });
  async function serve(options: Parameters<typeof startServer>[0] = {}) {
    const t = await startServer(options);
    servers.push(t);
    return t;
  }
  function upload(t: TestServer, url: string, bytes: Uint8Array, name = "p.png", type = "image/png") {
    const form = new FormData();
    form.set("file", new File([new Uint8Array(bytes)], name, { type }));
    return t.api(`/api/v1/chat/channels/${url}/files`, { method: "POST", body: form });
  }
  const s3Storage = (over: Partial<Parameters<typeof createS3FileStorage>[0]> = {}) =>
    createS3FileStorage({
      endpoint: s3.endpoint,
      region: "us-east-1",
      bucket: s3.bucket,
      accessKeyId: EMULATOR_ACCESS_KEY_ID,
      secretAccessKey: EMULATOR_SECRET,
      forcePathStyle: true,
      prefix: "",
      ...over,
    });

  it("puts the file and its thumbnail in the bucket under the configured prefix, with their types", async () => {
    const t = await serve({ overrides: { uploads: s3.uploadsConfig("tenant-7/podchat") } });
    await createChannel(t, "s3_room", ["1"]);
    const bytes = await png(500, 250);
    const res = await upload(t, "s3_room", bytes);
    expect(res.status).toBe(201);
    const info = await res.json();
    const id = new URL(info.url).pathname.split("/").pop();
    const base = `tenant-7/podchat/${channelFolder("s3_room")}/${id}`;
    expect((await s3.keys()).filter((k) => k.startsWith("tenant-7/"))).toEqual([base, `${base}.thumb`]);
    // Straight from the bucket (the emulator serves anonymous reads): the same bytes, typed.
    const obj = await fetch(`${s3.endpoint}/${s3.bucket}/${base}`);
    expect(obj.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await obj.arrayBuffer()).equals(bytes)).toBe(true);
    const thumb = await fetch(`${s3.endpoint}/${s3.bucket}/${base}.thumb`);
    expect(thumb.headers.get("content-type")).toBe("image/png");
    // Through podchat, after the membership check.
    const dl = await fetch(info.url, { headers: { Authorization: `Bearer ${await token("1")}` } });
    expect(Buffer.from(await dl.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(info.url, { headers: { Authorization: `Bearer ${await token("2")}` } })).status).toBe(
      403,
    );
  });

  it("refuses to start with wrong credentials, a missing bucket or an unreachable endpoint, saying which", async () => {
    const before = await s3.keys();
    const cfg = s3.uploadsConfig() as { driver: string; s3: Record<string, unknown> };
    const attempt = (s3Over: Record<string, unknown>) =>
      startServer({ overrides: { uploads: { ...cfg, s3: { ...cfg.s3, ...s3Over } } } });
    await expect(attempt({ access_key_id: "WRONG-KEY" })).rejects.toThrow(
      /file storage \(S3 bucket "podchat-test" at http:\/\/127\.0\.0\.1:\d+\): checking the bucket failed with 403.*access key id "WRONG-KEY"/,
    );
    await expect(attempt({ bucket: "missing-bucket" })).rejects.toThrow(
      /the bucket "missing-bucket" does not exist/,
    );
    const gone = await startS3Emulator("gone");
    await gone.close();
    await expect(attempt({ endpoint: gone.endpoint })).rejects.toBeInstanceOf(FileStorageError);
    await expect(attempt({ endpoint: gone.endpoint })).rejects.toThrow(/cannot reach it \(ECONNREFUSED\)/);
    // The start-up probe object is gone again.
    expect(await s3.keys()).toEqual(before);
  });

  it("answers 503 with the storage's reason when the bucket refuses an upload, and stores nothing", async () => {
    // Credentials that stop working after start-up (rotated, revoked): the check passed, puts fail.
    const revoked: FileStorage = { ...s3Storage({ accessKeyId: "REVOKED" }), check: async () => {} };
    const t = await serve({ extra: { fileStorage: revoked } });
    await createChannel(t, "revoked_room", ["1"]);
    const before = await s3.keys();
    const res = await upload(t, "revoked_room", await png(64, 64));
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.error.code).toBe("STORE_UNAVAILABLE");
    expect(body.error.message).toMatch(/the upload could not be stored: .*InvalidAccessKeyId.*"REVOKED"/);
    expect(await s3.keys()).toEqual(before);
  });

  it("removes the file when its thumbnail cannot be stored (nothing half-stored)", async () => {
    const real = s3Storage({ prefix: "half" });
    const failing: FileStorage = {
      ...real,
      async put(key, data, type) {
        if (key.endsWith(".thumb"))
          throw new FileStorageError("file storage: simulated failure storing a thumbnail");
        return real.put(key, data, type);
      },
    };
    const t = await serve({ extra: { fileStorage: failing } });
    await createChannel(t, "half_room", ["1"]);
    const res = await upload(t, "half_room", await png(64, 64));
    expect(res.status).toBe(503);
    expect((await res.json()).error.message).toMatch(/simulated failure/);
    expect((await s3.keys()).filter((k) => k.startsWith("half/"))).toEqual([]);
    // A PDF has no thumbnail: it goes through.
    const pdf = Buffer.from("%PDF-1.4\n%%EOF\n");
    expect((await upload(t, "half_room", pdf, "a.pdf", "application/pdf")).status).toBe(201);
    expect((await s3.keys()).filter((k) => k.startsWith("half/"))).toHaveLength(1);
  });

  it("answers 503 for downloads and uploads while the storage is unreachable", async () => {
    const own = await startS3Emulator("flaky");
    const t = await serve({ overrides: { uploads: own.uploadsConfig() } });
    await createChannel(t, "flaky_room", ["1"]);
    const info = await (await upload(t, "flaky_room", await png(32, 32))).json();
    expect((await t.api(new URL(info.url).pathname)).status).toBe(200);
    await own.close();
    const dl = await t.api(new URL(info.url).pathname);
    expect(dl.status).toBe(503);
    expect((await dl.json()).error.message).toMatch(/the file could not be read: .*cannot reach it/);
    expect((await upload(t, "flaky_room", await png(32, 32))).status).toBe(503);
  });
});
