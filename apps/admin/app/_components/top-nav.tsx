import Link from "next/link";
import { signOut } from "../login/actions";

export function TopNav({ user }: { user: string }) {
  return (
    <nav className="top" aria-label="Main">
      <strong>podchat admin</strong>
      <Link href="/">Overview</Link>
      <Link href="/channels">Channels</Link>
      <Link href="/users">Users</Link>
      <Link href="/flags">Flags</Link>
      <Link href="/audit">Audit</Link>
      <Link href="/webhooks">Webhooks</Link>
      <Link href="/playground">Playground</Link>
      <span className="spacer" />
      <span>Signed in as {user}</span>
      <form action={signOut}>
        <button type="submit">Sign out</button>
      </form>
    </nav>
  );
}
