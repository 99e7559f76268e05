import { writeFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";

/**
 * CPU profiles of the measured window only (not the connection ramp, which `--cpu-prof` would
 * mix in): each podchat server runs with `--inspect=127.0.0.1:0`, and the V8 profiler is started
 * and stopped over the inspector protocol around the window.
 */
export interface WindowProfile {
  /** Stops the profilers and writes `<name>-<i>.cpuprofile` into `dir`; returns the paths. */
  stop(dir: string, name: string): Promise<string[]>;
}

class InspectorSession {
  private nextId = 1;
  private waiting = new Map<number, (r: { result?: unknown; error?: { message: string } }) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id !== undefined) this.waiting.get(msg.id)?.(msg);
    });
  }
  static async open(url: string): Promise<InspectorSession> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new InspectorSession(ws);
  }
  call<T>(method: string, params?: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, (r) => {
        this.waiting.delete(id);
        if (r.error) reject(new Error(`${method}: ${r.error.message}`));
        else resolve(r.result as T);
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }
  close() {
    this.ws.close();
  }
}

export async function startWindowProfile(inspectorUrls: string[]): Promise<WindowProfile> {
  const sessions = await Promise.all(inspectorUrls.map((u) => InspectorSession.open(u)));
  for (const s of sessions) {
    await s.call("Profiler.enable");
    await s.call("Profiler.start");
  }
  return {
    async stop(dir, name) {
      const paths: string[] = [];
      for (const [i, s] of sessions.entries()) {
        const { profile } = await s.call<{ profile: unknown }>("Profiler.stop");
        const path = join(dir, `${name}-${i + 1}.cpuprofile`);
        writeFileSync(path, JSON.stringify(profile));
        paths.push(path);
        s.close();
      }
      return paths;
    },
  };
}
