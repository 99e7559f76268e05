import type { Config } from "../config/index.ts";
import type { FileStorage } from "./file-storage.ts";
import { createLocalFileStorage } from "./local-file-storage.ts";
import { createS3FileStorage } from "./s3-file-storage.ts";

/** The file storage `uploads.driver` selects (local disk by default). Not checked yet: call `check()`. */
export function createFileStorageFromConfig(config: Config): FileStorage {
  const { uploads } = config;
  if (uploads.driver === "local") return createLocalFileStorage({ dir: uploads.dir });
  const s3 = uploads.s3;
  // loadConfig guarantees bucket and both keys when the driver is s3.
  return createS3FileStorage({
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    region: s3.region,
    bucket: s3.bucket!,
    accessKeyId: s3.access_key_id!,
    secretAccessKey: s3.secret_access_key!,
    ...(s3.session_token ? { sessionToken: s3.session_token } : {}),
    forcePathStyle: s3.force_path_style,
    prefix: s3.prefix,
    timeoutMs: s3.timeout_ms,
  });
}
