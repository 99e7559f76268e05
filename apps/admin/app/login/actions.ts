"use server";
import { AdminLoginResponse } from "@podchat/protocol";
import { redirect } from "next/navigation";
import { ApiError } from "@/lib/api-error";
import { serverJson } from "@/lib/server-api";
import { endSession, startSession } from "@/lib/session";

export interface SignInState {
  error: string | null;
  username: string;
}

/** Only same-site paths, so `?next=` cannot send the admin elsewhere. */
function safeNext(value: FormDataEntryValue | null): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export async function signIn(_prev: SignInState, form: FormData): Promise<SignInState> {
  const username = String(form.get("username") ?? "").trim();
  const password = String(form.get("password") ?? "");
  if (!username || !password) return { error: "Enter a username and a password.", username };
  try {
    const session = await serverJson("/api/v1/admin/login", AdminLoginResponse, {
      method: "POST",
      body: { username, password },
      token: null,
    });
    await startSession(session.token, session.username, session.expires_at);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401 || error.status === 403) {
      return {
        error: `Sign-in refused: not an admin, or wrong username or password (${error.message}).`,
        username,
      };
    }
    if (error.code === "SERVER_UNREACHABLE")
      return { error: "podchat server unreachable: cannot sign in.", username };
    return { error: `Sign-in failed: ${error.message}`, username };
  }
  redirect(safeNext(form.get("next")));
}

export async function signOut(): Promise<void> {
  await endSession();
  redirect("/login");
}
