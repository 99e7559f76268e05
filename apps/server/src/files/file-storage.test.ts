import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EMULATOR_ACCESS_KEY_ID,
  EMULATOR_SECRET,
  type S3Emulator,
  startS3Emulator,
} from "../../test/s3-emulator.ts";
import type { FileStorage } from "./file-storage.ts";
import { createLocalFileStorage } from "./local-file-storage.ts";
import { createS3FileStorage } from "./s3-file-storage.ts";

let emulator: S3Emulator;
beforeAll(async () => {
  emulator = await startS3Emulator("contract");
});
afterAll(() => emulator.close());

const s3 = (prefix: string, listPageSize?: number) =>
  createS3FileStorage({
    ...(listPageSize ? { listPageSize } : {}),
    endpoint: emulator.endpoint,
    region: "us-east-1",
    bucket: emulator.bucket,
    accessKeyId: EMULATOR_ACCESS_KEY_ID,
    secretAccessKey: EMULATOR_SECRET,
    forcePathStyle: true,
    prefix,
  });

const storages: Array<{ name: string; make: () => FileStorage }> = [
  {
    name: "local disk",
    make: () => createLocalFileStorage({ dir: mkdtempSync(join(tmpdir(), "podchat-fs-")) }),
  },
  { name: "S3 (emulator)", make: () => s3("contract-a") },
];

describe.each(storages)("FileStorage contract: $name", ({ make }) => {
  let storage: FileStorage;
  beforeAll(async () => {
    storage = make();
    await storage.check();
  });

  it("puts, gets and streams bytes; a missing key is null", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, ...Buffer.from("podchat")]);
    await storage.put("folder1/a", bytes, "application/octet-stream");
    expect((await storage.get("folder1/a"))?.equals(bytes)).toBe(true);
    const obj = await storage.open("folder1/a");
    expect(obj?.size).toBe(bytes.length);
    expect(Buffer.from(await new Response(obj!.body).arrayBuffer()).equals(bytes)).toBe(true);
    expect(await storage.get("folder1/missing")).toBeNull();
    expect(await storage.open("folder1/missing")).toBeNull();
  });

  it("replaces a key's bytes on a second put", async () => {
    await storage.put("folder1/b", Buffer.from("one"));
    await storage.put("folder1/b", Buffer.from("two"));
    expect((await storage.get("folder1/b"))?.toString()).toBe("two");
  });

  it("deletes a key (twice is fine) and a whole folder, leaving other folders", async () => {
    await storage.put("folder2/x", Buffer.from("x"));
    await storage.put("folder2/x.thumb", Buffer.from("t"));
    await storage.put("folder3/y", Buffer.from("y"));
    await storage.delete("folder2/x.thumb");
    await storage.delete("folder2/x.thumb");
    expect(await storage.get("folder2/x.thumb")).toBeNull();
    await storage.put("folder2/z", Buffer.from("z"));
    expect(await storage.deleteFolder("folder2")).toBe(2);
    expect(await storage.get("folder2/x")).toBeNull();
    expect(await storage.get("folder2/z")).toBeNull();
    expect((await storage.get("folder3/y"))?.toString()).toBe("y");
    expect(await storage.deleteFolder("folder2")).toBe(0);
    expect(await storage.deleteFolder("never-used")).toBe(0);
  });

  it("refuses keys that could escape its folder or bucket prefix", async () => {
    for (const bad of ["../x", "a/../b", "/abs", "a/b/c", ".hidden", "a\\b", "", "a//b"]) {
      await expect(storage.put(bad, Buffer.from("x")), bad).rejects.toThrow(/invalid storage key/);
    }
    await expect(storage.deleteFolder("..")).rejects.toThrow(/invalid storage folder/);
  });
});

describe("S3 file storage on the S3 emulator", () => {
  it("keeps objects under its prefix (a '/' is added) and never touches another prefix", async () => {
    const a = s3("tenant-a");
    const b = s3("tenant-b/");
    await a.put("f/1", Buffer.from("a1"), "text/plain");
    await b.put("f/1", Buffer.from("b1"), "text/plain");
    const keys = await emulator.keys();
    expect(keys).toEqual(expect.arrayContaining(["tenant-a/f/1", "tenant-b/f/1"]));
    expect(await a.deleteFolder("f")).toBe(1);
    expect((await b.get("f/1"))?.toString()).toBe("b1");
    expect(await emulator.keys()).not.toContain("tenant-a/f/1");
    // The object carries the content type it was stored with.
    const res = await fetch(`${emulator.endpoint}/${emulator.bucket}/tenant-b/f/1`);
    expect(res.headers.get("content-type")).toBe("text/plain");
  });

  it("deletes folders larger than one listing page", async () => {
    const storage = s3("many", 7);
    for (let i = 0; i < 30; i++) await storage.put(`big/${i}`, Buffer.from(String(i)));
    expect(await storage.deleteFolder("big")).toBe(30);
    expect((await emulator.keys()).filter((k) => k.startsWith("many/"))).toEqual([]);
  });

  it("says which bucket and which credential is wrong, and that it cannot reach the endpoint", async () => {
    const wrongKey = createS3FileStorage({
      endpoint: emulator.endpoint,
      region: "us-east-1",
      bucket: emulator.bucket,
      accessKeyId: "NOT-A-KEY",
      secretAccessKey: "x",
      forcePathStyle: true,
      prefix: "",
    });
    await expect(wrongKey.check()).rejects.toThrow(/access denied for access key id "NOT-A-KEY"/);
    await expect(wrongKey.put("f/x", Buffer.from("x"))).rejects.toThrow(
      /InvalidAccessKeyId: access key id "NOT-A-KEY" is unknown/,
    );
    const noBucket = createS3FileStorage({
      endpoint: emulator.endpoint,
      region: "us-east-1",
      bucket: "no-such-bucket",
      accessKeyId: EMULATOR_ACCESS_KEY_ID,
      secretAccessKey: EMULATOR_SECRET,
      forcePathStyle: true,
      prefix: "",
    });
    await expect(noBucket.check()).rejects.toThrow(/the bucket "no-such-bucket" does not exist/);
    await expect(noBucket.get("f/x")).rejects.toThrow(/NoSuchBucket/);
    const closed = await startS3Emulator("gone");
    await closed.close();
    const unreachable = createS3FileStorage({
      endpoint: closed.endpoint,
      region: "us-east-1",
      bucket: "gone",
      accessKeyId: EMULATOR_ACCESS_KEY_ID,
      secretAccessKey: EMULATOR_SECRET,
      forcePathStyle: true,
      prefix: "",
      timeoutMs: 2000,
    });
    await expect(unreachable.check()).rejects.toThrow(/cannot reach it \(ECONNREFUSED\)/);
  });
});
