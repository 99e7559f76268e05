// Which frames are which, without zod: the SDK's bundle imports this, not the schemas.
import type { ServerFrame } from "./server-frame.ts";
import type { MessageFrame } from "./server-frames.ts";

/** The `type`s of message frames (stored messages), as opposed to events and replies. */
export const messageFrameTypes: ReadonlySet<string> = new Set(["MESG", "FILE", "IMAGE", "ADMM"]);

/** A message frame (MESG, FILE, IMAGE, ADMM). */
export function isMessageFrame(f: ServerFrame): f is MessageFrame {
  return messageFrameTypes.has(f.type);
}
