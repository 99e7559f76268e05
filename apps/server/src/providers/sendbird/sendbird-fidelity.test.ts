import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSendbirdEmulator } from "@podchat/sendbird-emulator";
import type { SendbirdEmulator } from "@podchat/sendbird-emulator";
import { SendbirdApiError } from "./sendbird-api-error.ts";
import { toChatError } from "./sendbird-errors.ts";
import { createSendbirdService } from "./sendbird-service.ts";
import type { SendbirdService } from "./sendbird-service.ts";

// Defects of the Sendbird client found by comparing it with Sendbird's official SDK (issue #16).
const token = "test-token";
let emulator: SendbirdEmulator;
let sendbird: SendbirdService;

beforeEach(async () => {
  emulator = await startSendbirdEmulator({ port: 0, apiToken: token });
  sendbird = createSendbirdService({
    appId: "local",
    apiToken: token,
    baseUrl: emulator.url,
    timeoutMs: 2_000,
    backoff: { baseMs: 5, maxMs: 20 },
  });
});

afterEach(async () => {
  await emulator.close();
});

async function failure(promise: Promise<unknown>): Promise<SendbirdApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendbirdApiError);
  return error as SendbirdApiError;
}

describe("id lists are encoded once", () => {
  const odd = ["u@x.com", "a b", "p+q", "50%", "x/y"];

  beforeEach(async () => {
    await sendbird.ensureUsers(odd);
    await sendbird.createGroupChannel({ channel_url: "pod_ids_chat", user_ids: odd });
  });

  it("counts unread for ids with @ + % space /", async () => {
    await sendbird.sendMessage("pod_ids_chat", { message_type: "ADMM", message: "hi" });
    expect(await sendbird.unreadCounts("pod_ids_chat", odd)).toEqual(
      Object.fromEntries(odd.map((id) => [id, 1])),
    );
  });

  it("unregisters operators with such ids", async () => {
    await sendbird.registerOperators("pod_ids_chat", odd);
    await sendbird.unregisterOperators("pod_ids_chat", odd);
    expect((await sendbird.listOperators("pod_ids_chat")).operators).toEqual([]);
  });

  it("puts each id encoded once on the wire, commas between", async () => {
    await sendbird.unreadCounts("pod_ids_chat", ["u@x.com", "a b"]);
    const last = emulator.state.requests.at(-1);
    expect(last?.query).toBe("user_ids=u%40x.com,a%20b");
  });

  it("refuses an id list entry with a comma, which no encoding can carry", async () => {
    await expect(sendbird.unreadCounts("pod_ids_chat", ["a,b"])).rejects.toThrow(/comma/);
  });
});

describe("rate limits whatever the status", () => {
  beforeEach(async () => {
    await sendbird.ensureUsers(["1"]);
    await sendbird.createGroupChannel({ channel_url: "pod_rl_chat", user_ids: ["1"] });
  });

  it("retries a 500910 body that came with a 400 or a 503", async () => {
    emulator.faults.failNext(1, 400, 500910);
    expect((await sendbird.getUser("1")).user_id).toBe("1");
    emulator.faults.failNext(1, 503, 500910);
    await sendbird.sendMessage("pod_rl_chat", { message_type: "MESG", user_id: "1", message: "a" });
    expect(emulator.state.messages.get("pod_rl_chat")?.map((m) => m.message)).toEqual(["a"]);
  });

  it("surfaces an exhausted 500910 as a rate limit (429), not a validation error", async () => {
    emulator.faults.failNext(5, 400, 500910);
    const error = await failure(sendbird.getUser("1"));
    expect(error).toMatchObject({ code: 500910, rateLimited: true, retryable: true, attempts: 3 });
    expect(toChatError(error, "channel")).toMatchObject({ code: "PROVIDER_ERROR", status: 429 });
  });
});
