import { env } from "@/lib/env";
import { Playground } from "./_components/playground";

export const dynamic = "force-dynamic";

export default function PlaygroundPage() {
  return (
    <>
      <h1>Playground</h1>
      <p className="muted">
        Chat as any user through <code>@podchat/client-sdk</code>: the admin mints a short-lived token for
        that user, then this browser connects to {env.publicServerUrl} directly.
      </p>
      <Playground serverUrl={env.publicServerUrl} />
    </>
  );
}
