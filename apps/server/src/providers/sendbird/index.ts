export { SendbirdService, createSendbirdService } from "./sendbird-service.ts";
export type {
  CreateGroupChannelInput,
  CreateUserInput,
  ListGroupChannelsInput,
  ListMembersInput,
  ListMessagesInput,
  SendMessageInput,
  SendbirdData,
  SendbirdServiceOptions,
  UpdateGroupChannelInput,
} from "./sendbird-service.ts";
export { SendbirdApiError, SendbirdErrorCode, isSendbirdApiError } from "./sendbird-api-error.ts";
export type { SendbirdFailureKind } from "./sendbird-api-error.ts";
export { createSendbirdProvider } from "./sendbird-provider.ts";
export type {
  SendbirdChannelList,
  SendbirdGroupChannel,
  SendbirdMember,
  SendbirdMemberList,
  SendbirdMessage,
  SendbirdUser,
} from "./sendbird-types.ts";
