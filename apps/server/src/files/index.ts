export { type FileStorage, FileStorageError, type StoredObject } from "./file-storage.ts";
export { createLocalFileStorage } from "./local-file-storage.ts";
export { type S3FileStorageOptions, createS3FileStorage } from "./s3-file-storage.ts";
export { createFileStorageFromConfig } from "./create-file-storage.ts";
export {
  type FileJanitor,
  channelFolder,
  createFileJanitor,
  uploadIdOf,
  uploadKeys,
} from "./file-janitor.ts";
export { type InspectedUpload, cleanFileName, inspectUpload } from "./inspect-upload.ts";
