import { type ApiErrorData, describeError } from "@/lib/api-error";

/** A visible error: server down, forbidden, validation (with the offending field). */
export function ErrorBanner({ error }: { error: ApiErrorData | null | undefined }) {
  if (!error) return null;
  return (
    <div role="alert" className="banner error" data-code={error.code}>
      {describeError(error)}
    </div>
  );
}
