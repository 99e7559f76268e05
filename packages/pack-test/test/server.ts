// A real podchat server for the consumer apps: in this process, 127.0.0.1, a temp SQLite file, dev env.
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { createPodchatServer, loadConfig } from "@podchat/server";

export interface ChatServer {
  url: string;
  apiKey: string;
  /** An HS256 user token signed with the dev secret (what the app's backend would mint). */
  token(userId: string): string;
  /** REST with the API key. */
  api(path: string, init?: { method?: string; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function startChatServer(dir: string, corsOrigins: string[]): Promise<ChatServer> {
  const { config, sources } = loadConfig({
    env: { APP_ENV: "dev" },
    overrides: {
      server: { host: "127.0.0.1", port: 0, cors_origins: corsOrigins },
      store: { sqlite: { path: join(dir, "chat.sqlite") } },
      uploads: { dir: join(dir, "uploads") },
      log: { level: "silent" },
    },
  });
  const secret = config.auth.jwt.secret;
  const apiKey = config.auth.api_keys[0];
  if (!secret || !apiKey) throw new Error("the dev config has no JWT secret or API key");
  const server = await createPodchatServer({ config, sources });
  const { port } = await server.listen(0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}`;
  const b64 = (s: string) => Buffer.from(s).toString("base64url");
  return {
    url,
    apiKey,
    token(userId) {
      const now = Math.floor(Date.now() / 1000);
      const head = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64(
        JSON.stringify({ sub: userId, iat: now, exp: now + 600 }),
      )}`;
      return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
    },
    api(path, init = {}) {
      return fetch(url + path, {
        method: init.method ?? "GET",
        headers: { "X-Api-Key": apiKey, "Content-Type": "application/json" },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      });
    },
    close: () => server.close(),
  };
}
