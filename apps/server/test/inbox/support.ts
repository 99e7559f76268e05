import { type Frame, type TestServer, TestSocket, token } from "../harness.ts";

/** Opens a user connection (`/api/v1/chat/ws?token=`) and waits for READY. */
export async function userSocket(t: TestServer, userId: string): Promise<{ s: TestSocket; ready: Frame }> {
  const s = TestSocket.open(`${t.wsUrl}/api/v1/chat/ws?token=${await token(userId)}`);
  await s.opened;
  const ready = await s.type("READY");
  return { s, ready };
}

let reqs = 0;

/** Subscribes and waits for SUBSCRIBED (or the ERROR about that channel). */
export async function subscribe(s: TestSocket, channelUrl: string, sinceSeq?: number): Promise<Frame> {
  const req_id = `sub${++reqs}`;
  s.send({
    type: "SUBSCRIBE",
    channel_url: channelUrl,
    req_id,
    ...(sinceSeq !== undefined ? { since_seq: sinceSeq } : {}),
  });
  return s.next((f) => f.req_id === req_id && (f.type === "SUBSCRIBED" || f.type === "ERROR"));
}

/** Asks for an inbox page and waits for it. */
export async function inboxPage(s: TestSocket, query: Record<string, unknown> = {}): Promise<Frame> {
  const req_id = `inbox${++reqs}`;
  s.send({ type: "INBOX_LIST", req_id, ...query });
  return s.next((f) => f.req_id === req_id && (f.type === "INBOX_PAGE" || f.type === "ERROR"));
}

/** Sends a message on a channel of the user connection and waits for its ACK. */
export async function sendOn(s: TestSocket, channelUrl: string, message: string): Promise<Frame> {
  const req_id = `m${++reqs}`;
  s.send({ type: "MESG", channel_url: channelUrl, message, req_id });
  return s.next((f) => f.req_id === req_id && (f.type === "ACK" || f.type === "ERROR"));
}

/** Message frames of one channel, in arrival order. */
export const messagesOf = (s: TestSocket, channelUrl: string) =>
  s.frames.filter((f) => f.type === "MESG" && f.channel_url === channelUrl);
