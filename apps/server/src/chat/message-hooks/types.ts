/** What a hook sees: the text about to be stored (a MESG, a FILE/IMAGE caption, or an edit). */
export interface HookInput {
  channel_url: string;
  user_id: string | null;
  message: string;
  custom_type: string | null;
  data: Record<string, unknown> | null;
  kind: "send" | "edit";
}

/** A hook's verdict: keep the text, replace it, or refuse the message (nothing is stored). */
export type HookVerdict =
  | { action: "accept" }
  | { action: "rewrite"; message: string }
  | { action: "reject"; reason: string };

export interface MessageHook {
  readonly kind: string;
  check(input: HookInput): Promise<HookVerdict> | HookVerdict;
  close?(): void;
}
