/** Code the admin uses when the podchat server cannot be reached at all. */
const SERVER_UNREACHABLE = "SERVER_UNREACHABLE";

/** An error body of the podchat API (`{ error: { code, message, field? } }`) with its HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** Plain data, to cross the server/client boundary. */
  toJSON(): ApiErrorData {
    return { status: this.status, code: this.code, message: this.message, field: this.field };
  }
}

export interface ApiErrorData {
  status: number;
  code: string;
  message: string;
  field?: string | undefined;
}

/** Reads an error body; anything else becomes a generic error carrying the status. */
export function apiErrorFrom(status: number, body: unknown): ApiError {
  const error = (body as { error?: unknown } | null)?.error;
  if (error && typeof error === "object") {
    const { code, message, field } = error as Record<string, unknown>;
    if (typeof code === "string" && typeof message === "string") {
      return new ApiError(status, code, message, typeof field === "string" ? field : undefined);
    }
  }
  return new ApiError(
    status,
    status >= 500 ? "INTERNAL" : "HTTP_ERROR",
    `request failed with HTTP ${status}`,
  );
}

export function unreachableError(): ApiError {
  return new ApiError(502, SERVER_UNREACHABLE, "podchat server unreachable");
}

/** One sentence for people: what went wrong and, for validation errors, which field. */
export function describeError(error: ApiErrorData): string {
  if (error.code === SERVER_UNREACHABLE) return "podchat server unreachable: check that it is running.";
  const field = error.field ? ` (field: ${error.field})` : "";
  if (error.status === 401) return `Not signed in: ${error.message}`;
  if (error.status === 403) return `Forbidden: ${error.message}`;
  return `${error.message}${field}`;
}

export function toApiErrorData(error: unknown): ApiErrorData {
  if (error instanceof ApiError) return error.toJSON();
  return { status: 0, code: "CLIENT_ERROR", message: error instanceof Error ? error.message : String(error) };
}
