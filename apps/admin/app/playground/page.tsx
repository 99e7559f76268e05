import Link from "next/link";
import { env } from "@/lib/env";
import { Playground } from "./_components/playground";

export const dynamic = "force-dynamic";

export default function PlaygroundPage() {
  return (
    <>
      <h1>Playground</h1>
      <p className="muted">
        Chat as any user through <code>@podchat/client-sdk</code>: the admin mints a short-lived token for
        that user, then this browser connects to {env.publicServerUrl} directly. To see a user&apos;s whole
        channel list live and chat in any of it on one socket, open the{" "}
        <Link href="/playground/inbox">inbox playground</Link>.
      </p>
      <Playground serverUrl={env.publicServerUrl} />
    </>
  );
}
