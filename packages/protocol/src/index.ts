export * from "./close-codes.ts";
export * from "./error-codes.ts";
export * from "./common.ts";
export * from "./client-frames.ts";
export * from "./server-frames.ts";
export * from "./rest.ts";
export * from "./admin.ts";
