import { cookies } from "next/headers";
import { env } from "./env";
import { SESSION_COOKIE, USER_COOKIE } from "./session-cookie";

export async function getSessionToken(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value;
}

export async function getSessionUser(): Promise<string | undefined> {
  const jar = await cookies();
  return jar.get(SESSION_COOKIE) ? jar.get(USER_COOKIE)?.value : undefined;
}

export async function startSession(token: string, username: string, expiresAt: string): Promise<void> {
  const jar = await cookies();
  const expires = new Date(expiresAt);
  const options = {
    httpOnly: true,
    sameSite: "lax",
    secure: env.secureCookies,
    path: "/",
    ...(Number.isNaN(expires.getTime()) ? {} : { expires }),
  } as const;
  jar.set(SESSION_COOKIE, token, options);
  jar.set(USER_COOKIE, username, options);
}

export async function endSession(): Promise<void> {
  const jar = await cookies();
  jar.delete(SESSION_COOKIE);
  jar.delete(USER_COOKIE);
}
