/**
 * `@podchat/protocol/validate`: the protocol's validators without zod, for bundles that count their
 * bytes (the client SDK). Each is generated from the zod schema of the same name (see
 * `scripts/gen-validators.ts`) and accepts, rejects and returns exactly what that schema's parse
 * does for JSON values (`src/validators.test.ts`). Servers and tools use the zod schemas of
 * `@podchat/protocol`.
 */
import { type Check, type Parsed, run } from "./check.ts";
import { ChannelServerFrame, ServerFrame, UserServerFrame } from "./generated/validators.ts";
import type {
  ChannelServerFrame as ChannelServerFrameType,
  ServerFrame as ServerFrameType,
  UserServerFrame as UserServerFrameType,
} from "./server-frame.ts";

export { type Check, F, type Issue, type Parsed, run } from "./check.ts";
export { isMessageFrame, messageFrameTypes } from "./frame-kinds.ts";
export * from "./generated/validators.ts";

/** `run` bound to a check: `(value) => { success, data } | { success: false, error }`. */
export const parser =
  <T>(check: Check<T>) =>
  (value: unknown): Parsed<T> =>
    run(check, value);

/** Validates a server frame, as `ServerFrame.safeParse` does; `error` names the field that failed. */
export const parseServerFrame = (value: unknown): Parsed<ServerFrameType> => run(ServerFrame, value);

/** Validates a frame of the per-channel endpoint only (smaller: the SDK core's check). @since 0.3 */
export const parseChannelServerFrame = (value: unknown): Parsed<ChannelServerFrameType> =>
  run(ChannelServerFrame, value);

/** Validates a frame of the user connection (`/api/v1/chat/ws`): the inbox entry's check. @since 0.3 */
export const parseUserServerFrame = (value: unknown): Parsed<UserServerFrameType> =>
  run(UserServerFrame, value);
