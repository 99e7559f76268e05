"use client";
import { useActionState } from "react";
import { type SignInState, signIn } from "../actions";

export function LoginForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signIn, {
    error: null,
    username: "",
  });
  return (
    <form action={action} style={{ display: "grid", gap: "0.75rem" }}>
      {state.error ? (
        <div role="alert" className="banner error">
          {state.error}
        </div>
      ) : null}
      <input type="hidden" name="next" value={next} />
      <label>
        Username
        <input name="username" autoComplete="username" defaultValue={state.username} required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
