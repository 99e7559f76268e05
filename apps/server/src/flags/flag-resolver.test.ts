import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createInProcessBus } from "../bus/in-process/in-process-bus.ts";
import { loadConfig } from "../config/index.ts";
import { createLogger } from "../observability/logger.ts";
import { FlagResolver } from "./flag-resolver.ts";
import { inRollout, rolloutBucket } from "./rollout.ts";
import { createSqliteFlagStore } from "./sqlite-flag-store.ts";

const resolvers: FlagResolver[] = [];
afterEach(async () => {
  for (const r of resolvers.splice(0)) await r.stop();
});

async function resolver(env: Record<string, string> = {}, overrides: Record<string, unknown> = {}) {
  const { config, sources } = loadConfig({ env: { APP_ENV: "dev", ...env }, overrides });
  const store = createSqliteFlagStore({ path: join(mkdtempSync(join(tmpdir(), "flags-")), "f.sqlite") });
  await store.migrate();
  const r = new FlagResolver({
    config,
    sources,
    store,
    bus: createInProcessBus(),
    logger: createLogger("silent"),
  });
  await r.start();
  resolvers.push(r);
  return { r, store };
}

describe("flag precedence", () => {
  // yaml (dev) says use_websocket: true.
  const cases: Array<{
    name: string;
    pin?: string;
    runtime?: boolean;
    override?: "websocket" | "sendbird";
    want: "websocket" | "sendbird";
    source: string;
  }> = [
    { name: "yaml only", want: "websocket", source: "yaml" },
    { name: "runtime beats yaml", runtime: false, want: "sendbird", source: "runtime" },
    { name: "env pin beats runtime", pin: "true", runtime: false, want: "websocket", source: "env" },
    { name: "env pin false beats yaml", pin: "false", want: "sendbird", source: "env" },
    { name: "override beats env pin", pin: "false", override: "websocket", want: "websocket", source: "env" },
    {
      name: "override beats runtime",
      runtime: true,
      override: "sendbird",
      want: "sendbird",
      source: "runtime",
    },
    { name: "override beats yaml", override: "sendbird", want: "sendbird", source: "yaml" },
    { name: "runtime true over pin-less yaml", runtime: true, want: "websocket", source: "runtime" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { r, store } = await resolver(c.pin ? { USE_WEBSOCKET_CHAT: c.pin } : {});
      if (c.runtime !== undefined) await store.set("dev", { use_websocket: c.runtime }, "t");
      if (c.override) await store.setOverride("dev", "pod_1", c.override, "t");
      await r.reload();
      expect(r.effective().source).toBe(c.source);
      expect(await r.providerForNewChannel("pod_1", ["1"])).toBe(c.want);
    });
  }

  it("refuses to change a pinned flag, but allows its rollout", async () => {
    const { r } = await resolver({ USE_WEBSOCKET_CHAT: "true" });
    await expect(r.update("dev", { use_websocket: false }, "a")).rejects.toMatchObject({
      code: "FLAG_PINNED",
      status: 409,
    });
    await r.update("dev", { rollout_percent: 10 }, "a");
    expect(r.effective().rollout_percent).toBe(10);
  });

  it("sends pilot user groups to WebSocket even while the flag is off", async () => {
    const { r } = await resolver();
    await r.update("dev", { use_websocket: false, user_groups: ["42"] }, "a");
    expect(await r.providerForNewChannel("pod_9", ["1", "42"])).toBe("websocket");
    expect(await r.providerForNewChannel("pod_9", ["1", "2"])).toBe("sendbird");
  });

  it("describes every environment with its source", async () => {
    const { r } = await resolver({ USE_WEBSOCKET_CHAT: "false" });
    await r.update("prod", { use_websocket: true }, "ops");
    const all = await r.describeAll();
    expect(all.map((e) => [e.env, e.use_websocket, e.source, e.pinned, e.current])).toEqual([
      ["dev", false, "env", true, true],
      ["stg", false, "yaml", false, false],
      ["prod", true, "runtime", false, false],
    ]);
  });
});

describe("rollout", () => {
  it("puts the same channel on the same side every time", () => {
    for (const url of ["pod_1", "pod_123_chat", "x", "long_channel_name_here"]) {
      expect(rolloutBucket(url)).toBe(rolloutBucket(url));
    }
    expect(inRollout("pod_1", 100)).toBe(true);
    expect(inRollout("pod_1", 0)).toBe(false);
  });

  it("matches the percentage within ±2% over 10,000 urls", () => {
    const urls = Array.from({ length: 10_000 }, (_, i) => `pod_${i}_chat`);
    for (const pct of [1, 10, 25, 50, 75, 90]) {
      const share = (urls.filter((u) => inRollout(u, pct)).length / urls.length) * 100;
      expect(Math.abs(share - pct)).toBeLessThanOrEqual(2);
    }
  });

  it("applies the rollout percentage to new channels while the flag is on", async () => {
    const { r } = await resolver();
    await r.update("dev", { rollout_percent: 30 }, "a");
    const urls = Array.from({ length: 2000 }, (_, i) => `room_${i}`);
    let ws = 0;
    for (const u of urls) if ((await r.providerForNewChannel(u, [])) === "websocket") ws++;
    expect(Math.abs((ws / urls.length) * 100 - 30)).toBeLessThanOrEqual(3);
  });
});

describe("mayChoose (whether an inbox should ask Sendbird)", () => {
  it("says Sendbird may get new channels while the flag is off or rolled out below 100 %", async () => {
    const { r } = await resolver();
    expect(r.mayChoose("sendbird")).toBe(false);
    expect(r.mayChoose("websocket")).toBe(true);
    await r.update("dev", { rollout_percent: 99 }, "a");
    expect(r.mayChoose("sendbird")).toBe(true);
    await r.update("dev", { rollout_percent: 0 }, "a");
    expect(r.mayChoose("websocket")).toBe(false);
    await r.update("dev", { rollout_percent: 100, use_websocket: false }, "a");
    expect(r.mayChoose("sendbird")).toBe(true);
    expect(r.mayChoose("websocket")).toBe(false);
  });
});
