"use client";
import {
  MessageDeletedFrame,
  MessageFrame,
  MessageUpdatedFrame,
  ModerationFrame,
  UserJoinedFrame,
  UserLeftFrame,
} from "@podchat/protocol";
import { useState } from "react";
import { ErrorBanner } from "@/app/_components/error-banner";
import { ProviderBadge } from "@/app/_components/provider-badge";
import type { ApiErrorData } from "@/lib/api-error";
import { adminPath, seg } from "@/lib/client-api";
import { useEventSource } from "@/lib/use-event-source";
import { useChannelStore } from "@/providers/channel-store-provider";
import { ChannelActions } from "./channel-actions";
import { MembersPanel } from "./members-panel";
import { MessageTail } from "./message-tail";
import { ModerationPanel } from "./moderation-panel";
import { useRefreshDetail } from "./use-refresh-detail";
import { useRefreshModeration } from "./use-refresh-moderation";

/** A channel's page: header, members, live tail (SSE) and actions. */
export function ChannelView() {
  const channel = useChannelStore((s) => s.detail.channel);
  const receiveMessage = useChannelStore((s) => s.receiveMessage);
  const receivePresence = useChannelStore((s) => s.receivePresence);
  const receiveEdit = useChannelStore((s) => s.receiveEdit);
  const receiveDelete = useChannelStore((s) => s.receiveDelete);
  const receiveModeration = useChannelStore((s) => s.receiveModeration);
  const refreshModeration = useRefreshModeration();
  const refreshDetail = useRefreshDetail();
  const [streamError, setStreamError] = useState<ApiErrorData | null>(null);
  const [live, setLive] = useState(false);
  const path = `/channels/${seg(channel.channel_url)}`;

  function onFrame(data: unknown) {
    const type = (data as { type?: unknown } | null)?.type;
    // An edit/delete entry in a shape other than MESSAGE_UPDATED/DELETED: reload the tail instead.
    const reload = () => refreshDetail().catch(() => {});
    if (type === "MESSAGE_UPDATED") {
      const parsed = MessageUpdatedFrame.safeParse(data);
      if (parsed.success) receiveEdit(parsed.data);
      else void reload();
    } else if (type === "MESSAGE_DELETED") {
      const parsed = MessageDeletedFrame.safeParse(data);
      if (parsed.success) receiveDelete(parsed.data);
      else void reload();
    } else if (type === "MODERATION") {
      const parsed = ModerationFrame.safeParse(data);
      if (parsed.success) {
        receiveModeration(parsed.data);
        refreshModeration().catch(() => {});
      }
    } else {
      const parsed = MessageFrame.safeParse(data);
      if (parsed.success) receiveMessage(parsed.data);
    }
  }

  useEventSource(
    adminPath(`${path}/stream`),
    adminPath(path),
    {
      // Messages, edits/deletions of them (seq-log entries, `message_change`) and moderation changes
      // (`moderation`, when the server streams them): each is told apart by its `type`.
      message: (data) => onFrame(data),
      message_change: (data) => onFrame(data),
      moderation: (data) => onFrame(data),
      presence: (data) => {
        const type = (data as { type?: unknown } | null)?.type;
        const parsed = (type === "USER_LEFT" ? UserLeftFrame : UserJoinedFrame).safeParse(data);
        if (parsed.success) receivePresence(parsed.data);
      },
    },
    {
      onOpen: () => {
        setLive(true);
        setStreamError(null);
      },
      onDown: (e) => {
        setLive(false);
        setStreamError(e);
      },
    },
  );

  return (
    <>
      <h1>
        {channel.channel_url} <ProviderBadge provider={channel.provider} />
      </h1>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{channel.name}</dd>
        <dt>Provider</dt>
        <dd>{channel.provider}</dd>
        <dt>Last seq</dt>
        <dd>{channel.last_seq}</dd>
        <dt>Members</dt>
        <dd>
          {channel.member_count} ({channel.online_count} online)
        </dd>
        <dt>Live tail</dt>
        <dd role="status">{live ? "● live" : "○ not live"}</dd>
      </dl>
      <ErrorBanner error={streamError} />
      <div className="row">
        <MessageTail />
        <MembersPanel />
      </div>
      <ModerationPanel />
      <ChannelActions />
    </>
  );
}
