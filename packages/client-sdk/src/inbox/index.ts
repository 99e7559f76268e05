// `@podchat/client-sdk/inbox`: the user connection (one socket per client for all its channels)
// and the user's live channel list. A separate entry with its own size budget (README "Size"): the
// core does not carry it. It builds on the core's public API only, imported from
// `@podchat/client-sdk` in the published build.
export { createInboxClient, type InboxClientStats, PodchatInboxClient } from "./client.ts";
export { type InboxEvents, type InboxOptions, type InboxState, PodchatInbox } from "./inbox.ts";
export type {
  InboxAddedFrame,
  InboxChannel,
  InboxModerationFrame,
  InboxReadFrame,
  InboxRemovedFrame,
  InboxUpdatedFrame,
  ReadyFrame,
} from "@podchat/protocol";
