import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { encodeTextFrame, usesPreEncodedFrames, writeEncodedFrame, writePing } from "./ws-frame.ts";

describe("pre-encoded text frames", () => {
  let wss: WebSocketServer | undefined;
  afterEach(() => wss?.close());

  it("encode the three payload-length forms exactly as ws frames them", async () => {
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
    await once(wss, "listening");
    const serverSide = once(wss, "connection");
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const [server] = (await serverSide) as [WebSocket];
    await once(client, "open");
    expect(usesPreEncodedFrames(server)).toBe(true);

    const texts = ["", "héllo ✓", "x".repeat(125), "y".repeat(126), "z".repeat(65535), "€".repeat(30000)];
    const got: string[] = [];
    const all = new Promise<void>((resolve) =>
      client.on("message", (data, isBinary) => {
        expect(isBinary).toBe(false);
        got.push(data.toString());
        if (got.length === texts.length) resolve();
      }),
    );
    for (const t of texts) {
      const f = encodeTextFrame(t);
      expect(f.payload.toString()).toBe(t);
      writeEncodedFrame(server, f);
    }
    await all;
    expect(got).toEqual(texts);
    client.close();
  });

  it("falls back to ws.send when the socket has no usable sender internals", () => {
    const sent: unknown[] = [];
    let pings = 0;
    const fake = { send: (d: unknown) => sent.push(d), ping: () => pings++ } as unknown as WebSocket;
    expect(usesPreEncodedFrames(fake)).toBe(false);
    const f = encodeTextFrame("fallback");
    writeEncodedFrame(fake, f);
    expect(sent).toHaveLength(1);
    expect(String(sent[0])).toBe("fallback");
    writePing(fake);
    expect(pings).toBe(1);
  });
});
