import { ClientErrorCode, PodchatError } from "./errors.ts";
import { errorOfBody } from "./rest-bodies.ts";
import type { FetchLike } from "./types.ts";

/** Token source shared by a client's channels and REST calls. */
export class TokenSource {
  #current: string | undefined;
  #inflight: Promise<string> | undefined;

  readonly #getter: (() => Promise<string>) | undefined;

  constructor(token: string | undefined, getter: (() => Promise<string>) | undefined) {
    this.#current = token;
    this.#getter = getter;
  }

  get canRefresh(): boolean {
    return this.#getter !== undefined;
  }

  /** The token in use, asking the getter only when there is none yet. */
  async get(): Promise<string | undefined> {
    if (this.#current !== undefined || !this.#getter) return this.#current;
    return this.refresh();
  }

  /** Asks the getter for a fresh token; concurrent callers share one call. */
  refresh(): Promise<string> {
    const getter = this.#getter;
    if (!getter) return Promise.reject(new PodchatError("UNAUTHORIZED", "token rejected and no getToken"));
    this.#inflight ??= getter()
      .then((t) => {
        this.#current = t;
        return t;
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }
}

/** Validates a REST body. */
export type Parse<T> = (body: unknown) => { success: true; data: T } | { success: false; error?: string };

/**
 * Calls a podchat REST resource with the bearer token (GET unless `init` says otherwise), refreshing
 * the token once on 401, and validates the body with `parse`. Failures become
 * {@link PodchatError}s with the server's code.
 */
export async function getJson<T>(
  fetchFn: FetchLike,
  tokens: TokenSource,
  url: string,
  parse: Parse<T>,
  init: { method?: string; body?: FormData } = {},
): Promise<T> {
  const method = init.method ?? "GET";
  let token = await tokens.get();
  for (let tried = 0; ; tried++) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
    let res: Awaited<ReturnType<FetchLike>>;
    let body: unknown;
    try {
      res = await fetchFn(url, { ...init, method, headers });
      body = await res.json().catch(() => undefined);
    } catch (cause) {
      throw new PodchatError(ClientErrorCode.NETWORK_ERROR, `${method} ${url} failed`, { cause });
    }
    if (res.status === 401 && tried === 0 && tokens.canRefresh) {
      token = await tokens.refresh();
      continue;
    }
    if (!res.ok) {
      const err = errorOfBody(body);
      const code = err?.code ?? `HTTP_${res.status}`;
      const message = err?.message ?? `${method} ${url} returned ${res.status}`;
      throw new PodchatError(code, message, { status: res.status });
    }
    const parsed = parse(body);
    if (!parsed.success)
      throw new PodchatError(
        ClientErrorCode.BAD_RESPONSE,
        `${method} ${url}: unexpected body${parsed.error ? ` (${parsed.error})` : ""}`,
      );
    return parsed.data;
  }
}
