import {
  Channel,
  CreateChannelBody,
  EditMessageBody,
  ErrorBody,
  FreezeBody,
  MarkReadBody,
  ModerationState,
  ModerationUsersBody,
  ReadStateResponse,
  UnreadResponse,
  UploadResponse,
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
    EditMessageBody: schema(EditMessageBody, "input"),
    MarkReadBody: schema(MarkReadBody, "input"),
    ModerationUsersBody: schema(ModerationUsersBody, "input"),
    FreezeBody: schema(FreezeBody, "input"),
    UnreadResponse: schema(UnreadResponse, "output"),
    ReadStateResponse: schema(ReadStateResponse, "output"),
    ModerationState: schema(ModerationState, "output"),
    UploadResponse: schema(UploadResponse, "output"),
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
  const seqParam = { name: "seq", in: "path", required: true, schema: { type: "integer", minimum: 1 } };
  const userParam = { name: "user_id", in: "path", required: true, schema: { type: "string" } };
  const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  const moderationWrite = (summary: string, requestBody?: ReturnType<typeof body>) => ({
    summary: `${summary} (API key, admin, or a channel operator's token); broadcasts MODERATION`,
    ...(requestBody ? { requestBody } : {}),
    responses: { "200": json("ModerationState"), ...errors },
  });
  const fileDownload = (summary: string) => ({
    summary: `${summary} (members: Bearer token, ?token= for <img>, or API key)`,
    parameters: [idParam, { name: "token", in: "query", required: false, schema: { type: "string" } }],
    responses: {
      "200": { description: "The bytes, with their Content-Type", content: { "*/*": {} } },
      ...errors,
      "410": json("Error", "The file was deleted with its FILE/IMAGE message"),
      "503": json("Error", "STORE_UNAVAILABLE: the file storage cannot be read"),
    },
  });
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
      "/api/v1/chat/channels/{channel_url}/messages/{seq}": {
        parameters: [urlParam, seqParam],
        patch: {
          summary: "Edit a message (its author, API key or admin); appends a MESSAGE_UPDATED seq entry",
          requestBody: body("EditMessageBody"),
          responses: { "200": json("Message", "The edited message"), ...errors },
        },
        delete: {
          summary:
            "Delete a message as a tombstone (author, channel operator, API key or admin); appends a MESSAGE_DELETED seq entry",
          responses: { "204": { description: "Deleted" }, ...errors },
        },
      },
      "/api/v1/chat/channels/{channel_url}/read": {
        parameters: [urlParam],
        post: {
          summary: "Mark the channel read up to seq (member token); broadcasts READ_RECEIPT",
          requestBody: body("MarkReadBody"),
          responses: { "200": json("UnreadResponse"), ...errors },
        },
      },
      "/api/v1/chat/channels/{channel_url}/unread": {
        parameters: [urlParam],
        get: {
          summary: "The calling member's read mark and unread count (member token)",
          responses: { "200": json("UnreadResponse"), ...errors },
        },
      },
      "/api/v1/chat/channels/{channel_url}/read-state": {
        parameters: [urlParam],
        get: {
          summary: "Every member's read mark",
          responses: { "200": json("ReadStateResponse"), ...errors },
        },
      },
      "/api/v1/chat/channels/{channel_url}/moderation": {
        parameters: [urlParam],
        get: {
          summary: "Operators, bans, mutes and frozen",
          responses: { "200": json("ModerationState"), ...errors },
        },
      },
      "/api/v1/chat/channels/{channel_url}/operators": {
        parameters: [urlParam],
        post: moderationWrite("Add operators", body("ModerationUsersBody")),
      },
      "/api/v1/chat/channels/{channel_url}/operators/{user_id}": {
        parameters: [urlParam, userParam],
        delete: moderationWrite("Remove an operator"),
      },
      "/api/v1/chat/channels/{channel_url}/bans": {
        parameters: [urlParam],
        post: moderationWrite(
          "Ban users (optionally for `seconds`); their sockets are closed",
          body("ModerationUsersBody"),
        ),
      },
      "/api/v1/chat/channels/{channel_url}/bans/{user_id}": {
        parameters: [urlParam, userParam],
        delete: moderationWrite("Lift a ban"),
      },
      "/api/v1/chat/channels/{channel_url}/mutes": {
        parameters: [urlParam],
        post: moderationWrite("Mute users (optionally for `seconds`)", body("ModerationUsersBody")),
      },
      "/api/v1/chat/channels/{channel_url}/mutes/{user_id}": {
        parameters: [urlParam, userParam],
        delete: moderationWrite("Lift a mute"),
      },
      "/api/v1/chat/channels/{channel_url}/freeze": {
        parameters: [urlParam],
        put: moderationWrite("Freeze or unfreeze the channel (only operators send)", body("FreezeBody")),
      },
      "/api/v1/chat/channels/{channel_url}/files": {
        parameters: [urlParam],
        post: {
          summary:
            "Upload a file (multipart/form-data, field `file`; member token or API key). Checked against uploads.max_bytes, uploads.allowed_types and its real content",
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: {
                  type: "object",
                  properties: { file: { type: "string", format: "binary" } },
                  required: ["file"],
                },
              },
            },
          },
          responses: {
            "201": json("UploadResponse", "The FileInfo to send in a FILE/IMAGE message"),
            ...errors,
            "413": json("Error", "FILE_TOO_LARGE"),
            "415": json("Error", "UNSUPPORTED_MEDIA_TYPE or CONTENT_MISMATCH"),
            "503": json("Error", "STORE_UNAVAILABLE: the file storage refused or cannot be reached"),
          },
        },
      },
      "/api/v1/chat/files/{id}": { get: fileDownload("Download an uploaded file") },
      "/api/v1/chat/files/{id}/thumbnail": { get: fileDownload("Download an image's thumbnail") },
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
