// The error type lives below every layer (providers, files and flags throw it too); chat and the
// edge import it from here.
export { ChatError } from "../errors/chat-error.ts";
