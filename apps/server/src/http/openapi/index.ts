export { describeRoute } from "hono-openapi";
export { auth, errors, jsonRequest, jsonResponse, noContent, param, queryParams } from "./describe.ts";
export { openApiRoute } from "./document.ts";
export { HistoryPage, MigrationJobList } from "./schemas.ts";
