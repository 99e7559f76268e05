import { ErrorCode } from "@podchat/protocol";
import { type MessageStore, StoreError } from "../store/message-store.ts";
import { ChatError } from "./chat-error.ts";

/**
 * A store failure as the one error type: the same code (STORE_UNAVAILABLE stays retryable), except
 * data the store cannot keep (e.g. NUL in text on PostgreSQL), which is the caller's to fix: a
 * VALIDATION_FAILED 400, never a retry.
 */
function toChatError(e: unknown): unknown {
  if (!(e instanceof StoreError)) return e;
  if (e.code === "INVALID_DATA") return new ChatError(ErrorCode.VALIDATION_FAILED, e.message, { cause: e });
  return new ChatError(e.code, e.message, { cause: e, retryable: e.retryable });
}

/**
 * The store as every layer above it sees it: each failure a `ChatError`. The one place store
 * errors are mapped, so no caller wraps its calls.
 */
export function withChatErrors(store: MessageStore): MessageStore {
  const out: Record<string, unknown> = {};
  const keys = new Set<string>();
  for (let o: object | null = store; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) if (k !== "constructor") keys.add(k);
  }
  const target = store as unknown as Record<string, unknown>;
  for (const k of keys) {
    const v = target[k];
    if (typeof v !== "function") {
      Object.defineProperty(out, k, { get: () => target[k], enumerable: true });
      continue;
    }
    out[k] = (...args: unknown[]) => {
      try {
        const r = (v as (...a: unknown[]) => unknown).apply(store, args);
        return r instanceof Promise
          ? r.catch((e) => {
              throw toChatError(e);
            })
          : r;
      } catch (e) {
        throw toChatError(e);
      }
    };
  }
  return out as unknown as MessageStore;
}
