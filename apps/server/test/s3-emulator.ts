import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

/** The emulator's one account (s3rver checks access key ids; it does not verify V4 signatures). */
export const EMULATOR_ACCESS_KEY_ID = "S3RVER";
export const EMULATOR_SECRET = "S3RVER";

export interface S3Emulator {
  /** `http://127.0.0.1:{port}` */
  endpoint: string;
  bucket: string;
  /** The `uploads` config for a podchat server storing in this emulator's bucket under `prefix`. */
  uploadsConfig(prefix?: string): Record<string, unknown>;
  /** Every object key in the bucket (raw S3 keys, prefix included), sorted. */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * An S3 emulator (s3rver) in this process on 127.0.0.1, a free port, a temp folder, with one empty
 * bucket. No S3 service is reachable from the tests: this stands in for one.
 */
export async function startS3Emulator(bucket = "podchat-test"): Promise<S3Emulator> {
  const directory = mkdtempSync(join(tmpdir(), "podchat-s3-emulator-"));
  const emulator = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await emulator.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    uploadsConfig: (prefix = "") => ({
      driver: "s3",
      s3: {
        endpoint,
        region: "us-east-1",
        bucket,
        access_key_id: EMULATOR_ACCESS_KEY_ID,
        secret_access_key: EMULATOR_SECRET,
        force_path_style: true,
        prefix,
      },
    }),
    async keys() {
      const res = await fetch(`${endpoint}/${bucket}?list-type=2&max-keys=1000`);
      const xml = await res.text();
      if (!res.ok) throw new Error(`listing the emulator's bucket failed: ${res.status} ${xml}`);
      return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!).sort();
    },
    async close() {
      await emulator.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
