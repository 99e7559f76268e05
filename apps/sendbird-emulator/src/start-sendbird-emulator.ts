import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { ServerType } from "@hono/node-server";
import { createEmulatorApp } from "./create-emulator-app.ts";
import { createEmulatorState } from "./emulator-state.ts";
import type { EmulatorState } from "./emulator-state.ts";
import { createFaultQueue } from "./faults.ts";
import type { Faults } from "./faults.ts";

export interface SendbirdEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Only loopback: the emulator is a test and dev tool. */
  host?: "127.0.0.1";
  /** The token clients must send in `Api-Token`. */
  apiToken: string;
  /** Sendbird application id; reported in `state.appId`. Default `local`. */
  appId?: string;
}

export interface SendbirdEmulator {
  /** Base url including `/v3`, e.g. `http://127.0.0.1:40123/v3`: a `SendbirdService` `baseUrl`. */
  readonly url: string;
  /** The server's origin, where `/__emulator/faults` lives. */
  readonly origin: string;
  readonly port: number;
  readonly faults: Faults;
  readonly state: EmulatorState;
  close(): Promise<void>;
}

/** Starts an emulator of the Sendbird Platform API v3 endpoints podchat uses, on 127.0.0.1. */
export async function startSendbirdEmulator(options: SendbirdEmulatorOptions): Promise<SendbirdEmulator> {
  const host = options.host ?? "127.0.0.1";
  const state = createEmulatorState(options.appId ?? "local");
  const faults = createFaultQueue();
  const app = createEmulatorApp({ state, faults, apiToken: options.apiToken });

  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, (info: AddressInfo) =>
      resolve({ server, port: info.port }),
    );
    server.once("error", reject);
  });

  const origin = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/v3`,
    origin,
    port,
    faults,
    state,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        faults.reset();
        server.close((err) => (err ? reject(err) : resolve()));
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      return closing;
    },
  };
}
