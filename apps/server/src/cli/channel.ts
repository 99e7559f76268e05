import { CreateChannelBody } from "@podchat/protocol";
import type { Config } from "../config/index.ts";
import { CliError } from "./cli-error.ts";

export interface CreateChannelOptions {
  channelUrl: string;
  name?: string;
  /** Comma-separated user ids. */
  users: string;
  /** A JSON object. */
  data?: string;
  customType?: string;
  /** Base URL of the running server; default server.public_url, else 127.0.0.1 on server.port. */
  server?: string;
  /** Default: the first of auth.api_keys. */
  apiKey?: string;
}

/** Where a CLI on this machine reaches the configured server. */
function serverUrl(config: Config): string {
  if (config.server.public_url) return config.server.public_url.replace(/\/+$/, "");
  const host = ["0.0.0.0", "::", ""].includes(config.server.host) ? "127.0.0.1" : config.server.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${config.server.port}`;
}

/**
 * `podchat channel create`: through the REST API of a running server, so the channel goes the one
 * way every channel goes (flag resolution to websocket or Sendbird, validation, events to other
 * instances) and the CLI needs no database credentials.
 */
export async function createChannelViaApi(config: Config, o: CreateChannelOptions): Promise<unknown> {
  let data: unknown;
  if (o.data !== undefined) {
    try {
      data = JSON.parse(o.data);
    } catch (e) {
      throw new CliError(`--data is not JSON: ${(e as Error).message}`);
    }
  }
  const body = {
    channel_url: o.channelUrl,
    user_ids: o.users
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(data !== undefined ? { data } : {}),
    ...(o.customType !== undefined ? { custom_type: o.customType } : {}),
  };
  const checked = CreateChannelBody.safeParse(body);
  if (!checked.success) {
    const why = checked.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    throw new CliError(`${why}`);
  }
  const apiKey = o.apiKey ?? config.auth.api_keys[0];
  if (!apiKey) throw new CliError("no API key (pass --api-key or set API_KEYS)");
  const base = (o.server ?? serverUrl(config)).replace(/\/+$/, "");
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/chat/channels`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Api-Key": apiKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    const c = (e as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message ?? (e as Error).message;
    throw new CliError(`no podchat server answers at ${base} (${cause}); start one or pass --server`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new CliError(`the server answered ${res.status}${err ? ` ${err.code}: ${err.message}` : ""}`);
  }
  return json;
}
