import type { Env, Hono } from "hono";
import { webhookOpenApi } from "../../webhooks/openapi.ts";
import { describeRoute, openAPIRouteHandler } from "hono-openapi";
import type { Config } from "../../config/index.ts";
import { auth, errors, securitySchemes } from "./describe.ts";

type Socket = { path: string; query: string; description: string };

/** The socket endpoints: not REST, so listed apart (`x-websockets`); frames: docs/protocol.md. */
function websockets(env: string): Socket[] {
  const list: Socket[] = [
    {
      path: "/api/v1/chat/ws/{channel_url}",
      query: "token=JWT&since_seq=N",
      description: "One channel (the seed's endpoint): MESG/FILE/IMAGE frames, ACKs, presence, resume by seq",
    },
    {
      path: "/api/v1/chat/ws",
      query: "token=JWT",
      description:
        "The user connection (@since 0.3): many channel subscriptions, each with since_seq; inbox events",
    },
  ];
  if (env === "dev")
    list.push({
      path: "/api/v1/chat/ws/{channel_url}/test",
      query: "user_id=ID&since_seq=N",
      description: "Dev only, without auth; absent in every other environment",
    });
  return list;
}

const TAGS = [
  { name: "service", description: "Liveness, readiness, metrics and this document" },
  { name: "channels", description: "Group channels: create, read, update, delete, transport" },
  { name: "members", description: "Channel members" },
  { name: "messages", description: "History, sends, edits and deletions (seq-ordered)" },
  { name: "reads", description: "Read marks and unread counts" },
  { name: "moderation", description: "Operators, bans, mutes, freeze" },
  { name: "files", description: "Uploads and downloads of FILE/IMAGE attachments" },
  { name: "users", description: "A user's channel list (inbox) and unread badge" },
  { name: "events", description: "The events feed: every webhook event, numbered (API key)" },
  { name: "admin", description: "The dashboard's API (admins only)" },
  { name: "admin-auth", description: "Admin sign-in and user-token minting" },
];

/**
 * `GET /openapi.json`: the document generated from the routes' own `describeRoute` descriptions
 * (hono-openapi walks `app.routes`), made on the first request and then kept.
 */
export function openApiRoute<E extends Env>(app: Hono<E>, config: Config) {
  const sockets = websockets(config.env);
  const describe = describeRoute({
    summary: "This OpenAPI document (generated from the routes)",
    tags: ["service"],
    security: auth.none,
    responses: {
      200: {
        description: "OpenAPI 3.1",
        content: { "application/json": { schema: { type: "object" } } },
      },
      ...errors(),
    },
  });
  const events = webhookOpenApi();
  const handler = openAPIRouteHandler(app, {
    excludeStaticFile: false,
    defaultValidationErrorResponse: false,
    documentation: {
      openapi: "3.1.0",
      info: {
        title: "podchat",
        version: config.version,
        description: [
          "Self-hostable group chat: the REST API. Every error answers `{error: {code, message, retryable?, field?}}`.",
          "WebSocket endpoints (not REST; frames and close codes in docs/protocol.md, also listed in `x-websockets`):",
          ...sockets.map((s) => `- ${s.path}?${s.query}: ${s.description}`),
        ].join("\n"),
      },
      tags: TAGS,
      // The webhook events (OpenAPI 3.1 `webhooks`) and their payload schemas, from the protocol.
      components: { securitySchemes, schemas: events.schemas as Record<string, never> },
      webhooks: events.webhooks as Record<string, never>,
      ...({ "x-websockets": { docs: "docs/protocol.md", endpoints: sockets } } as object),
    },
  });
  return [describe, handler] as const;
}
