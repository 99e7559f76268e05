import * as sdk from "sendbird-platform-sdk-typescript";
import type { RequestContext } from "sendbird-platform-sdk-typescript";

/** One request the SDK made and what came back, as raw as the wire had it. */
export interface Exchange {
  method: string;
  /** Path and query exactly as the SDK built them (percent-encoding included). */
  pathAndQuery: string;
  /** The JSON body the SDK sent, parsed; undefined without a body. */
  body: unknown;
  status: number;
  /** The response body, parsed (undefined when empty). */
  json: unknown;
}

/**
 * The SDK's own HTTP library (node-fetch), wrapped to keep each exchange: the SDK's models
 * rename keys to camelCase, and the shape checks need the JSON the emulator really sent.
 */
export function recordingHttp(log: Exchange[]): sdk.HttpLibrary {
  const inner = new sdk.IsomorphicFetchHttpLibrary();
  return sdk.wrapHttpLibrary({
    async send(request: RequestContext) {
      const response = await inner.send(request).toPromise();
      const text = await response.body.text();
      const url = new URL(request.getUrl());
      const body = request.getBody();
      log.push({
        method: request.getHttpMethod(),
        pathAndQuery: url.pathname + url.search,
        body: typeof body === "string" && body !== "" ? JSON.parse(body) : undefined,
        status: response.httpStatusCode,
        json: text === "" ? undefined : JSON.parse(text),
      });
      return new sdk.ResponseContext(response.httpStatusCode, response.headers, {
        text: async () => text,
        binary: async () => Buffer.from(text),
      });
    },
  });
}
