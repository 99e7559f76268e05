import * as z from "zod";
import { EmulatorHttpError, SendbirdErrorCode } from "./sendbird-error.ts";

// Limits below are the documented ones of the Platform API v3 request bodies.
const UserId = z.string().min(1).max(80);
const UserIds = z.array(UserId).max(100);
const CustomType = z.string().max(128);

export const CreateUserBody = z.object({
  user_id: UserId,
  nickname: z.string().max(80),
  profile_url: z.string().max(2048),
  issue_access_token: z.boolean().optional(),
});

/** A user object in `users[]`, which "can be used interchangeably" with `user_ids`. */
const UserRef = z.object({ user_id: UserId });

export const CreateChannelBody = z.object({
  user_ids: UserIds.optional(),
  users: z.array(UserRef).max(100).optional(),
  name: z.string().max(191).optional(),
  // "The channel URL can only contain numbers, letters, underscores, or hyphens, and the URL's
  // length must be between 4 and 100 characters." (Chat SDK docs, "Create a channel").
  channel_url: z
    .string()
    .min(4)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
  cover_url: z.string().max(2048).optional(),
  custom_type: CustomType.optional(),
  data: z.string().optional(),
  is_distinct: z.boolean().optional(),
  is_public: z.boolean().optional(),
});

export const UpdateChannelBody = z.object({
  name: z.string().max(191).optional(),
  cover_url: z.string().max(2048).optional(),
  custom_type: CustomType.optional(),
  data: z.string().optional(),
});

export const UserIdsBody = z.object({
  user_ids: UserIds.min(1),
});

/** "Invite as members": `user_ids` or `users[]` (either may be used). */
export const InviteBody = z
  .object({ user_ids: UserIds.optional(), users: z.array(UserRef).max(100).optional() })
  .refine((b) => (b.user_ids?.length ?? 0) + (b.users?.length ?? 0) > 0, {
    path: ["user_ids"],
    message: "user_ids or users is required",
  });

export const SendMessageBody = z.discriminatedUnion("message_type", [
  z.object({
    message_type: z.literal("MESG"),
    user_id: UserId,
    message: z.string().max(5000),
    custom_type: CustomType.optional(),
    data: z.string().optional(),
  }),
  z.object({
    message_type: z.literal("ADMM"),
    message: z.string().max(5000),
    custom_type: CustomType.optional(),
    data: z.string().optional(),
  }),
  // A file message sent by URL (the emulator does not take multipart uploads).
  z.object({
    message_type: z.literal("FILE"),
    user_id: UserId,
    url: z.string().min(1).max(2048),
    file_name: z.string().max(255).optional(),
    file_size: z.number().int().min(0).optional(),
    file_type: z.string().max(255).optional(),
    thumbnails: z.array(z.string().max(2048)).max(3).optional(),
    custom_type: CustomType.optional(),
    data: z.string().optional(),
  }),
]);

/** "Update a message": `message_type` says which kind is updated; the rest is optional. */
export const UpdateMessageBody = z.object({
  message_type: z.enum(["MESG", "FILE", "ADMM"]),
  message: z.string().max(5000).optional(),
  custom_type: CustomType.optional(),
  data: z.string().optional(),
});

export const UserIdBody = z.object({ user_id: UserId });

/** "Ban a member" / "Mute a member": `seconds` -1 (default) = ten years / until lifted. */
export const RestrictBody = z.object({
  user_id: UserId,
  agent_id: z.string().optional(),
  seconds: z.number().int().min(-1).optional(),
  description: z.string().max(2048).optional(),
});

/** "freeze" is required (a body without it is 400105). */
export const FreezeBody = z.object({ freeze: z.boolean() });

export const OperatorIdsBody = z.object({ operator_ids: UserIds.min(1) });

const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?[0-9]{1,16}$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const boolParam = z.enum(["true", "false"]).transform((v) => v === "true");

export const ListChannelsQuery = z.object({
  token: z.string().optional(),
  limit: intParam(1, 100).default(10),
  show_member: boolParam.default(false),
  // Sendbird leaves channels without messages out unless asked.
  show_empty: boolParam.default(false),
  name_contains: z.string().optional(),
  channel_urls: z.string().optional(),
});

/**
 * "List group channels by user" (`GET /v3/users/{user_id}/my_group_channels`): the documented
 * parameters and their defaults; an unknown enum value is 400111 like any invalid value.
 */
export const MyGroupChannelsQuery = z.object({
  token: z.string().optional(),
  limit: intParam(1, 100).default(10),
  order: z
    .enum([
      "chronological",
      "latest_last_message",
      "channel_name_alphabetical",
      "metadata_value_alphabetical",
    ])
    .default("chronological"),
  metadata_order_key: z.string().optional(),
  distinct_mode: z.enum(["all", "distinct", "nondistinct"]).default("all"),
  public_mode: z.enum(["all", "public", "private"]).default("all"),
  super_mode: z.enum(["all", "super", "nonsuper"]).default("all"),
  hidden_mode: z
    .enum(["unhidden_only", "hidden_only", "hidden_allow_auto_unhide", "hidden_prevent_auto_unhide", "all"])
    .default("unhidden_only"),
  member_state_filter: z
    .enum(["all", "joined_only", "invited_only", "invited_by_friend", "invited_by_non_friend"])
    .default("all"),
  unread_filter: z.enum(["all", "unread_message"]).default("all"),
  created_after: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
  created_before: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
  show_empty: boolParam.default(false),
  show_frozen: boolParam.default(true),
  show_member: boolParam.default(false),
  show_read_receipt: boolParam.default(false),
  custom_types: z.string().optional(),
  channel_urls: z.string().optional(),
  name: z.string().optional(),
  name_contains: z.string().optional(),
  name_startswith: z.string().optional(),
});

export const ListMembersQuery = z.object({
  token: z.string().optional(),
  limit: intParam(1, 100).default(10),
});

export const ShowMemberQuery = z.object({
  show_member: boolParam.default(false),
  show_read_receipt: boolParam.default(false),
});

export const PageQuery = z.object({
  token: z.string().optional(),
  limit: intParam(1, 100).default(10),
});

export const UserIdsQuery = z.object({ user_ids: z.string().min(1) });

export const OperatorIdsQuery = z.object({
  operator_ids: z.string().optional(),
  delete_all: boolParam.default(false),
});

export const ListMessagesQuery = z.object({
  message_ts: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
  message_id: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
  prev_limit: intParam(0, 200).default(15),
  next_limit: intParam(0, 200).default(15),
  include: boolParam.default(true),
  reverse: boolParam.default(false),
  // "Specifies a message type to retrieve": MESG, FILE or ADMM; all types when absent.
  message_type: z.enum(["MESG", "FILE", "ADMM"]).optional(),
  sender_id: z.string().optional(),
});

/** Parses `input` or throws the Sendbird error its first problem corresponds to. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw toSendbirdError(result.error, input);
}

function toSendbirdError(error: z.ZodError, input: unknown): EmulatorHttpError {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  const field = path.map(String).join(".") || "body";
  const value = valueAt(input, path);
  if (value === undefined) {
    return new EmulatorHttpError(
      400,
      SendbirdErrorCode.MISSING_REQUIRED_PARAMETER,
      `"${field}" is required.`,
    );
  }
  if (issue?.code === "invalid_type") {
    const byType: Record<string, number> = {
      string: SendbirdErrorCode.UNEXPECTED_TYPE_STRING,
      number: SendbirdErrorCode.UNEXPECTED_TYPE_NUMBER,
      int: SendbirdErrorCode.UNEXPECTED_TYPE_NUMBER,
      array: SendbirdErrorCode.UNEXPECTED_TYPE_LIST,
      object: SendbirdErrorCode.UNEXPECTED_TYPE_JSON,
      boolean: SendbirdErrorCode.UNEXPECTED_TYPE_BOOLEAN,
    };
    const code = byType[issue.expected] ?? SendbirdErrorCode.INVALID_VALUE;
    return new EmulatorHttpError(400, code, `"${field}" should be of type ${issue.expected}.`);
  }
  if (issue?.code === "too_big" && issue.origin === "string") {
    return new EmulatorHttpError(
      400,
      SendbirdErrorCode.PARAMETER_VALUE_LENGTH_EXCEEDED,
      `The length of "${field}" exceeds ${String(issue.maximum)}.`,
    );
  }
  return new EmulatorHttpError(400, SendbirdErrorCode.INVALID_VALUE, `Invalid value: "${field}".`);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
