import Link from "next/link";
import { env } from "@/lib/env";
import { InboxPlayground } from "./_components/inbox-playground";

export const dynamic = "force-dynamic";

export default function InboxPlaygroundPage() {
  return (
    <>
      <h1>Inbox playground</h1>
      <p className="muted">
        One user&apos;s channel list, live, through <code>@podchat/client-sdk/inbox</code>: one socket (the
        user connection to {env.publicServerUrl}) carries the list and every channel opened from it.{" "}
        <Link href="/playground">One channel at a time</Link>
      </p>
      <InboxPlayground serverUrl={env.publicServerUrl} />
    </>
  );
}
