export { SendbirdService, createSendbirdService } from "./sendbird-service.ts";
export type {
  CreateGroupChannelInput,
  CreateUserInput,
  ListGroupChannelsInput,
  ListMembersInput,
  ListMessagesInput,
  PageInput,
  RestrictUserInput,
  SendMessageInput,
  SendbirdData,
  SendbirdServiceOptions,
  UpdateGroupChannelInput,
  UpdateMessageInput,
} from "./sendbird-service.ts";
export { SendbirdApiError, SendbirdErrorCode, isSendbirdApiError } from "./sendbird-api-error.ts";
export type { SendbirdFailureKind } from "./sendbird-api-error.ts";
export { createSendbirdProvider } from "./sendbird-provider.ts";
export type {
  SendbirdBan,
  SendbirdBanList,
  SendbirdChannelList,
  SendbirdGroupChannel,
  SendbirdMember,
  SendbirdMemberList,
  SendbirdMessage,
  SendbirdMuteList,
  SendbirdOperatorList,
  SendbirdUser,
} from "./sendbird-types.ts";
