import * as sdk from "sendbird-platform-sdk-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSendbirdEmulator } from "../start-sendbird-emulator.ts";
import type { SendbirdEmulator } from "../start-sendbird-emulator.ts";
import { shapeProblems } from "./model-shape.ts";
import type { ShapeOptions } from "./model-shape.ts";
import { recordingHttp } from "./recording-http.ts";
import type { Exchange } from "./recording-http.ts";

/*
 * Conformance of the emulator with Sendbird's official Platform API SDK
 * (sendbird-platform-sdk-typescript, generated from Sendbird's OpenAPI document): every endpoint
 * podchat's SendbirdService calls is driven here by the SDK, with the SDK's request shapes (paths,
 * query parameters and their encoding, bodies), and each response is checked against the SDK's
 * model. The emulator must follow Sendbird, not podchat: a podchat bug the emulator copied (id
 * lists decoded twice, say) makes these requests fail.
 */

const apiToken = "sdk-conformance-token";
const channelType = "group_channels";
// Ids with characters that need percent-encoding, in paths and in comma-separated lists.
const alice = "alice@example.com";
const bob = "bob smith";
const carol = "carol+1%";
const url = "pod_sdk-chat";

/**
 * Keys Sendbird's docs show that the SDK's (incomplete, generated) models lack; nothing else is
 * allowed. Each is a decision:
 * - `read_receipt` on a group channel: "Get a group channel" with `show_read_receipt=true`.
 * - `member_state`, `push_trigger_option`, `count_preference`, `user_last_read`: the requesting
 *   user's view of each channel in "List group channels by user".
 * - `thumbnails` (and `require_auth` in lists) on file messages: the file message resource of
 *   "Send a message" (a message by URL with `thumbnails`).
 * - `remaining_duration` on muted users: "List muted members"; the SDK types them as SendBirdUser.
 */
const shape: ShapeOptions = {
  extraKeys: {
    SendBirdGroupChannel: [
      "read_receipt",
      "member_state",
      "push_trigger_option",
      "count_preference",
      "user_last_read",
    ],
    SendBirdMessageResponse: ["thumbnails"],
    ListMessagesResponseMessagesInner: ["thumbnails", "require_auth"],
    SendBirdGroupChannelLastMessage: ["thumbnails", "require_auth"],
    SendBirdUser: ["remaining_duration"],
  },
  // "List members" returns member resources (state, role, is_muted), which the SDK's
  // GcListMembersResponse types as plain users; its SendBirdMember model has them.
  typeOverrides: { "GcListMembersResponse.members": "Array<SendBirdMember>" },
};

/** Keys each response must have: the model's identity and what podchat's client reads. */
const requiredKeys: Record<string, readonly string[]> = {
  SendBirdUser: ["user_id", "nickname", "profile_url"],
  SendBirdGroupChannel: [
    "channel_url",
    "name",
    "created_at",
    "member_count",
    "freeze",
    "data",
    "custom_type",
  ],
  SendBirdMessageResponse: ["type", "message_id", "message", "channel_url", "created_at"],
  GcListChannelsResponse: ["channels", "next"],
  ListMyGroupChannelsResponse: ["channels", "next"],
  GcListMembersResponse: ["members", "next"],
  ListMessagesResponse: ["messages"],
  GcViewNumberOfEachMembersUnreadMessagesResponse: ["unread"],
  ViewTotalNumberOfMessagesInChannelResponse: ["total"],
  GcBanUserResponse: ["user", "start_at", "end_at", "description"],
  GcViewBanByIdResponse: ["user", "start_at", "end_at", "description"],
  GcListBannedUsersResponse: ["banned_list", "next"],
  GcListMutedUsersResponse: ["muted_list", "next"],
  GcListOperatorsResponse: ["operators", "next"],
  GcRegisterOperatorsResponse: ["operator_ids"],
};

let emulator: SendbirdEmulator;
const log: Exchange[] = [];
let users: sdk.UserApi;
let channels: sdk.GroupChannelApi;
let messages: sdk.MessageApi;
let moderation: sdk.ModerationApi;

/** The last exchange: its response matches the SDK model `type`, and it succeeded. */
function lastMatches(type: string): Exchange {
  const exchange = log.at(-1);
  if (!exchange) throw new Error("no request recorded");
  expect(exchange.status, `${exchange.method} ${exchange.pathAndQuery}`).toBe(200);
  const where = `${exchange.method} ${exchange.pathAndQuery}`;
  expect(shapeProblems(exchange.json, type, shape), where).toEqual([]);
  const keys = Object.keys((exchange.json ?? {}) as object);
  const missing = (requiredKeys[type] ?? []).filter((key) => !keys.includes(key));
  expect(missing, `${where}: keys missing from ${type}`).toEqual([]);
  return exchange;
}

/**
 * A request body as the SDK's model types it. The generated models mark as required what
 * Sendbird's docs call optional (even `cover_file` uploads), so bodies are given partially.
 */
function data<T>(fields: Partial<T>): T {
  return fields as T;
}

async function apiError(
  promise: Promise<unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  // The SDK is compiled to ES5, where `instanceof` an Error subclass does not hold: duck-typed.
  expect(error).toMatchObject({ code: expect.any(Number), body: expect.any(String) });
  const api = error as sdk.ApiException<string>;
  return { status: api.code, body: JSON.parse(api.body) as Record<string, unknown> };
}

beforeAll(async () => {
  emulator = await startSendbirdEmulator({ apiToken });
  const configuration = sdk.createConfiguration({
    // The SDK's paths start with /v3; its server is the origin.
    baseServer: new sdk.ServerConfiguration(emulator.origin, {}),
    httpApi: recordingHttp(log),
  });
  users = new sdk.UserApi(configuration);
  channels = new sdk.GroupChannelApi(configuration);
  messages = new sdk.MessageApi(configuration);
  moderation = new sdk.ModerationApi(configuration);
});

afterAll(async () => {
  await emulator.close();
});

// The cases run in order and build on each other (users, then a channel, then messages ...).
describe("the emulator answers the official SDK as Sendbird does", () => {
  let messageId = 0;

  it("POST /v3/users, GET /v3/users/{user_id}", async () => {
    for (const id of [alice, bob, carol, "dave"]) {
      await users.createUser(
        apiToken,
        data<sdk.CreateUserData>({ userId: id, nickname: id, profileUrl: "" }),
      );
      lastMatches("SendBirdUser");
    }
    const got = await users.viewUserById(apiToken, alice);
    expect(lastMatches("SendBirdUser").pathAndQuery).toBe("/v3/users/alice%40example.com");
    expect(got.userId).toBe(alice);
  });

  it("POST /v3/group_channels with user_ids, with users[], and is_distinct", async () => {
    const created = await channels.gcCreateChannel(
      apiToken,
      data<sdk.GcCreateChannelData>({
        channelUrl: url,
        name: "SDK",
        userIds: [alice, bob],
        data: '{"pod_id":1}',
        customType: "pod",
      }),
    );
    lastMatches("SendBirdGroupChannel");
    expect(created.members?.map((m) => m.userId)).toEqual([alice, bob]);
    const fromUsers = await channels.gcCreateChannel(
      apiToken,
      data<sdk.GcCreateChannelData>({
        users: [{ userId: carol, nickname: carol, profileUrl: "" }],
        isDistinct: true,
      }),
    );
    lastMatches("SendBirdGroupChannel");
    expect(fromUsers.members?.map((m) => m.userId)).toEqual([carol]);
    const again = await channels.gcCreateChannel(
      apiToken,
      data<sdk.GcCreateChannelData>({ userIds: [carol], isDistinct: true }),
    );
    expect(again.channelUrl).toBe(fromUsers.channelUrl);
    expect(again.isCreated).toBe(false);
  });

  it("GET /v3/group_channels/{channel_url} with show_member and show_read_receipt", async () => {
    const channel = await channels.gcViewChannelByUrl(apiToken, url, undefined, true, true);
    const exchange = lastMatches("SendBirdGroupChannel");
    expect(exchange.pathAndQuery).toBe(`/v3/group_channels/${url}?show_read_receipt=true&show_member=true`);
    expect(channel.members).toHaveLength(2);
    expect((exchange.json as Record<string, unknown>).read_receipt).toBeTypeOf("object");
  });

  it("GET /v3/group_channels with token, limit, show_empty, show_member, channel_urls, name_contains", async () => {
    const page = await channels.gcListChannels(
      apiToken,
      undefined,
      1,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      true,
      true,
    );
    lastMatches("GcListChannelsResponse");
    expect(page.channels).toHaveLength(1);
    const next = await channels.gcListChannels(
      apiToken,
      page.next,
      1,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      true,
    );
    lastMatches("GcListChannelsResponse");
    expect(next.channels?.[0]?.channelUrl).not.toBe(page.channels?.[0]?.channelUrl);
    // channel_urls and name_contains are parameters 19 and 22.
    const byUrl = await channels.gcListChannels(
      apiToken,
      undefined,
      10,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      true,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      url,
      undefined,
      "sd",
    );
    lastMatches("GcListChannelsResponse");
    expect(byUrl.channels?.map((c) => c.channelUrl)).toEqual([url]);
  });

  it("PUT /v3/group_channels/{channel_url}", async () => {
    const updated = await channels.gcUpdateChannelByUrl(
      apiToken,
      url,
      data<sdk.GcUpdateChannelByUrlData>({
        name: "SDK 2",
        data: "{}",
        customType: "pod",
      }),
    );
    lastMatches("SendBirdGroupChannel");
    expect(updated.name).toBe("SDK 2");
  });

  it("POST .../invite, PUT .../leave, GET .../members", async () => {
    await channels.gcInviteAsMembers(
      apiToken,
      url,
      data<sdk.GcInviteAsMembersData>({ userIds: [carol, "dave"] }),
    );
    lastMatches("SendBirdGroupChannel");
    await channels.gcLeaveChannel(apiToken, url, data<sdk.GcLeaveChannelData>({ userIds: ["dave"] }));
    expect(log.at(-1)?.json).toEqual({});
    const members = await channels.gcListMembers(apiToken, url, undefined, 2);
    lastMatches("GcListMembersResponse");
    expect(members.members?.map((m) => m.userId)).toEqual([alice, bob]);
    const rest = await channels.gcListMembers(apiToken, url, members.next, 2);
    expect(rest.members?.map((m) => m.userId)).toEqual([carol]);
  });

  it("POST .../messages: MESG, ADMM, FILE by URL", async () => {
    const text = await messages.sendMessage(
      apiToken,
      channelType,
      url,
      data<sdk.SendMessageData>({
        userId: alice,
        messageType: "MESG",
        message: "hello",
        customType: "t",
        data: "{}",
      }),
    );
    lastMatches("SendBirdMessageResponse");
    messageId = text.messageId ?? 0;
    expect(text.user?.userId).toBe(alice);
    await messages.sendMessage(
      apiToken,
      channelType,
      url,
      data<sdk.SendMessageData>({ messageType: "ADMM", message: "notice" }),
    );
    lastMatches("SendBirdMessageResponse");
    await messages.sendMessage(
      apiToken,
      channelType,
      url,
      data<sdk.SendMessageData>({
        userId: bob,
        messageType: "FILE",
        url: "https://files.example/a.png",
        fileName: "a.png",
        fileSize: 3,
        fileType: "image/png",
        thumbnails: ["https://files.example/a-small.png"],
      }),
    );
    lastMatches("SendBirdMessageResponse");
  });

  it("GET .../messages around message_ts or message_id, with message_type", async () => {
    const all = await messages.listMessages(apiToken, channelType, url, "0", undefined, 0, 10);
    lastMatches("ListMessagesResponse");
    expect(all.messages?.map((m) => m.type)).toEqual(["MESG", "ADMM", "FILE"]);
    const around = await messages.listMessages(
      apiToken,
      channelType,
      url,
      undefined,
      messageId,
      0,
      10,
      false,
      true,
    );
    lastMatches("ListMessagesResponse");
    expect(around.messages?.map((m) => m.type)).toEqual(["FILE", "ADMM"]);
    // message_type is parameter 14.
    const admin = await messages.listMessages(
      apiToken,
      channelType,
      url,
      "0",
      undefined,
      0,
      10,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      "ADMM",
    );
    expect(admin.messages?.map((m) => m.message)).toEqual(["notice"]);
  });

  it("GET, PUT, DELETE .../messages/{message_id} and GET .../messages/total_count", async () => {
    await messages.viewMessageById(apiToken, channelType, url, String(messageId));
    lastMatches("SendBirdMessageResponse");
    const edited = await messages.updateMessageById(
      apiToken,
      channelType,
      url,
      String(messageId),
      data<sdk.UpdateMessageByIdData>({
        messageType: "MESG",
        message: "hello again",
      }),
    );
    lastMatches("SendBirdMessageResponse");
    expect(edited.message).toBe("hello again");
    expect((await messages.viewTotalNumberOfMessagesInChannel(apiToken, channelType, url)).total).toBe(3);
    lastMatches("ViewTotalNumberOfMessagesInChannelResponse");
    await messages.deleteMessageById(apiToken, channelType, url, String(messageId));
    expect(log.at(-1)).toMatchObject({ status: 200, json: {} });
    expect((await messages.viewTotalNumberOfMessagesInChannel(apiToken, channelType, url)).total).toBe(2);
  });

  it("PUT .../messages/mark_as_read, GET .../messages/unread_count?user_ids= with encoded ids", async () => {
    await messages.gcMarkAllMessagesAsRead(
      apiToken,
      url,
      data<sdk.GcMarkAllMessagesAsReadData>({ userId: bob }),
    );
    expect(log.at(-1)).toMatchObject({ status: 200, json: {} });
    const counts = await messages.gcViewNumberOfEachMembersUnreadMessages(
      apiToken,
      url,
      [alice, bob, carol].join(","),
    );
    const exchange = lastMatches("GcViewNumberOfEachMembersUnreadMessagesResponse");
    // The SDK encodes the whole list once, commas included.
    expect(exchange.pathAndQuery).toContain("user_ids=alice%40example.com%2Cbob%20smith%2Ccarol%2B1%25");
    // Others' messages after each read receipt: alice's own (deleted) text is not counted.
    expect(counts.unread).toEqual({ [alice]: 2, [bob]: 0, [carol]: 2 });
  });

  it("GET /v3/users/{user_id}/my_group_channels with podchat's parameters", async () => {
    const mine = await users.listMyGroupChannels(
      apiToken,
      alice,
      undefined,
      100,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      "unread_message",
      undefined,
      undefined,
      true,
      undefined,
      undefined,
      undefined,
      undefined,
      "latest_last_message",
      undefined,
      "pod",
      undefined,
      undefined,
      undefined,
      undefined,
      "SDK",
    );
    lastMatches("ListMyGroupChannelsResponse");
    expect(mine.channels?.map((c) => c.channelUrl)).toEqual([url]);
    expect(mine.channels?.[0]?.unreadMessageCount).toBe(2);
  });

  it("PUT .../freeze; a body without freeze is 400105", async () => {
    const frozen = await moderation.gcFreezeChannel(
      apiToken,
      url,
      data<sdk.GcFreezeChannelData>({ freeze: true }),
    );
    lastMatches("SendBirdGroupChannel");
    expect(frozen.freeze).toBe(true);
    await moderation.gcFreezeChannel(apiToken, url, data<sdk.GcFreezeChannelData>({ freeze: false }));
    const missing = await apiError(
      moderation.gcFreezeChannel(apiToken, url, data<sdk.GcFreezeChannelData>({})),
    );
    expect(missing).toMatchObject({ status: 400, body: { error: true, code: 400105 } });
  });

  it("bans: POST, GET list, GET one, DELETE; a banned user cannot be invited (400750)", async () => {
    await moderation.gcBanUser(
      apiToken,
      url,
      data<sdk.GcBanUserData>({ userId: carol, seconds: 60, description: "spam" }),
    );
    lastMatches("GcBanUserResponse");
    const list = await moderation.gcListBannedUsers(apiToken, url, undefined, 10);
    lastMatches("GcListBannedUsersResponse");
    expect(list.bannedList?.map((b) => b.user?.userId)).toEqual([carol]);
    await moderation.gcViewBanById(apiToken, url, carol);
    expect(lastMatches("GcViewBanByIdResponse").pathAndQuery).toBe(
      `/v3/group_channels/${url}/ban/carol%2B1%25`,
    );
    const invite = await apiError(
      channels.gcInviteAsMembers(apiToken, url, data<sdk.GcInviteAsMembersData>({ userIds: [carol] })),
    );
    expect(invite).toMatchObject({ status: 400, body: { code: 400750 } });
    await moderation.gcUnbanUserById(apiToken, url, carol);
    expect(log.at(-1)).toMatchObject({ status: 200, json: {} });
    expect((await apiError(moderation.gcViewBanById(apiToken, url, carol))).body.code).toBe(400201);
  });

  it("mutes: POST, GET list, DELETE", async () => {
    await moderation.gcMuteUser(
      apiToken,
      url,
      data<sdk.GcMuteUserData>({ userId: bob, seconds: 60, description: "quiet" }),
    );
    lastMatches("SendBirdGroupChannel");
    const list = await moderation.gcListMutedUsers(apiToken, url, undefined, 10);
    lastMatches("GcListMutedUsersResponse");
    expect(list.mutedList?.map((m) => m.userId)).toEqual([bob]);
    await moderation.gcUnmuteUserById(apiToken, url, bob);
    expect(log.at(-1)).toMatchObject({ status: 200, json: {} });
  });

  it("operators: POST, GET, DELETE ?operator_ids= with encoded ids", async () => {
    await channels.gcRegisterOperators(
      apiToken,
      url,
      data<sdk.GcRegisterOperatorsData>({ operatorIds: [alice, bob] }),
    );
    lastMatches("GcRegisterOperatorsResponse");
    const list = await channels.gcListOperators(apiToken, url, undefined, 10);
    lastMatches("GcListOperatorsResponse");
    expect(list.operators?.map((o) => o.userId)).toEqual([alice, bob]);
    await channels.gcCancelTheRegistrationOfOperators(apiToken, url, [alice, bob]);
    expect(log.at(-1)).toMatchObject({ status: 200, json: {} });
    expect(log.at(-1)?.pathAndQuery).toContain("operator_ids=alice%40example.com%2Cbob%20smith");
    expect((await channels.gcListOperators(apiToken, url)).operators).toEqual([]);
  });

  it("DELETE /v3/group_channels/{channel_url}; then 400201 in Sendbird's error body", async () => {
    await channels.gcDeleteChannelByUrl(apiToken, url);
    expect(log.at(-1)).toMatchObject({ status: 200, json: {} });
    const gone = await apiError(channels.gcViewChannelByUrl(apiToken, url));
    expect(gone.status).toBe(400);
    expect(Object.keys(gone.body).sort()).toEqual(["code", "error", "message"]);
    expect(gone.body).toMatchObject({ error: true, code: 400201 });
  });
});
