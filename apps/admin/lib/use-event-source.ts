"use client";
import { useEffect, useRef } from "react";
import { type ApiErrorData, toApiErrorData } from "./api-error";
import { callApi } from "./client-api";

export type EventHandlers = Record<string, (data: unknown) => void>;

export interface EventSourceCallbacks {
  onOpen?: () => void;
  /** The stream broke; `error` says why when the probe found out (server down, signed out …). */
  onDown?: (error: ApiErrorData | null) => void;
}

const RETRY_MS = 3_000;

/**
 * Subscribes to a Server-Sent Events route of the admin (same origin, so the session cookie goes
 * along). EventSource retries by itself after network blips; when the route answers with an error
 * instead of a stream it gives up, so this probes `probeUrl` for the reason and retries later.
 */
export function useEventSource(
  url: string,
  probeUrl: string,
  handlers: EventHandlers,
  callbacks: EventSourceCallbacks = {},
): void {
  const ref = useRef({ handlers, callbacks });
  ref.current = { handlers, callbacks };
  const events = Object.keys(handlers).sort().join(",");

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const open = () => {
      source = new EventSource(url);
      source.onopen = () => ref.current.callbacks.onOpen?.();
      for (const name of events.split(",").filter(Boolean)) {
        source.addEventListener(name, (ev) => {
          let data: unknown;
          try {
            data = JSON.parse((ev as MessageEvent<string>).data);
          } catch {
            return;
          }
          ref.current.handlers[name]?.(data);
        });
      }
      source.onerror = () => {
        if (!source || source.readyState !== EventSource.CLOSED) {
          ref.current.callbacks.onDown?.(null);
          return;
        }
        source.close();
        callApi(probeUrl).then(
          () => ref.current.callbacks.onDown?.(null),
          (error: unknown) => ref.current.callbacks.onDown?.(toApiErrorData(error)),
        );
        if (!stopped) retry = setTimeout(open, RETRY_MS);
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [url, probeUrl, events]);
}
