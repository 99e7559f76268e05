import { expect, it } from "vitest";
import { readEnv } from "./env";

it("defaults to localhost:8000 and lets the public URL differ", () => {
  expect(readEnv({})).toEqual({
    serverUrl: "http://localhost:8000",
    publicServerUrl: "http://localhost:8000",
    secureCookies: false,
  });
  expect(
    readEnv({ PODCHAT_SERVER_URL: "http://10.0.0.1:8000/", PODCHAT_PUBLIC_URL: "https://chat.example" }),
  ).toMatchObject({
    serverUrl: "http://10.0.0.1:8000",
    publicServerUrl: "https://chat.example",
  });
  expect(() => readEnv({ PODCHAT_SERVER_URL: "localhost:8000" })).toThrow(/not an http/);
});
