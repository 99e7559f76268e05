export type { FileStorage } from "./file-storage.ts";
export { createLocalFileStorage } from "./local-file-storage.ts";
export { type InspectedUpload, cleanFileName, inspectUpload } from "./inspect-upload.ts";
