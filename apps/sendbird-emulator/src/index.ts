export { startSendbirdEmulator } from "./start-sendbird-emulator.ts";
export type { SendbirdEmulator, SendbirdEmulatorOptions } from "./start-sendbird-emulator.ts";
export type { Faults, FailOptions } from "./faults.ts";
export type {
  EmulatorChannel,
  EmulatorFile,
  EmulatorMessage,
  EmulatorRestriction,
  EmulatorState,
  EmulatorUser,
  RecordedRequest,
} from "./emulator-state.ts";
export { SendbirdErrorCode } from "./sendbird-error.ts";
export type { SendbirdErrorBody } from "./sendbird-error.ts";
