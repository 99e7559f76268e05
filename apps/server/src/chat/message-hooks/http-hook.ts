import { MessageHookAnswer, type MessageHookRequest, WEBHOOK_HEADERS } from "@podchat/protocol";
import { signWebhook } from "../../webhooks/signature.ts";
import type { HookVerdict, MessageHook } from "./types.ts";

export interface HttpHookOptions {
  url: string;
  secret: string;
  timeout_ms: number;
  /** What a time-out, an error status, or an answer that is not a valid verdict means. */
  on_failure: "accept" | "reject";
  /** Requests in flight at once; more wait for a slot (within their time-out). */
  concurrency: number;
}

export interface HttpHookDeps {
  fetch?: typeof fetch;
  onFailure?: (why: string) => void;
}

/**
 * Asks the app's backend: POSTs {@link MessageHookRequest} signed like a webhook, and takes the
 * answer {@link MessageHookAnswer}. The time-out covers the wait for a slot too, so an overloaded
 * backend meets the failure policy instead of holding senders.
 */
export function httpHook(o: HttpHookOptions, deps: HttpHookDeps = {}): MessageHook {
  const doFetch = deps.fetch ?? globalThis.fetch;
  let inFlight = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    inFlight--;
    queue.shift()?.();
  };
  const acquire = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (inFlight < o.concurrency) {
        inFlight++;
        return resolve();
      }
      const go = () => {
        signal.removeEventListener("abort", drop);
        inFlight++;
        resolve();
      };
      const drop = () => {
        const i = queue.indexOf(go);
        if (i >= 0) queue.splice(i, 1);
        reject(new Error("no free slot before the time-out"));
      };
      queue.push(go);
      signal.addEventListener("abort", drop, { once: true });
    });

  const failed = (why: string): HookVerdict => {
    deps.onFailure?.(why);
    return o.on_failure === "accept"
      ? { action: "accept" }
      : { action: "reject", reason: "the message could not be checked; try again later" };
  };

  return {
    kind: "http",
    async check(input) {
      const signal = AbortSignal.timeout(o.timeout_ms);
      try {
        await acquire(signal);
      } catch (e) {
        return failed(`http hook: ${(e as Error).message}`);
      }
      try {
        const body = JSON.stringify(input satisfies MessageHookRequest);
        const ts = Math.floor(Date.now() / 1000);
        const res = await doFetch(o.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [WEBHOOK_HEADERS.timestamp]: String(ts),
            [WEBHOOK_HEADERS.signature]: signWebhook(o.secret, ts, body),
          },
          body,
          signal,
        });
        const text = await res.text();
        if (!res.ok) return failed(`http hook: HTTP ${res.status}`);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return failed("http hook: the answer is not JSON");
        }
        const r = MessageHookAnswer.safeParse(json);
        if (!r.success) return failed(`http hook: not a valid answer: ${r.error.issues[0]?.message ?? "?"}`);
        const a = r.data;
        if (a.action === "reject") return { action: "reject", reason: a.reason ?? "rejected by the app" };
        if (a.action === "rewrite") return { action: "rewrite", message: a.message };
        return { action: "accept" };
      } catch (e) {
        const timeout = signal.aborted;
        return failed(
          timeout ? `http hook: no answer within ${o.timeout_ms} ms` : `http hook: ${(e as Error).message}`,
        );
      } finally {
        release();
      }
    },
  };
}
