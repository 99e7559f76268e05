/**
 * Every REST route the backend client calls, by method name. The client builds each request from
 * this table, and the OpenAPI test checks each entry against the server's `/openapi.json`.
 */
export const routes = {
  createGroupChannel: { method: "POST", path: "/api/v1/chat/channels" },
  listChannels: { method: "GET", path: "/api/v1/chat/channels" },
  getChannel: { method: "GET", path: "/api/v1/chat/channels/{channel_url}" },
  updateChannel: { method: "PUT", path: "/api/v1/chat/channels/{channel_url}" },
  deleteChannel: { method: "DELETE", path: "/api/v1/chat/channels/{channel_url}" },
  listMembers: { method: "GET", path: "/api/v1/chat/channels/{channel_url}/members" },
  addMembers: { method: "POST", path: "/api/v1/chat/channels/{channel_url}/members" },
  removeMembers: { method: "DELETE", path: "/api/v1/chat/channels/{channel_url}/members" },
  sendMessage: { method: "POST", path: "/api/v1/chat/channels/{channel_url}/messages" },
  listMessages: { method: "GET", path: "/api/v1/chat/channels/{channel_url}/messages" },
  editMessage: { method: "PATCH", path: "/api/v1/chat/channels/{channel_url}/messages/{seq}" },
  deleteMessage: { method: "DELETE", path: "/api/v1/chat/channels/{channel_url}/messages/{seq}" },
  readState: { method: "GET", path: "/api/v1/chat/channels/{channel_url}/read-state" },
  getModeration: { method: "GET", path: "/api/v1/chat/channels/{channel_url}/moderation" },
  addOperators: { method: "POST", path: "/api/v1/chat/channels/{channel_url}/operators" },
  removeOperator: { method: "DELETE", path: "/api/v1/chat/channels/{channel_url}/operators/{user_id}" },
  ban: { method: "POST", path: "/api/v1/chat/channels/{channel_url}/bans" },
  unban: { method: "DELETE", path: "/api/v1/chat/channels/{channel_url}/bans/{user_id}" },
  mute: { method: "POST", path: "/api/v1/chat/channels/{channel_url}/mutes" },
  unmute: { method: "DELETE", path: "/api/v1/chat/channels/{channel_url}/mutes/{user_id}" },
  setFrozen: { method: "PUT", path: "/api/v1/chat/channels/{channel_url}/freeze" },
  adminLogin: { method: "POST", path: "/api/v1/admin/login" },
  mintUserToken: { method: "POST", path: "/api/v1/admin/tokens" },
  listEvents: { method: "GET", path: "/api/v1/events" },
} as const satisfies Record<string, { method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; path: string }>;

export type RouteName = keyof typeof routes;

/** Fills `{name}` placeholders, each URI-encoded. */
export function fillPath(path: string, params: Record<string, string | number>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined || v === "") throw new TypeError(`missing path parameter ${name}`);
    return encodeURIComponent(String(v));
  });
}
