import type { PushDeviceKind, PushPayload } from "@podchat/protocol";
import type { StoredPushDevice } from "../store/push-store.ts";

/** One push to one device. */
export interface PushNotification {
  payload: PushPayload;
  /** Same key = the push service may replace an undelivered earlier push (Web Push Topic, FCM collapse_key, apns-collapse-id). */
  collapseKey: string;
  ttlS: number;
}

export type PushOutcome =
  | { ok: true; status: number }
  /** `gone`: the service says the device no longer exists (404/410, UNREGISTERED): remove it. */
  | { ok: false; gone: boolean; status: number | null; error: string };

/**
 * A push service adapter (port): Web Push, FCM HTTP v1, APNs. `send` never throws; it answers
 * the outcome. Adapters are built only when their credentials are configured.
 */
export interface PushProvider {
  readonly kind: PushDeviceKind;
  send(device: StoredPushDevice, n: PushNotification, signal: AbortSignal): Promise<PushOutcome>;
  close?(): Promise<void>;
}

export function failure(err: unknown, signal: AbortSignal): PushOutcome {
  const reason = signal.aborted ? signal.reason : err;
  return {
    ok: false,
    gone: false,
    status: null,
    error: reason instanceof Error ? reason.message : String(reason),
  };
}

/** At most `max` characters of an error body. */
export async function bodyText(res: Response, max = 512): Promise<string> {
  const text = await res.text().catch(() => "");
  return text.slice(0, max);
}
