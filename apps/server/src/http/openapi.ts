import {
  Channel,
  CreateChannelBody,
  ErrorBody,
  HistoryResponse,
  ListChannelsResponse,
  MembersBody,
  MembersResponse,
  MessageFrame,
  SendMessageBody,
  TransportResponse,
  UpdateChannelBody,
} from "@podchat/protocol";
import { type core, z } from "zod";

const schema = (s: core.$ZodType, io: "input" | "output") =>
  z.toJSONSchema(s, { io, unrepresentable: "any", target: "openapi-3.0" });

/** The OpenAPI document, generated from the protocol's zod schemas (the same ones that validate). */
export function buildOpenApi(version: string) {
  const components = {
    CreateChannelBody: schema(CreateChannelBody, "input"),
    UpdateChannelBody: schema(UpdateChannelBody, "input"),
    MembersBody: schema(MembersBody, "input"),
    SendMessageBody: schema(SendMessageBody, "input"),
    Channel: schema(Channel, "output"),
    ListChannelsResponse: schema(ListChannelsResponse, "output"),
    MembersResponse: schema(MembersResponse, "output"),
    Message: schema(MessageFrame, "output"),
    HistoryResponse: schema(HistoryResponse, "output"),
    TransportResponse: schema(TransportResponse, "output"),
    Error: schema(ErrorBody, "output"),
  };
  const ref = (name: keyof typeof components) => ({ $ref: `#/components/schemas/${name}` });
  const json = (name: keyof typeof components, description = "OK") => ({
    description,
    content: { "application/json": { schema: ref(name) } },
  });
  const errors = {
    "400": json("Error", "Validation failed; error.field names the field"),
    "401": json("Error", "Missing or invalid credentials"),
    "403": json("Error", "Not allowed"),
    "404": json("Error", "No such channel"),
  };
  const body = (name: keyof typeof components) => ({
    required: true,
    content: { "application/json": { schema: ref(name) } },
  });
  const urlParam = { name: "channel_url", in: "path", required: true, schema: { type: "string" } };
  const q = (name: string, description: string) => ({
    name,
    in: "query",
    required: false,
    schema: { type: "string" },
    description,
  });
  return {
    openapi: "3.0.3",
    info: {
      title: "podchat",
      version,
      description:
        "Self-hostable group chat: REST API. Sockets: /api/v1/chat/ws/{channel_url}?token=JWT&since_seq=N",
    },
    components: {
      schemas: components,
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "X-Api-Key" },
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
      },
    },
    security: [{ apiKey: [] }, { bearer: [] }],
    paths: {
      "/api/v1/chat/channels": {
        post: {
          summary: "Create a group channel",
          requestBody: body("CreateChannelBody"),
          responses: { "201": json("Channel"), ...errors, "409": json("Error", "channel_url exists") },
        },
        get: {
          summary: "List channels",
          parameters: [
            q("limit", "1..200"),
            q("cursor", "next_cursor of the previous page"),
            q("q", "search"),
            q("provider", "websocket|sendbird"),
          ],
          responses: { "200": json("ListChannelsResponse"), ...errors },
        },
      },
      "/api/v1/chat/channels/{channel_url}": {
        parameters: [urlParam],
        get: { summary: "Channel metadata with members", responses: { "200": json("Channel"), ...errors } },
        put: {
          summary: "Update a channel",
          requestBody: body("UpdateChannelBody"),
          responses: { "200": json("Channel"), ...errors },
        },
        delete: {
          summary: "Delete a channel and its history",
          responses: { "204": { description: "Deleted" }, ...errors },
        },
      },
      "/api/v1/chat/channels/{channel_url}/members": {
        parameters: [urlParam],
        get: { summary: "List members", responses: { "200": json("MembersResponse"), ...errors } },
        post: {
          summary: "Add members",
          requestBody: body("MembersBody"),
          responses: { "200": json("Channel"), ...errors },
        },
        delete: {
          summary: "Remove members",
          requestBody: body("MembersBody"),
          responses: { "200": json("Channel"), ...errors },
        },
      },
      "/api/v1/chat/channels/{channel_url}/messages": {
        parameters: [urlParam],
        get: {
          summary: "History, paged by seq",
          parameters: [
            q("before_seq", "older than"),
            q("after_seq", "newer than"),
            q("limit", "1..200, default 50"),
          ],
          responses: { "200": json("HistoryResponse"), ...errors },
        },
        post: {
          summary: "Send a message (server-side or admin message)",
          requestBody: body("SendMessageBody"),
          responses: {
            "201": json("Message", "Stored"),
            "200": json("Message", "req_id seen before: the original"),
            ...errors,
          },
        },
      },
      "/api/v1/chat/channels/{channel_url}/transport": {
        parameters: [urlParam],
        get: {
          summary: "Which provider serves the channel, and how to connect",
          responses: { "200": json("TransportResponse"), ...errors },
        },
      },
      "/healthz": {
        get: { summary: "Liveness", security: [], responses: { "200": { description: "alive" } } },
      },
      "/readyz": {
        get: {
          summary: "Readiness (false while draining or without the store)",
          security: [],
          responses: { "200": { description: "ready" }, "503": { description: "not ready" } },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus metrics",
          security: [],
          responses: { "200": { description: "text exposition" } },
        },
      },
    },
  };
}
