import {
  AdminChannelDetail,
  AdminChannelList,
  AdminLoginBody,
  AdminLoginResponse,
  AdminUserView,
  AuditResponse,
  BulkMigrationBody,
  Channel,
  ChannelOverride,
  ChannelOverrideBody,
  CreateChannelBody,
  EditMessageBody,
  EnvFlag,
  ErrorBody,
  EventsPage,
  FileInfo,
  FlagsResponse,
  FreezeBody,
  HistoryLogResponse,
  HistoryResponse,
  InboxResponse,
  ListChannelsResponse,
  MarkReadBody,
  MembersBody,
  MembersResponse,
  MessageFrame,
  MigrationJob,
  MintTokenBody,
  MintTokenResponse,
  ModerationState,
  ModerationUsersBody,
  Overview,
  ReadStateResponse,
  SendMessageBody,
  TotalUnreadResponse,
  TransportResponse,
  UnreadResponse,
  UpdateChannelBody,
  UpdateFlagBody,
} from "@podchat/protocol";
import * as z from "zod";
import type * as zm from "zod/mini";

/** `POST /api/v1/admin/migrations` and `GET /api/v1/admin/migrations`. */
export const MigrationJobList = z.object({ jobs: z.array(MigrationJob) });

/** `GET …/messages`: a plain page, or the seq log with `include_changes=true`. */
export const HistoryPage = z.union([HistoryResponse, HistoryLogResponse]);

/**
 * The protocol schemas that become named components of the document. Request bodies render as
 * zod *input* (what a caller may send), responses as *output* (what the server sends): the same
 * object can look different in each (an output object forbids unknown keys), so each direction has
 * its own registry and its own names.
 */
const requestComponents = {
  CreateChannelBody,
  UpdateChannelBody,
  MembersBody,
  SendMessageBody,
  EditMessageBody,
  MarkReadBody,
  ModerationUsersBody,
  FreezeBody,
  AdminLoginBody,
  MintTokenBody,
  UpdateFlagBody,
  ChannelOverrideBody,
  BulkMigrationBody,
};

const responseComponents = {
  Error: ErrorBody,
  Channel,
  ListChannelsResponse,
  MembersResponse,
  Message: MessageFrame,
  HistoryResponse,
  HistoryLogResponse,
  TransportResponse,
  UnreadResponse,
  ReadStateResponse,
  ModerationState,
  FileInfo,
  InboxResponse,
  TotalUnreadResponse,
  AdminLoginResponse,
  MintTokenResponse,
  Overview,
  AdminChannelList,
  AdminChannelDetail,
  AdminUserView,
  FlagsResponse,
  EnvFlag,
  ChannelOverride,
  AuditResponse,
  MigrationJob,
  MigrationJobList,
  EventsPage,
};

function registryOf(named: Record<string, zm.ZodMiniType | z.ZodType>) {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  return registry;
}

export const requestRegistry = registryOf(requestComponents);
export const responseRegistry = registryOf(responseComponents);
